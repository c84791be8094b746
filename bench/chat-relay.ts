/**
 * Chat relay throughput (issue 9), each figure beside a bare Node
 * split-and-forward relay of the same lines measured in the same run, in
 * alternating rounds:
 * - one node between two links, the node running in this process;
 * - the same node as a real headless process printing its `--json` events;
 * - three real headless nodes in a chain, end to end.
 * The two protocol peers (A floods, C counts) run in a child process; each relay first
 * relays WARMUP lines from another such pair, untimed.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { getPriority, setPriority, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createChatPlugin } from '../protocols/chat/index.js';
import { PeerdeckNode } from '../src/node.js';
import { startBareRelay } from './lib-bare-relay.js';
import { headlessReadCheaply, type Headless } from './lib-headless.js';
import { DEFAULT_ROUNDS, ratioTarget, report, stats, type Stats } from './lib-measure.js';

const TOTAL = Number(process.env.RELAY_LINES ?? 300_000);
/**
 * Lines every relay (the bare one too) relays, untimed, from a first pair of peers, just
 * before the timed flood from a second pair: the figure is a relay's steady rate, not its
 * first tenth of a second. The headless relays are new processes each round and compile
 * their hot path during it (about 0.3 µs a line more over a 300,000-line flood); the bare
 * relay's code is compiled in this process from the second round on. The timed flood comes
 * from peers of its own, as without a warm-up: a warm-up over the same links slowed the
 * bare relay (bound by these peers) by a fifth, for reasons of theirs.
 */
const WARMUP = Number(process.env.RELAY_WARMUP_LINES ?? 30_000);
const here = dirname(fileURLToPath(import.meta.url));
const root = await mkdtemp(join(tmpdir(), 'peerdeck-bench-relay-'));
let dirs = 0;

/** How much higher the bench's own priority is than its children's while it reads relays' stdout. */
const READER_BOOST = 5;
/** The highest priority there is (nice -20). */
const PRIORITY_HIGHEST = -20;

/**
 * Floods TOTAL lines into portA and counts them at portC; resolves with lines/s. `readsRelays`:
 * headless relays print to this process meanwhile. It then runs at a higher priority than
 * them and the peers (where it may: as root), so that reading their stdout, a little work
 * that must come soon, does not wait behind four busy processes for a core: a relay whose
 * stdout falls behind drops chat lines (README "Headless mode") and does less work than the
 * figure says. Not for the bare and in-process relays, which run in this process.
 */
async function flood(portA: number, portC = portA, readsRelays = false): Promise<number> {
  const priority = getPriority();
  let boosted = false;
  if (readsRelays) {
    try {
      setPriority(Math.max(PRIORITY_HIGHEST, priority - READER_BOOST));
      boosted = true;
    } catch {
      // not allowed (not root): the reader competes as an equal
    }
  }
  try {
    if (WARMUP > 0) await floodResult(peers(portA, WARMUP, portC, true), WARMUP);
    return await floodResult(peers(portA, TOTAL, portC, false), TOTAL);
  } finally {
    if (boosted) setPriority(priority);
  }
}

/** The two protocol peers (lib-chat-peers.ts), flooding `lines` lines into portA, counting them at portC; the warm-up's with nicks of their own. */
function peers(portA: number, lines: number, portC: number, warmup: boolean): ChildProcessByStdio<null, Readable, null> {
  const args = [join(here, 'lib-chat-peers.js'), String(portA), String(lines), String(portC)];
  return spawn(process.execPath, warmup ? [...args, 'warmup'] : args, { stdio: ['ignore', 'pipe', 'inherit'] });
}

async function floodResult(child: ChildProcessByStdio<null, Readable, null>, total: number): Promise<number> {
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { received: number; total: number; duplicates: number; elapsedMs: number };
  if (code !== 0 || result.received !== total) throw new Error(`relay lost lines: ${result.received}/${total} arrived (peers exited ${code})`);
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
 * A headless relay whose stdout is read as fast as it comes (into one reused buffer), its
 * lines split out only while the bench waits for an event (so reading costs little beside
 * the relay).
 */
async function relayProcess(extra: string[] = []): Promise<{ node: Headless }> {
  const node = await headlessReadCheaply(['--no-discovery', '--chat-host', '127.0.0.1', '--chat-port', '0', '--nick', `n${dirs}`, '--data-dir', join(root, `d${dirs++}`), ...extra], { keep: false });
  return { node };
}

/**
 * The bytes of the `chat.line` events a node prints for one flood of `lines` lines, `hops`
 * away from its origin: the lines of lib-chat-peers.ts (`line number K of the relay
 * benchmark`, 32-hex id and origin, nick benchA or the warm-up's benchW, one origin time). A node whose stdout fell
 * behind drops chat lines (README "Headless mode") and prints fewer bytes: the bench says
 * so, since that node did less work than the figure claims.
 */
function floodEventBytes(hops: number, lines: number): number {
  const x = 'x'.repeat(32);
  const template = JSON.stringify({ type: 'chat.line', protocol: 'chat', kind: 'msg', id: x, nick: 'benchA', text: 'line number  of the relay benchmark', origin: x, at: 1_700_000_000_000, hops, self: false });
  let bytes = 0;
  for (let k = 0; k < lines; k++) bytes += template.length + 1 + String(k).length;
  return bytes;
}

/** Reports the chat.line events a node dropped during a flood and its warm-up (its stdout printed `printed` bytes). */
function checkPrinted(name: string, printed: number, hops: number): void {
  const want = floodEventBytes(hops, TOTAL) + floodEventBytes(hops, WARMUP);
  if (printed >= want) return;
  const lost = Math.round(((want - printed) / want) * (TOTAL + WARMUP));
  process.stdout.write(`chat.relay_events_dropped: ${name} printed about ${lost.toLocaleString('en-US')} fewer chat.line events than the ${(TOTAL + WARMUP).toLocaleString('en-US')} it relayed (its stdout fell behind)\n`);
}

const chatPort = async (n: Headless): Promise<number> => ((await n.next((e) => e.type === 'ready')).ports as Record<string, number>).chat ?? 0;

async function headlessOne(): Promise<number> {
  const r = await relayProcess();
  try {
    const port = await chatPort(r.node);
    const before = r.node.stdoutBytes;
    const rate = await flood(port, port, true);
    await r.node.stop();
    checkPrinted('the headless relay', r.node.stdoutBytes - before, 1);
    return rate;
  } finally {
    await r.node.stop();
  }
}

/**
 * Three headless relays in a line, C <- B <- A, each keeping only the links it was told to
 * make (`--chat-degree 1`): by default they would close the triangle (target degree 3), and
 * the first node would send each line to the last one directly, besides through the middle.
 */
async function headlessThree(): Promise<number> {
  const line = ['--chat-degree', '1'];
  const c = await relayProcess(line);
  const nodes = [c];
  try {
    const pc = await chatPort(c.node);
    const b = await relayProcess([...line, '--connect', `127.0.0.1:${pc}`]);
    nodes.push(b);
    const bUp = b.node.next((e) => e.type === 'peer.up');
    const pb = await chatPort(b.node);
    await bUp;
    const a = await relayProcess([...line, '--connect', `127.0.0.1:${pb}`]);
    nodes.push(a);
    const aUp = a.node.next((e) => e.type === 'peer.up');
    const pa = await chatPort(a.node);
    await aUp;
    // A, B and C print each line 1, 2 and 3 hops from the bench's peer A.
    const chain = [a, b, c];
    const before = chain.map((n) => n.node.stdoutBytes);
    const rate = await flood(pa, pc, true);
    for (const n of chain) await n.node.stop();
    chain.forEach((n, i) => checkPrinted(`chained node ${'ABC'[i]}`, n.node.stdoutBytes - before[i]!, i + 1));
    return rate;
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
  ['chat.relay', `chat relay, one node between two links, ${TOTAL.toLocaleString('en-US')} lines after ${WARMUP.toLocaleString('en-US')} untimed`, rounds.inProcess, 0.4],
  ['chat.relay_headless', 'the same through a real headless process printing --json events', rounds.headless, 0.3],
  ['chat.relay_three_headless', 'three real headless nodes in a chain, end to end', rounds.three, 0.25],
];
for (const [name, title, values, min] of figures) {
  const ours = stats(values);
  report({ name, title, unit: 'lines/s', better: 'higher', ours, reference, target: ratioTarget(min, ours, ref, 'higher') });
}
