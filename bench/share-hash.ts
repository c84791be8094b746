/**
 * SHA-1 of a large file from the page cache (issue 9 target: >= 0.9 x
 * `openssl dgst -sha1` on the same file, in the same run). Ours is the share
 * library hashing a share that holds that one file, from start() to
 * whenHashed(): the scan, the worker thread's reads and hashes (SHA-1 + the
 * Napster md5 prefix), and the results taken back, as a first scan runs it.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShareLibrary } from '../src/share/share-library.js';
import { MB, hasTool, run, warm, writeBigFile } from './lib-bench-files.js';
import { compare, ratioTarget, report, skip } from './lib-measure.js';

const FILE_BYTES = Number(process.env.HASH_FILE_MB ?? 1024) * MB;
const TITLE = `SHA-1 of a ${FILE_BYTES / MB} MiB file, page cache, by the share library`;

if (!hasTool('openssl', ['version'])) {
  skip('share.hash', TITLE, 'openssl not installed');
} else {
  const dir = await mkdtemp(join(tmpdir(), 'peerdeck-bench-hash-'));
  try {
    const file = join(dir, 'share', 'big.bin');
    await mkdir(join(dir, 'share'));
    await writeBigFile(file, FILE_BYTES);
    await warm(file);
    // No data dir: nothing is cached between rounds, every round hashes the whole file.
    const hashShare = async (): Promise<string> => {
      const lib = new ShareLibrary({ roots: [join(dir, 'share')] });
      try {
        await lib.start();
        await lib.whenHashed();
        const sha1 = lib.byName('big.bin')?.sha1;
        if (sha1 === undefined) throw new Error('the share library did not hash the file');
        return sha1;
      } finally {
        await lib.stop();
      }
    };
    const expected = await hashShare();
    const rate = (ms: number): number => FILE_BYTES / MB / (ms / 1000);
    const r = await compare(
      async () => {
        const t0 = performance.now();
        await hashShare();
        return rate(performance.now() - t0);
      },
      async () => {
        const t0 = performance.now();
        const out = await run('openssl', ['dgst', '-sha1', file]);
        const ms = performance.now() - t0;
        if (!out.includes(expected)) throw new Error(`openssl and peerdeck disagree: ${out.trim()} vs ${expected}`);
        return rate(ms);
      },
    );
    report({
      name: 'share.hash',
      title: TITLE,
      unit: 'MB/s',
      better: 'higher',
      ours: r.ours,
      reference: { label: 'openssl dgst -sha1', stats: r.reference! },
      target: ratioTarget(0.9, r.ours, r.reference!, 'higher'),
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
