/**
 * Hashing as a worker thread runs it (share-worker.ts): blocking reads into
 * one reused buffer, so a small file costs one open, one read and one close
 * and no promise, and a large one streams through the same buffer; a batch
 * writes its records straight into one buffer. Blocking
 * is fine here: it blocks the worker, never the event loop.
 */
import { createHash, hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { base32Encode } from './base32.js';
import { HASH_CHUNK_BYTES, NAPSTER_MD5_PREFIX_BYTES, type FileHashes } from './file-hasher.js';
import { HASH_RECORD_CHARS, SHA1_HEX_CHARS } from './worker-messages.js';

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
  const record = Buffer.allocUnsafe(HASH_RECORD_CHARS);
  const hashed = hashFileRecord(path, buf, size, stop, record, 0);
  const sha1 = record.toString('latin1', 0, SHA1_HEX_CHARS);
  return { sha1, md5: record.toString('latin1', SHA1_HEX_CHARS, HASH_RECORD_CHARS), sha1Base32: base32Encode(Buffer.from(sha1, 'hex')), size: hashed };
}

/**
 * hashFileSync for a batch: writes the file's record (SHA-1 hex, md5 hex:
 * HASH_RECORD_CHARS ASCII bytes) into `out` at `at` and
 * returns the bytes hashed. No string or object per file (issue 9: a first
 * scan hashes 100,000 small files).
 */
export function hashFileRecord(path: string, buf: Buffer, size: number, stop: Int32Array, out: Buffer, at: number): number {
  const fd = openSync(path, 'r');
  try {
    const first = readSync(fd, buf, 0, buf.length, 0);
    if (first < buf.length && (first === size || readSync(fd, buf, first, buf.length - first, first) === 0)) {
      // The whole file is in the buffer: one-shot hashes, no hash objects.
      const all = buf.subarray(0, first);
      writeRecord(hash('sha1', all, 'binary'), hash('md5', first > NAPSTER_MD5_PREFIX_BYTES ? all.subarray(0, NAPSTER_MD5_PREFIX_BYTES) : all, 'binary'), out, at);
      return first;
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
    writeRecord(sha1.digest('binary'), md5.digest('binary'), out, at);
    return pos;
  } finally {
    closeSync(fd);
  }
}

const HEX = Buffer.from('0123456789abcdef', 'latin1');

/**
 * SHA-1 hex and md5 hex as ASCII bytes at out[at], from the
 * digests as 'binary' (latin1) strings (one character per byte: a digest as a Buffer
 * costs an allocation outside the heap, twice the time of the hash itself
 * for a small file).
 */
export function writeRecord(sha1: string, md5: string, out: Buffer, at: number): void {
  let o = at;
  for (let i = 0; i < sha1.length; i++) {
    const b = sha1.charCodeAt(i);
    out[o++] = HEX[b >> 4]!;
    out[o++] = HEX[b & 15]!;
  }
  for (let i = 0; i < md5.length; i++) {
    const b = md5.charCodeAt(i);
    out[o++] = HEX[b >> 4]!;
    out[o++] = HEX[b & 15]!;
  }
}

/** A read buffer for hashFileSync, one per worker. */
export function hashBuffer(): Buffer {
  return Buffer.allocUnsafe(HASH_CHUNK_BYTES);
}
