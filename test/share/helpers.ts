import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CacheRow } from '../../src/share/hash-cache.js';

/** A fresh temp dir per test, removed by the returned cleanup. */
export async function tempDir(prefix = 'peerdeck-share-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Hash cache row number `i` at `path`: a size and inode past 2^32, a fractional
 * mtime, and hashes that differ row by row (what the cache encoders must keep exactly).
 */
export function cacheRow(i: number, path: string): CacheRow {
  return {
    path,
    size: i * 1_000_003,
    mtimeMs: 1_764_484_000_123.457 + i / 7,
    // Most rows' ctime is their mtime (written `=`); every third one's is not.
    ctimeMs: i % 3 === 0 ? 1_764_484_000_123.457 + i / 7 + 0.25 : 1_764_484_000_123.457 + i / 7,
    ino: 2 ** 40 + i,
    sha1: i.toString(16).padStart(40, 'f'),
    md5: i.toString(16).padStart(32, 'e'),
  };
}
