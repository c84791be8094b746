/**
 * Signed chat (issue 14 "Speed"):
 * - signed lines verified per second at one node: a peer on a real 127.0.0.1 socket sends
 *   SIG lines, the node verifies each and delivers it (chat.line with signedBy); beside it,
 *   bare `crypto.verify` of the same lines in this process;
 * - relay throughput with signed lines (verified at the relay) beside the same relay
 *   carrying unsigned lines, in alternating rounds.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from '../protocols/chat/codec.js';
import { ephemeralIdentity, verifySignature } from '../protocols/chat/identity.js';
import { createChatPlugin } from '../protocols/chat/index.js';
import type { MsgMessage } from '../protocols/chat/messages.js';
import { encodeSigned, signedBytes, signFlood } from '../protocols/chat/signing.js';
import { PeerdeckNode } from '../src/node.js';
import { DEFAULT_ROUNDS, ratioTarget, report, stats } from './lib-measure.js';

const N = Number(process.env.SIGNED_LINES ?? 20_000);
const root = await mkdtemp(join(tmpdir(), 'peerdeck-bench-signed-'));
let dirs = 0;
const id = ephemeralIdentity();
const msgs: MsgMessage[] = [];
const at = Date.now();
for (let i = 0; i < N; i++) msgs.push({ type: 'MSG', id: randomBytes(16).toString('hex'), hopsLeft: 16, origin: 'benchorigin', at, nick: 'bench', text: `signed line number ${i} with some ordinary chat text in it` });
const tags = msgs.map((m) => signFlood(m, id));

/** Fresh ids for every round (the node's seen cache would drop a repeat). */
function lines(signed: boolean): string {
  const salt = randomBytes(4).toString('hex');
  return msgs
    .map((m, i) => {
      const m2 = { ...m, id: `${salt}${m.id.slice(8)}` };
      return `${signed ? encodeSigned(signFlood(m2, id), encode(m2)) : encode(m2)}\n`;
    })
    .join('');
}

async function startNode(): Promise<{ node: PeerdeckNode; port: number }> {
  const node = new PeerdeckNode({ dataDir: join(root, `d${dirs++}`), nick: 'relay', plugins: [createChatPlugin({ port: 0, host: '127.0.0.1', discovery: false, targetDegree: 0 })] });
  let port = 0;
  const off = node.subscribe((e) => {
    if (e.type === 'ready') port = e.ports.chat ?? 0;
  });
  await node.start();
  off();
  return { node, port };
}

/** An extended peer on a real socket; `onLine` sees every line it receives. */
async function peer(port: number, onLine: (l: string) => void = () => undefined): Promise<Socket> {
  const s = connect({ host: '127.0.0.1', port });
  await new Promise<void>((r, j) => s.once('connect', r).once('error', j));
  let buf = '';
  let ready: () => void = () => undefined;
  const ext = new Promise<void>((r) => (ready = r));
  s.setEncoding('utf8');
  s.on('data', (d: string) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i !== -1; i = buf.indexOf('\n')) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (l.startsWith('EXT ')) ready();
      onLine(l);
    }
  });
  s.write(`HELLO peerdeck-chat/1 node=p${randomBytes(6).toString('hex')} nick=p listen=- mesh=default\nEXT sig names\n`);
  await ext;
  return s;
}

/** CPU seconds this process has used (every thread: the main one and node's thread pool). */
const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Per CPU-second of the process, as well as per wall-clock second (a loaded machine lowers only the latter). */
const perCpu: { node: number[]; bare: number[] } = { node: [], bare: [] };

/** Lines verified and delivered per second at one node (checks on node's thread pool). */
async function verifiedAtNode(): Promise<number> {
  const { node, port } = await startNode();
  let got = 0;
  let done: () => void = () => undefined;
  const all = new Promise<void>((r) => (done = r));
  node.subscribe((e) => {
    if (e.type === 'chat.line' && e.signedBy !== undefined && ++got === N) done();
  });
  const data = lines(true);
  const s = await peer(port);
  const c0 = cpuSeconds();
  const t0 = performance.now();
  s.write(data);
  await all;
  const ms = performance.now() - t0;
  perCpu.node.push(N / (cpuSeconds() - c0));
  s.destroy();
  await node.stop();
  return (N / ms) * 1000;
}

/** Bare crypto.verify of the same lines. */
async function bareVerify(): Promise<number> {
  const c0 = cpuSeconds();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) if (!verifySignature(tags[i]!.key, signedBytes(msgs[i]!), tags[i]!.sig)) throw new Error('bad bench signature');
  perCpu.bare.push(N / (cpuSeconds() - c0));
  return (N / (performance.now() - t0)) * 1000;
}

/** A -> relay -> C: lines/s arriving at C. */
async function relay(signed: boolean): Promise<number> {
  const { node, port } = await startNode();
  let got = 0;
  let done: () => void = () => undefined;
  const all = new Promise<void>((r) => (done = r));
  const c = await peer(port, (l) => {
    if ((l.startsWith('SIG ') || l.startsWith('MSG ')) && ++got === N) done();
  });
  const a = await peer(port);
  const data = lines(signed);
  const t0 = performance.now();
  a.write(data);
  await all;
  const ms = performance.now() - t0;
  a.destroy();
  c.destroy();
  await node.stop();
  return (N / ms) * 1000;
}

const r = { node: [] as number[], bare: [] as number[], signed: [] as number[], unsigned: [] as number[] };
try {
  for (let i = 0; i < DEFAULT_ROUNDS; i++) {
    r.node.push(await verifiedAtNode());
    r.bare.push(await bareVerify());
    r.signed.push(await relay(true));
    r.unsigned.push(await relay(false));
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
const node = stats(r.node);
const bare = stats(r.bare);
report({
  name: 'names.signed_verified',
  title: `signed chat lines verified and delivered at one node, ${N.toLocaleString('en-US')} lines over 127.0.0.1`,
  unit: 'lines/s',
  better: 'higher',
  ours: node,
  reference: { label: 'bare crypto.verify of the same lines, one thread', stats: bare },
  target: { text: '>= 10000 lines/s', met: node.median >= 10_000 },
});
report({
  name: 'names.signed_verified_cpu',
  title: 'the same, per CPU-second of the process (all its threads; the sender and the node share it)',
  unit: 'lines/CPU-s',
  better: 'higher',
  ours: stats(perCpu.node),
  reference: { label: 'bare crypto.verify, per CPU-second', stats: stats(perCpu.bare) },
});
const signed = stats(r.signed);
const unsigned = stats(r.unsigned);
report({
  name: 'names.signed_relay',
  title: 'relay throughput of signed lines (verified at the relay), one node between two links',
  unit: 'lines/s',
  better: 'higher',
  ours: signed,
  reference: { label: 'the same relay carrying unsigned lines', stats: unsigned },
});
