/**
 * Hashing as a worker thread runs it (share-worker.ts): blocking reads into
 * one reused buffer, so a small file costs one open, one read and one close
 * and no promise, and a large one streams through the same buffer. Blocking
 * is fine here: it blocks the worker, never the event loop.
 */
import { createHash, hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { base32Encode } from './base32.js';
import { HASH_CHUNK_BYTES, NAPSTER_MD5_PREFIX_BYTES, type FileHashes } from './file-hasher.js';

/** Thrown between chunks when the library asked the workers to stop. */
export class HashStopped extends Error {
  constructor() {
    super('hashing stopped');
  }
}

/**
 * Hashes one file: SHA-1 of everything, md5 of the Napster prefix (what
 * hashFile computes). `size` is what the scan saw: a read that reaches it
 * and comes back short ends the file without another read (one read for a
 * small file). `stop[0] !== 0` ends a large file between chunks.
 */
export function hashFileSync(path: string, buf: Buffer, size: number, stop: Int32Array): FileHashes {
  const fd = openSync(path, 'r');
  try {
    const first = readSync(fd, buf, 0, buf.length, 0);
    if (first < buf.length && (first === size || readSync(fd, buf, first, buf.length - first, first) === 0)) {
      // The whole file is in the buffer: one-shot hashes, no hash objects.
      const all = buf.subarray(0, first);
      const digest = hash('sha1', all, 'buffer');
      const md5 = hash('md5', first > NAPSTER_MD5_PREFIX_BYTES ? all.subarray(0, NAPSTER_MD5_PREFIX_BYTES) : all, 'hex');
      return { sha1: digest.toString('hex'), sha1Base32: base32Encode(digest), md5, size: first };
    }
    const sha1 = createHash('sha1');
    const md5 = createHash('md5');
    let pos = 0;
    let n = first;
    while (n > 0) {
      const chunk = buf.subarray(0, n);
      sha1.update(chunk);
      if (pos < NAPSTER_MD5_PREFIX_BYTES) md5.update(chunk.subarray(0, Math.min(n, NAPSTER_MD5_PREFIX_BYTES - pos)));
      pos += n;
      if (Atomics.load(stop, 0) !== 0) throw new HashStopped();
      n = readSync(fd, buf, 0, buf.length, pos);
    }
    const digest = sha1.digest();
    return { sha1: digest.toString('hex'), sha1Base32: base32Encode(digest), md5: md5.digest('hex'), size: pos };
  } finally {
    closeSync(fd);
  }
}

/** A read buffer for hashFileSync, one per worker. */
export function hashBuffer(): Buffer {
  return Buffer.allocUnsafe(HASH_CHUNK_BYTES);
}
