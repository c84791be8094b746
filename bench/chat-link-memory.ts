/**
 * Memory per idle chat link (target <= 64 KiB): the node under test accepts N
 * protocol links from a child process; we compare its memory before and after.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChatPlugin } from '../protocols/chat/index.js';
import { PeerdeckNode } from '../src/node.js';

const LINKS = Number(process.env.LINKS ?? 1_000);
const gc = (globalThis as { gc?: () => void }).gc;
const settle = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 50));
  }
};
const mem = (): { js: number; rss: number } => {
  const m = process.memoryUsage();
  return { js: m.heapUsed + m.external + m.arrayBuffers, rss: m.rss };
};

const dataDir = await mkdtemp(join(tmpdir(), 'peerdeck-bench-'));
const node = new PeerdeckNode({
  dataDir,
  nick: 'mem',
  limits: { maxInbound: LINKS + 100, perIp: LINKS + 100 },
  plugins: [createChatPlugin({ port: 0, host: '127.0.0.1', discovery: false, maxInbound: LINKS + 100, perIp: LINKS + 100 })],
});
let port = 0;
node.subscribe((e) => {
  if (e.type === 'ready') port = e.ports.chat ?? 0;
});
await node.start();
await settle();
const before = mem();

// The far ends live in another process so only the node's side is measured. They connect
// 32 at a time, each after the previous one's HELLO was answered: the node keeps at most 64
// sockets waiting for HELLO (a slot-storm defence), so 1,000 at once would push some out.
const script = `
const net = require('node:net'); const crypto = require('node:crypto');
const socks = []; let next = 0;
function open() {
  if (next >= ${LINKS}) return;
  const i = next++;
  const s = net.connect(${port}, '127.0.0.1', () => s.write('HELLO peerdeck-chat/1 node=' + crypto.randomBytes(16).toString('hex') + ' nick=p' + i + ' listen=- mesh=default\\n'));
  s.on('error', () => {}); s.once('data', open); s.on('data', () => {}); socks.push(s);
}
for (let k = 0; k < 32; k++) open();
process.stdin.on('data', () => process.exit(0));`;
const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'inherit', 'inherit'] });
const start = performance.now();
while ((node.snapshot().status.chat?.peers ?? 0) < LINKS && performance.now() - start < 30_000) await new Promise((r) => setTimeout(r, 50));
const linked = node.snapshot().status.chat?.peers ?? 0;
await new Promise((r) => setTimeout(r, 500)); // PEERS/JOIN exchange done: idle
await settle();
const after = mem();
child.stdin.write('x');
await new Promise((r) => child.on('exit', r));
await node.stop();
await rm(dataDir, { recursive: true, force: true });

const kib = (n: number): string => (n / 1024).toFixed(1);
console.log(`chat.idle_links: ${linked}/${LINKS}${gc ? '' : ' (run with --expose-gc for steadier numbers)'}`);
console.log(`chat.memory_per_idle_link_kib: ${kib((after.js - before.js) / Math.max(1, linked))} (JS heap + buffers)`);
console.log(`chat.rss_per_idle_link_kib: ${kib((after.rss - before.rss) / Math.max(1, linked))} (whole-process RSS, includes kernel-side socket memory accounting noise)`);
if (linked < LINKS) process.exitCode = 1;
