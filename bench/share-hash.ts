/**
 * Hashing speed of the share library's hasher (SHA-1 + Napster md5 prefix)
 * against `sha1sum` on the same files, both from the page cache
 * (issue 4 target: >= 80% of sha1sum).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashFile } from '../src/share/file-hasher.js';
import { MB, hasTool, round, run, warm, writeBigFile } from './lib-bench-files.js';

const FILES = 4;
const FILE_BYTES = Number(process.env.HASH_FILE_MB ?? 128) * MB;
const ROUNDS = 3;

const dir = await mkdtemp(join(tmpdir(), 'peerdeck-bench-hash-'));
try {
  const files = Array.from({ length: FILES }, (_, i) => join(dir, `f${i}.bin`));
  for (const f of files) await writeBigFile(f, FILE_BYTES);
  for (const f of files) await warm(f);
  const total = FILES * FILE_BYTES;

  let ours = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (const f of files) await hashFile(f);
    ours = Math.max(ours, total / MB / ((performance.now() - t0) / 1000));
  }
  console.log(`share.hash_mb_s: ${round(ours)}`);

  if (!hasTool('sha1sum')) {
    console.log('share.sha1sum_mb_s: skipped (sha1sum not installed)');
  } else {
    let theirs = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const t0 = performance.now();
      await run('sha1sum', files);
      theirs = Math.max(theirs, total / MB / ((performance.now() - t0) / 1000));
    }
    console.log(`share.sha1sum_mb_s: ${round(theirs)}`);
    console.log(`share.hash_vs_sha1sum_pct: ${round((ours / theirs) * 100)}`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
