/**
 * Memory per idle compressed Gnutella link (issue 10: <= 160 KiB, both zlib
 * contexts). A real headless peerdeck process runs our ultrapeer; this process
 * opens LINKS leaf links to it, each compressed in both directions (deflate
 * offered and used by both sides), from several loopback addresses (the
 * per-IP cap). The figure is the growth of the process's resident memory
 * (VmRSS: zlib's state is native memory) divided by the number of links, after
 * the links have been idle a while.
 */
import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDeflate, createInflate, constants as zc } from 'node:zlib';
import { headless } from './lib-headless.js';
import { stats, report } from './lib-measure.js';

const LINKS = Number(process.env.GNUTELLA_LINKS ?? 32);
const PER_IP = 4;
const IDLE_MS = 3_000;
/** GNUTELLA_PLAIN=1 measures plain links: the part of a link that is not zlib. */
const PLAIN = process.env.GNUTELLA_PLAIN === '1';

async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
}

/** One compressed leaf link; resolves once step 3 is sent and a compressed ping went out. */
function leafLink(port: number, from: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, localAddress: from }, () => {
      s.write(`GNUTELLA CONNECT/0.6\r\nUser-Agent: MemBench/0.1\r\nX-Ultrapeer: False\r\nX-Query-Routing: 0.1\r\n${PLAIN ? '' : 'Accept-Encoding: deflate\r\n'}\r\n`);
    });
    let head = '';
    const inflate = createInflate({ finishFlush: zc.Z_SYNC_FLUSH });
    inflate.on('data', () => undefined);
    inflate.on('error', () => undefined);
    let open = false;
    s.on('data', (c: Buffer) => {
      if (open) return void inflate.write(c);
      head += c.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      if (!head.startsWith('GNUTELLA/0.6 200')) return reject(new Error(head.split('\r\n')[0]));
      open = true;
      s.write(`GNUTELLA/0.6 200 OK\r\n${PLAIN ? '' : 'Content-Encoding: deflate\r\n'}\r\n`);
      if (PLAIN) {
        s.write(Buffer.concat([Buffer.alloc(17), Buffer.from([1]), Buffer.alloc(5)]));
        return resolve(s);
      }
      const d = createDeflate();
      d.on('data', (b: Buffer) => s.write(b));
      // One alive ping, so the servent's inflater has seen data.
      const ping = Buffer.alloc(23);
      ping[17] = 1;
      d.write(ping);
      d.flush(zc.Z_SYNC_FLUSH, () => resolve(s));
    });
    s.on('error', reject);
  });
}

/** One round in a fresh process, so freed memory of an earlier round cannot hide growth. */
async function round(dir: string, r: number): Promise<number> {
  const node = headless(['--no-chat', '--data-dir', join(dir, `data${r}`), '--gnutella', '--gnutella-mode', 'ultrapeer', '--gnutella-host', '127.0.0.1', '--gnutella-port', '0'], { keep: true });
  const sockets: Socket[] = [];
  try {
    const ready = await node.next((e) => e.type === 'ready');
    const port = (ready.ports as Record<string, number>).gnutella!;
    await new Promise((res) => setTimeout(res, 1_000));
    const before = await rssKiB(node.proc.pid!);
    for (let i = 0; i < LINKS; i++) sockets.push(await leafLink(port, `127.0.0.${2 + Math.floor(i / PER_IP)}`));
    await new Promise((res) => setTimeout(res, IDLE_MS));
    const after = await rssKiB(node.proc.pid!);
    return (after - before) / LINKS;
  } finally {
    for (const s of sockets) s.destroy();
    await node.stop();
  }
}

const dir = await mkdtemp(join(tmpdir(), 'peerdeck-bench-gmem-'));
try {
  const rounds: number[] = [];
  for (let r = 0; r < 3; r++) rounds.push(await round(dir, r));
  const ours = stats(rounds);
  console.log(`gnutella.link_memory_links: ${LINKS} ${PLAIN ? 'plain' : 'compressed'} leaf links per round`);
  report({ name: 'gnutella.link_memory', title: `memory per idle ${PLAIN ? 'plain' : 'compressed'} Gnutella link (both zlib contexts), headless process RSS`, unit: 'KiB', better: 'lower', ours, target: { text: '<= 160 KiB', met: ours.median <= 160 } });
} finally {
  await rm(dir, { recursive: true, force: true });
}
