/**
 * Peer-name resolution in a 100-node chat mesh (issue 14 "Speed"): 100 real nodes on
 * 127.0.0.1 (one process), each linked to a random earlier one and left to fill its degree;
 * names registered on random nodes are resolved from random others that never saw them.
 * Figures: latency p50 and p99 (ms) and name lines sent per resolution, mesh-wide. Even
 * nodes ask with the expanding ring (3 hops, then the whole mesh after 250 ms: the default),
 * odd nodes flood the whole mesh at once (ringHops 0), the reference, in alternating rounds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChatPlugin } from '../protocols/chat/index.js';
import { PeerdeckNode } from '../src/node.js';
import { DEFAULT_ROUNDS, report, stats } from './lib-measure.js';

const NODES = Number(process.env.NAMES_NODES ?? 100);
const RESOLUTIONS = Number(process.env.NAMES_RESOLUTIONS ?? 40);
const root = await mkdtemp(join(tmpdir(), 'peerdeck-bench-names-'));

/** A deterministic PRNG, so every run builds a comparable mesh. */
let seed = 42;
const rand = (n: number): number => {
  seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
  return seed % n;
};

const nodes: PeerdeckNode[] = [];
const ports: number[] = [];
async function sentTotal(): Promise<number> {
  let sum = 0;
  for (const n of nodes) sum += Number(/sent (\d+) name lines/.exec((await n.run('chat', 'names', [])).join('\n'))?.[1] ?? 0);
  return sum;
}

interface Figures {
  p50: number[];
  p99: number[];
  perResolution: number[];
}
const ring: Figures = { p50: [], p99: [], perResolution: [] };
const flood: Figures = { p50: [], p99: [], perResolution: [] };

/** One round: RESOLUTIONS fresh names, each resolved by an asker of the given parity. */
async function round(label: string, parity: number, into: Figures): Promise<void> {
  const lat: number[] = [];
  const before = await sentTotal();
  for (let k = 0; k < RESOLUTIONS; k++) {
    const owner = nodes[rand(NODES)]!;
    const [reg] = await owner.run('chat', 'register', [`${label}x${k}`]);
    const name = /registered (\S+)/.exec(reg ?? '')?.[1] ?? '';
    let asker = nodes[rand(NODES)]!;
    while (asker === owner || nodes.indexOf(asker) % 2 !== parity) asker = nodes[rand(NODES)]!;
    const t0 = performance.now();
    const out = await asker.run('chat', 'resolve', [name]);
    lat.push(performance.now() - t0);
    if (!out[0]?.includes('from the mesh')) throw new Error(`unexpected answer: ${out.join(' | ')}`);
  }
  // Let the last floods finish before counting.
  await new Promise((r) => setTimeout(r, 1_000));
  const sent = (await sentTotal()) - before;
  lat.sort((a, b) => a - b);
  into.p50.push(lat[Math.floor(lat.length * 0.5)]!);
  into.p99.push(lat[Math.min(lat.length - 1, Math.floor(lat.length * 0.99))]!);
  into.perResolution.push(sent / RESOLUTIONS);
}

try {
  for (let i = 0; i < NODES; i++) {
    const connect = i === 0 ? [] : [`127.0.0.1:${ports[rand(i)]!}`];
    const node = new PeerdeckNode({
      dataDir: join(root, `n${i}`),
      nick: `n${i}`,
      plugins: [createChatPlugin({ port: 0, host: '127.0.0.1', discovery: false, connect, maxInbound: 32, perIp: 256, timeouts: { maintenanceMs: 500 }, ...(i % 2 === 1 ? { names: { ringHops: 0 } } : {}) })],
    });
    let port = 0;
    const off = node.subscribe((e) => {
      if (e.type === 'ready') port = e.ports.chat ?? 0;
    });
    await node.start();
    off();
    nodes.push(node);
    ports.push(port);
  }
  // Let the mesh settle to its degree.
  await new Promise((r) => setTimeout(r, 5_000));
  const links = nodes.reduce((s, n) => s + n.peers().length, 0) / NODES;
  process.stdout.write(`names.mesh: ${NODES} nodes, ${links.toFixed(1)} links a node\n`);
  for (let r = 0; r < DEFAULT_ROUNDS; r++) {
    await round(`g${r}`, 0, ring);
    await round(`f${r}`, 1, flood);
  }
} finally {
  for (const n of nodes) await n.stop();
  await rm(root, { recursive: true, force: true });
}
const title = `${NODES}-node mesh, ${RESOLUTIONS} names resolved from random nodes a round`;
const ref = (f: number[]) => ({ label: 'the same mesh, queries flooded to every node at once', stats: stats(f) });
report({ name: 'names.resolve_p50', title: `name resolution p50, ${title}`, unit: 'ms', better: 'lower', ours: stats(ring.p50), reference: ref(flood.p50) });
report({ name: 'names.resolve_p99', title: `name resolution p99, ${title}`, unit: 'ms', better: 'lower', ours: stats(ring.p99), reference: ref(flood.p99) });
report({ name: 'names.resolve_messages', title: `NAMEQ/NAMEA lines sent per resolution, ${title}`, unit: 'lines', better: 'lower', ours: stats(ring.perResolution), reference: ref(flood.perResolution) });
