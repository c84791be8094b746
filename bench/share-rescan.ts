/**
 * Start-up scan and `/rescan` of 100,000 shared files with a warm hash cache
 * (issue 4 target: < 3 s): nothing may be rehashed.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShareLibrary } from '../src/share/share-library.js';
import { round } from './lib-bench-files.js';

const FILES = Number(process.env.RESCAN_FILES ?? 100_000);
const PER_DIR = 1000;

const dir = await mkdtemp(join(tmpdir(), 'peerdeck-bench-rescan-'));
try {
  const root = join(dir, 'share');
  const data = join(dir, 'data');
  for (let d = 0; d * PER_DIR < FILES; d++) {
    const sub = join(root, `album ${d}`);
    await mkdir(sub, { recursive: true });
    const writes: Promise<void>[] = [];
    for (let i = d * PER_DIR; i < Math.min(FILES, (d + 1) * PER_DIR); i++) writes.push(writeFile(join(sub, `track ${i}.mp3`), `file ${i}`));
    await Promise.all(writes);
  }
  // Cold: scan + hash everything, then save the cache.
  const cold = new ShareLibrary({ roots: [root], dataDir: data });
  let t0 = performance.now();
  await cold.start();
  await cold.whenHashed();
  await cold.stop();
  console.log(`share.cold_scan_hash_100k_ms: ${Math.round(performance.now() - t0)}`);

  // Warm: a restart reads the cache and rescans; nothing is rehashed.
  const warm = new ShareLibrary({ roots: [root], dataDir: data });
  t0 = performance.now();
  await warm.start();
  const startMs = performance.now() - t0;
  if (warm.pendingHashes !== 0 || warm.files !== FILES) throw new Error(`warm start rehashes ${warm.pendingHashes} of ${warm.files}`);
  console.log(`share.warm_start_100k_ms: ${Math.round(startMs)}`);
  t0 = performance.now();
  await warm.rescan();
  console.log(`share.rescan_100k_ms: ${Math.round(performance.now() - t0)}`);
  t0 = performance.now();
  const hits = warm.search('track 4242', { mode: 'words' }).length;
  if (hits !== 1) throw new Error(`words search found ${hits} files, expected 1`);
  console.log(`share.search_words_100k_ms: ${round(performance.now() - t0)}`);
  t0 = performance.now();
  warm.search('k 4242', { mode: 'substring' });
  console.log(`share.search_substring_100k_ms: ${round(performance.now() - t0)}`);
  await warm.stop();
} finally {
  await rm(dir, { recursive: true, force: true });
}
