/**
 * A 100-node chat mesh in one process delivers 10,000 messages: counts
 * duplicates and losses on every node and reports end-to-end latency.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChatPlugin } from '../protocols/chat/index.js';
import { PeerdeckNode } from '../src/node.js';

const NODES = Number(process.env.MESH_NODES ?? 100);
const MESSAGES = Number(process.env.MESH_MESSAGES ?? 10_000);
const RATE = Number(process.env.MESH_RATE ?? 250); // messages per second offered

const root = await mkdtemp(join(tmpdir(), 'peerdeck-mesh-'));
const nodes: PeerdeckNode[] = [];
const ports: number[] = [];
// received[node][seq] = count; latency samples in ms
const received = Array.from({ length: NODES }, () => new Uint16Array(MESSAGES));
const sentAt = new Float64Array(MESSAGES);
const latencies: number[] = [];
let deliveries = 0;

// mulberry32: a small seeded PRNG, so every run builds the same graph.
let seed = 42;
const rand = (n: number): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * n | 0;
};

for (let i = 0; i < NODES; i++) {
  const connect: string[] = [];
  const want = Math.min(i, 3);
  const picked = new Set<number>();
  while (picked.size < want) picked.add(rand(i));
  for (const p of picked) connect.push(`127.0.0.1:${ports[p]}`);
  const node = new PeerdeckNode({
    dataDir: join(root, `n${i}`),
    nick: `n${i}`,
    plugins: [createChatPlugin({ port: 0, host: '127.0.0.1', discovery: false, connect })],
  });
  const idx = i;
  node.subscribe((e) => {
    if (e.type === 'ready') ports[idx] = e.ports.chat ?? 0;
    if (e.type === 'chat.line' && e.kind === 'msg' && e.text.startsWith('m ')) {
      const seq = Number(e.text.slice(2));
      received[idx]![seq]!++;
      deliveries++;
      if (!e.self) latencies.push(performance.now() - sentAt[seq]!);
    }
  });
  await node.start();
  nodes.push(node);
}

const degree = (): number[] => nodes.map((n) => n.snapshot().status.chat?.peers ?? 0);
const settleStart = performance.now();
while (degree().some((d) => d < 2) && performance.now() - settleStart < 30_000) await new Promise((r) => setTimeout(r, 100));
const d = degree();
console.log(`chat.mesh_nodes: ${NODES} (links per node min ${Math.min(...d)}, avg ${(d.reduce((a, b) => a + b, 0) / NODES).toFixed(1)}, max ${Math.max(...d)}; settled in ${Math.round(performance.now() - settleStart)} ms)`);

const t0 = performance.now();
for (let seq = 0; seq < MESSAGES; seq++) {
  const due = t0 + (seq / RATE) * 1000;
  const wait = due - performance.now();
  if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  sentAt[seq] = performance.now();
  await nodes[rand(NODES)]!.run('chat', 'say', [`m ${seq}`]);
}
const expected = NODES * MESSAGES;
const waitStart = performance.now();
while (deliveries < expected && performance.now() - waitStart < 30_000) await new Promise((r) => setTimeout(r, 50));
const elapsed = performance.now() - t0;

let dups = 0;
let lost = 0;
for (const r of received) for (const c of r) c === 0 ? lost++ : (dups += c - 1);
latencies.sort((a, b) => a - b);
const pct = (p: number): string => (latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))] ?? NaN).toFixed(2);
console.log(`chat.mesh_messages: ${MESSAGES} sent at ${RATE}/s, ${deliveries}/${expected} deliveries in ${Math.round(elapsed)} ms`);
console.log(`chat.mesh_duplicates: ${dups}`);
console.log(`chat.mesh_losses: ${lost}`);
console.log(`chat.mesh_latency_p50_ms: ${pct(50)}`);
console.log(`chat.mesh_latency_p99_ms: ${pct(99)}`);
await Promise.all(nodes.map((n) => n.stop()));
await rm(root, { recursive: true, force: true });
if (dups > 0 || lost > 0) process.exitCode = 1;
