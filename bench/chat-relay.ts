/**
 * Chat relay throughput (issue 9), each figure beside a bare Node
 * split-and-forward relay of the same lines measured in the same run, in
 * alternating rounds:
 * - one node between two links, the node running in this process;
 * - the same node as a real headless process printing its `--json` events;
 * - three real headless nodes in a chain, end to end.
 * The two protocol peers (A floods, C counts) run in a child process.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createChatPlugin } from '../protocols/chat/index.js';
import { PeerdeckNode } from '../src/node.js';
import { startBareRelay } from './lib-bare-relay.js';
import { headless, type Headless } from './lib-headless.js';
import { DEFAULT_ROUNDS, ratioTarget, report, stats, type Stats } from './lib-measure.js';

const TOTAL = Number(process.env.RELAY_LINES ?? 300_000);
const here = dirname(fileURLToPath(import.meta.url));
const root = await mkdtemp(join(tmpdir(), 'peerdeck-bench-relay-'));
let dirs = 0;

/** Floods TOTAL lines into portA and counts them at portC; resolves with lines/s. */
async function flood(portA: number, portC = portA): Promise<number> {
  const child = spawn(process.execPath, [join(here, 'lib-chat-peers.js'), String(portA), String(TOTAL), String(portC)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { received: number; total: number; duplicates: number; elapsedMs: number };
  if (code !== 0 || result.received !== TOTAL) throw new Error(`relay lost lines: ${result.received}/${TOTAL} arrived (peers exited ${code})`);
  if (result.duplicates > 0) process.stdout.write(`chat.relay_duplicates: ${result.duplicates} lines arrived twice at C\n`);
  return (result.received / result.elapsedMs) * 1000;
}

async function bare(): Promise<number> {
  const relay = await startBareRelay();
  try {
    return await flood(relay.port);
  } finally {
    await relay.close();
  }
}

async function inProcess(): Promise<number> {
  const node = new PeerdeckNode({
    dataDir: join(root, `d${dirs++}`),
    nick: 'relay',
    plugins: [createChatPlugin({ port: 0, host: '127.0.0.1', discovery: false })],
  });
  let port = 0;
  const off = node.subscribe((e) => {
    if (e.type === 'ready') port = e.ports.chat ?? 0;
  });
  await node.start();
  off(); // nobody listens to chat.line: the relay alone is measured
  try {
    return await flood(port);
  } finally {
    await node.stop();
  }
}

/**
 * A headless relay whose stdout is read as fast as it comes, its lines split out only while
 * the bench waits for an event (so reading costs little beside the relay).
 */
function relayProcess(extra: string[] = []): { node: Headless } {
  const node = headless(['--no-discovery', '--chat-host', '127.0.0.1', '--chat-port', '0', '--nick', `n${dirs}`, '--data-dir', join(root, `d${dirs++}`), ...extra], { keep: false });
  return { node };
}

const chatPort = async (n: Headless): Promise<number> => ((await n.next((e) => e.type === 'ready')).ports as Record<string, number>).chat ?? 0;

async function headlessOne(): Promise<number> {
  const r = relayProcess();
  try {
    return await flood(await chatPort(r.node));
  } finally {
    await r.node.stop();
  }
}

async function headlessThree(): Promise<number> {
  const c = relayProcess();
  const nodes = [c];
  try {
    const pc = await chatPort(c.node);
    const b = relayProcess(['--connect', `127.0.0.1:${pc}`]);
    nodes.push(b);
    const bUp = b.node.next((e) => e.type === 'peer.up');
    const pb = await chatPort(b.node);
    await bUp;
    const a = relayProcess(['--connect', `127.0.0.1:${pb}`]);
    nodes.push(a);
    const aUp = a.node.next((e) => e.type === 'peer.up');
    const pa = await chatPort(a.node);
    await aUp;
    return await flood(pa, pc);
  } finally {
    for (const n of nodes) await n.node.stop();
  }
}

const rounds = { bare: [] as number[], inProcess: [] as number[], headless: [] as number[], three: [] as number[] };
try {
  for (let r = 0; r < DEFAULT_ROUNDS; r++) {
    rounds.bare.push(await bare());
    rounds.inProcess.push(await inProcess());
    rounds.headless.push(await headlessOne());
    rounds.three.push(await headlessThree());
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
const ref: Stats = stats(rounds.bare);
const reference = { label: 'bare Node split-and-forward relay', stats: ref };
const figures: Array<[string, string, number[], number]> = [
  ['chat.relay', `chat relay, one node between two links, ${TOTAL.toLocaleString('en-US')} lines`, rounds.inProcess, 0.4],
  ['chat.relay_headless', 'the same through a real headless process printing --json events', rounds.headless, 0.3],
  ['chat.relay_three_headless', 'three real headless nodes in a chain, end to end', rounds.three, 0.25],
];
for (const [name, title, values, min] of figures) {
  const ours = stats(values);
  report({ name, title, unit: 'lines/s', better: 'higher', ours, reference, target: ratioTarget(min, ours, ref, 'higher') });
}
