/**
 * An ultrapeer under load (issue 11): a real headless peerdeck ultrapeer (a
 * child process) with 32 ultrapeer links and 300 leaves, every leaf's QRP
 * table loaded (50 file names each). All 32 links flood last-hop queries
 * (TTL 1) at once, each naming one leaf's word; the figure is queries routed
 * per second, counted when they arrive at the right leaf (copies at other
 * leaves are QRP false positives: hash collisions in 65,536-slot tables,
 * counted and printed), and the child's RSS, sampled every 200 ms, stays under
 * 300 MB (the curve is printed). Targets: >= 20,000 queries/s, < 300 MB.
 * The sockets come from 42 loopback addresses (the ultrapeer takes 8 links
 * per address); the ultrapeer runs with --gnutella-no-deflate so the raw
 * peers of this bench can stay plain.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeAll } from '../src/codec/decoder.js';
import { DescriptorDecoder } from '../protocols/gnutella/descriptor-decoder.js';
import { encodeDescriptor } from '../protocols/gnutella/descriptor.js';
import { encodeQuery, decodeQuery } from '../protocols/gnutella/query.js';
import { QrpTable } from '../protocols/gnutella/qrp-table.js';
import { headless } from './lib-headless.js';
import { belowTarget, measure, report } from './lib-measure.js';

const LEAVES = 300;
const UPS = 32;
const QUERIES = Number(process.env.GNUTELLA_UP_QUERIES ?? 150_000);
const TARGET_QPS = 20_000;
const TARGET_RSS_MB = 300;
const PER_IP = 8;

const leafWord = (k: number): string => `leafword${k}zq`;

async function rssMb(pid: number): Promise<number> {
  const s = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0) / 1024;
}

interface Peer {
  socket: Socket;
  head: Buffer;
  decoder: DescriptorDecoder | undefined;
  onDescriptor: (text: string) => void;
}

let nextAddr = 0;
/** A raw peer of this bench, from its own loopback address (8 per address). */
async function rawPeer(port: number, ultrapeer: boolean, onQuery: (text: string) => void): Promise<Peer> {
  const local = `127.0.${1 + Math.floor(nextAddr / PER_IP / 250)}.${2 + (Math.floor(nextAddr / PER_IP) % 250)}`;
  nextAddr++;
  const socket = connect({ host: '127.0.0.1', port, localAddress: local });
  socket.setNoDelay(true);
  const p: Peer = { socket, head: Buffer.alloc(0), decoder: undefined, onDescriptor: onQuery };
  await new Promise<void>((resolve, reject) => (socket.once('connect', resolve), socket.once('error', reject)));
  socket.on('error', () => undefined);
  const ok = new Promise<void>((resolve, reject) => {
    socket.on('data', (c: Buffer) => {
      if (p.decoder) {
        for (const d of decodeAll(p.decoder, c)) {
          if (d.type === 0x80) p.onDescriptor(decodeQuery(d.payload).text);
          else if (d.type === 0x00) socket.write(encodeDescriptor({ muid: d.muid, type: 0x01, ttl: 1, hops: 0, payload: Buffer.alloc(14) }));
        }
        return;
      }
      p.head = Buffer.concat([p.head, c]);
      const end = p.head.indexOf('\r\n\r\n');
      if (end === -1) return;
      if (!/^GNUTELLA\/0\.6 200/.test(p.head.toString('latin1'))) return reject(new Error(`refused: ${p.head.toString('latin1', 0, 80)}`));
      socket.write('GNUTELLA/0.6 200 OK\r\n\r\n');
      p.decoder = new DescriptorDecoder();
      const rest = p.head.subarray(end + 4);
      if (rest.length) socket.emit('data', rest);
      resolve();
    });
  });
  socket.write(['GNUTELLA CONNECT/0.6', 'User-Agent: BenchPeer/0.1', `X-Ultrapeer: ${ultrapeer ? 'True' : 'False'}`, 'X-Query-Routing: 0.1', `GUID: ${randomBytes(16).toString('hex')}`, '', ''].join('\r\n'));
  await ok;
  return p;
}

const dataDir = await mkdtemp(join(tmpdir(), 'peerdeck-bench-up-'));
const up = headless(['--no-discovery', '--data-dir', dataDir, '--gnutella', '--gnutella-port', '0', '--gnutella-host', '127.0.0.1', '--gnutella-mode', 'ultrapeer', '--gnutella-max-leaves', String(LEAVES), '--gnutella-up-links', String(UPS), '--gnutella-no-deflate']);
try {
  const ready = await up.next((e) => e.type === 'ready');
  const port = (ready.ports as Record<string, number>).gnutella!;
  const pid = up.proc.pid!;
  const rssIdle = await rssMb(pid);

  // Arrivals at the leaf a query names, and copies at other leaves (QRP false positives).
  const got = new Array<number>(LEAVES).fill(0);
  let falsePositives = 0;
  let total = 0;
  let onTotal: (() => void) | undefined;
  const leaves: Peer[] = [];
  for (let k = 0; k < LEAVES; k++) {
    const word = leafWord(k);
    leaves.push(
      await rawPeer(port, false, (text) => {
        if (text !== word) return void falsePositives++;
        got[k]!++;
        total++;
        onTotal?.();
      }),
    );
  }
  // Each leaf's table: 20 file names of 5 words each, plus its own word.
  for (const [k, l] of leaves.entries()) {
    const t = new QrpTable();
    for (let f = 0; f < 20; f++) t.addFile(`${randomBytes(4).toString('hex')} ${randomBytes(3).toString('hex')} music track${f} ${leafWord(k)}.mp3`);
    for (const payload of t.updateMessages()) l.socket.write(encodeDescriptor({ muid: randomBytes(16), type: 0x30, ttl: 1, hops: 0, payload }));
  }
  const ups: Peer[] = [];
  for (let j = 0; j < UPS; j++) ups.push(await rawPeer(port, true, () => undefined));
  const rssLoaded = await rssMb(pid);
  // Tables applied: one query per leaf must arrive at that leaf.
  const settle = async (): Promise<void> => {
    const t0 = Date.now();
    for (;;) {
      const before = total;
      for (let k = 0; k < LEAVES; k++) ups[k % UPS]!.socket.write(encodeDescriptor({ muid: randomBytes(16), type: 0x80, ttl: 1, hops: 1, payload: encodeQuery({ text: leafWord(k) }) }));
      await new Promise((r) => setTimeout(r, 1_000));
      if (total - before === LEAVES) return;
      if (Date.now() - t0 > 60_000) throw new Error(`QRP tables not applied: ${total - before} of ${LEAVES} probes routed`);
    }
  };
  await settle();
  console.log(`ultrapeer RSS: ${rssIdle.toFixed(0)} MB idle, ${rssLoaded.toFixed(0)} MB with ${LEAVES} leaves (tables sent) and ${UPS} ultrapeer links`);

  const payloads = Array.from({ length: LEAVES }, (_, k) => encodeQuery({ text: leafWord(k) }));
  let peakRss = 0;
  const curve: string[] = [];
  const qps = await measure(async () => {
    // Every link's share of the flood, built before the clock starts.
    const bursts = ups.map((_, j) => {
      const parts: Buffer[] = [];
      for (let i = j; i < QUERIES; i += UPS) parts.push(encodeDescriptor({ muid: randomBytes(16), type: 0x80, ttl: 1, hops: 1, payload: payloads[i % LEAVES]! }));
      return Buffer.concat(parts);
    });
    const start = total;
    curve.push(`| round ${curve.filter((c) => c.startsWith('|')).length + 1}:`);
    const done = new Promise<void>((resolve) => (onTotal = () => total - start >= QUERIES && resolve()));
    const t0 = performance.now();
    const sampler = setInterval(() => {
      void rssMb(pid).then((mb) => {
        peakRss = Math.max(peakRss, mb);
        curve.push(`${((performance.now() - t0) / 1000).toFixed(1)}s ${mb.toFixed(0)}MB`);
      });
    }, 200);
    for (const [j, u] of ups.entries()) u.socket.write(bursts[j]!);
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`only ${total - start} of ${QUERIES} queries reached their leaf in 120 s`)), 120_000));
    await Promise.race([done, timeout]);
    const ms = performance.now() - t0;
    clearInterval(sampler);
    onTotal = undefined;
    peakRss = Math.max(peakRss, await rssMb(pid));
    return (QUERIES / ms) * 1000;
  });
  if (got.some((n) => n === 0)) throw new Error('a leaf never received its queries');
  console.log(`QRP false positives: ${falsePositives} copies at leaves that did not name the word (${((100 * falsePositives) / (total * LEAVES)).toFixed(2)} % of the ${LEAVES} leaves per query)`);
  console.log(`RSS curve under the flood (all ${UPS} links at once, ${QUERIES.toLocaleString('en-US')} queries a round): ${curve.join(' ')}`);
  report({
    name: 'gnutella.ultrapeer.route',
    title: `Gnutella ultrapeer: last-hop queries from ${UPS} links routed by QRP to the right one of ${LEAVES} leaves (child process)`,
    unit: 'queries/s',
    better: 'higher',
    ours: qps,
    target: { text: `>= ${TARGET_QPS.toLocaleString('en-US')} queries/s`, met: qps.median >= TARGET_QPS },
  });
  const rss = { median: peakRss, min: rssLoaded, max: peakRss, rounds: [peakRss] };
  report({
    name: 'gnutella.ultrapeer.rss',
    title: `Gnutella ultrapeer RSS, peak under the flood (${UPS} links + ${LEAVES} leaves with tables)`,
    unit: 'MB',
    better: 'lower',
    ours: rss,
    target: belowTarget(TARGET_RSS_MB, 'MB', rss),
  });
  for (const p of [...leaves, ...ups]) p.socket.destroy();
} finally {
  await up.stop();
  await rm(dataDir, { recursive: true, force: true });
}
