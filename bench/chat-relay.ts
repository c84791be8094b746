/**
 * Relay throughput (issue: one node between two links forwards >= 200,000 chat
 * lines/s). The node under test runs here; the two peers run in a child process.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createChatPlugin } from '../protocols/chat/index.js';
import { PeerdeckNode } from '../src/node.js';

const TOTAL = Number(process.env.RELAY_LINES ?? 500_000);
const here = dirname(fileURLToPath(import.meta.url));
const dataDir = await mkdtemp(join(tmpdir(), 'peerdeck-bench-'));
const node = new PeerdeckNode({
  dataDir,
  nick: 'relay',
  plugins: [createChatPlugin({ port: 0, host: '127.0.0.1', discovery: false })],
});
let port = 0;
node.subscribe((e) => {
  if (e.type === 'ready') port = e.ports.chat ?? 0;
});
let delivered = 0;
node.subscribe((e) => {
  if (e.type === 'chat.line' && !e.self) delivered++;
});
await node.start();

const child = spawn(process.execPath, [join(here, 'lib-chat-peers.js'), String(port), String(TOTAL)], { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
child.stdout.on('data', (c: Buffer) => (out += c.toString()));
const code = await new Promise<number | null>((r) => child.on('exit', r));
await node.stop();
await rm(dataDir, { recursive: true, force: true });
const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { received: number; total: number; elapsedMs: number };
const rate = Math.round((result.received / result.elapsedMs) * 1000);
console.log(`chat.relay_lines: ${result.received}/${result.total} forwarded, ${delivered} shown on the relay`);
console.log(`chat.relay_lines_per_s: ${rate}`);
if (code !== 0 || result.received !== TOTAL) process.exitCode = 1;
