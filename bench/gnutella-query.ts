/**
 * A Query answered from a 100,000-file share (issue 10: p50 and p99 < 1 ms at
 * the servent). A real ShareLibrary scans and hashes 100,000 real files in a
 * temp folder; then 2,000 queries (words of real names, and misses) each go
 * through what the servent does on arrival: decode the Query payload, look it
 * up in the in-memory index, build the QueryHits (sending them is the
 * connection's queue, measured by the route bench). Setting up the share takes
 * minutes on a loaded machine; GNUTELLA_QUERY_FILES makes it smaller.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShareLibrary } from '../src/share/share-library.js';
import { answerQuery } from '../protocols/gnutella/answer.js';
import { encodeQuery, decodeQuery } from '../protocols/gnutella/query.js';
import { encodeQueryHit } from '../protocols/gnutella/query-hit.js';
import { stats, report, type Stats } from './lib-measure.js';

const FILES = Number(process.env.GNUTELLA_QUERY_FILES ?? 100_000);
const QUERIES = 2_000;
const WORDS = ['love', 'night', 'blue', 'river', 'dance', 'summer', 'moon', 'fire', 'city', 'rain', 'heart', 'road', 'gold', 'dream', 'star', 'ocean', 'winter', 'light', 'shadow', 'storm'];

const dir = await mkdtemp(join(tmpdir(), 'peerdeck-gquery-'));
const share = join(dir, 'share');
await mkdir(share);
const names: string[] = [];
for (let i = 0; i < FILES; i++) {
  const name = `artist${i % 977} ${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} album${i % 613} track${i}.mp3`;
  names.push(name);
}
for (let i = 0; i < FILES; i += 500) {
  await Promise.all(names.slice(i, i + 500).map((n, k) => writeFile(join(share, n), String(i + k))));
}
const lib = new ShareLibrary({ roots: [share], hash: true });
await lib.start();
await lib.whenHashed();

const queries: Buffer[] = [];
for (let i = 0; i < QUERIES; i++) {
  const n = names[(i * 7919) % FILES]!.split(' ');
  const text = i % 4 === 3 ? `nothing${i} here` : i % 2 === 0 ? `${n[0]} ${n[4]}` : `${n[1]} ${n[2]} ${n[3]}`;
  queries.push(encodeQuery({ text }));
}
const guid = Buffer.alloc(16, 7);

function round(): Stats & { hits: number } {
  const times: number[] = [];
  let hits = 0;
  for (const payload of queries) {
    const t0 = performance.now();
    const q = decodeQuery(payload);
    for (const results of answerQuery(q, lib)) {
      encodeQueryHit({ port: 6346, ip: '127.0.0.1', speed: 1000, results, vendor: 'PDEK', push: false, busy: false, uploaded: false, serventGuid: guid });
      hits++;
    }
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { ...stats(times), hits };
}

const p50: number[] = [];
const p99: number[] = [];
let hits = 0;
for (let r = 0; r < 3; r++) {
  const s = round();
  const sorted = [...s.rounds].sort((a, b) => a - b);
  p50.push(sorted[Math.floor(sorted.length * 0.5)]!);
  p99.push(sorted[Math.floor(sorted.length * 0.99)]!);
  hits = s.hits;
}
console.log(`gnutella.query_files: ${FILES} shared, ${QUERIES} queries per round, ${hits} hits per round`);
const s50 = stats(p50);
const s99 = stats(p99);
report({ name: 'gnutella.query_p50', title: `Gnutella Query answered from a ${FILES.toLocaleString('en-US')}-file share, p50`, unit: 'ms', better: 'lower', ours: s50, target: { text: '< 1 ms', met: s50.median < 1 } });
report({ name: 'gnutella.query_p99', title: `Gnutella Query answered from a ${FILES.toLocaleString('en-US')}-file share, p99`, unit: 'ms', better: 'lower', ours: s99, target: { text: '< 1 ms', met: s99.median < 1 } });
await lib.stop();
await rm(dir, { recursive: true, force: true });
