import { createHash, type Hash } from 'node:crypto';
import { close, open, read } from 'node:fs';
import { base32Encode } from './base32.js';

/** Napster identifies a file by the md5 of its first 300 KB (OpenNap clients agree on 300,000 bytes). */
export const NAPSTER_MD5_PREFIX_BYTES = 300_000;
/** Read size for hashing: large enough that syscall cost vanishes next to SHA-1. */
export const HASH_CHUNK_BYTES = 1 << 20;

/** The hashes every protocol asks of a shared file (Gnutella/P+2 SHA-1, Napster md5). */
export interface FileHashes {
  /** SHA-1 of the whole file, lower-case hex. */
  sha1: string;
  /** The same SHA-1 in base32, as `urn:sha1:` carries it. */
  sha1Base32: string;
  /** md5 of the first 300,000 bytes, lower-case hex (Napster). */
  md5: string;
  /** Bytes hashed (the file's size at hashing time). */
  size: number;
}

/**
 * Two read buffers for hashFile, reusable from file to file by one caller at a
 * time (a hashing worker), so hashing many small files allocates nothing big.
 */
export class HashBuffers {
  readonly a = Buffer.allocUnsafe(HASH_CHUNK_BYTES);
  readonly b = Buffer.allocUnsafe(HASH_CHUNK_BYTES);
}

/** Options for hashFile. */
export interface HashFileOptions {
  signal?: AbortSignal;
  /** Buffers to read into (one hashFile at a time per HashBuffers); fresh ones otherwise. */
  buffers?: HashBuffers;
  /**
   * The size the scan saw: a short read that reaches it ends the file without
   * another read (one read for a small file). A file that changed since is
   * caught by its size or mtime, as before.
   */
  size?: number;
}

/**
 * Hashes one file in a single pass: SHA-1 of everything and md5 of the Napster
 * prefix. Async reads only, so the event loop stays free, and the next chunk is
 * read while the current one is hashed (issue 9: reads and hashing overlap);
 * `signal` stops it between chunks.
 */
export async function hashFile(path: string, opts: HashFileOptions | AbortSignal = {}): Promise<FileHashes> {
  const o: HashFileOptions = opts instanceof AbortSignal ? { signal: opts } : opts;
  const sha1 = createHash('sha1');
  const md5 = createHash('md5');
  const fd = await openFd(path);
  // A read still in flight when we stop (abort, error) is awaited before the file closes.
  let inflight: Promise<{ bytesRead: number }> | undefined;
  try {
    const bufs = o.buffers ?? new HashBuffers();
    let buf = bufs.a;
    let spare = bufs.b;
    let pos = 0;
    let next: Promise<{ bytesRead: number }> = readAt(fd, buf, 0);
    inflight = next;
    for (;;) {
      const bytesRead: number = (await next).bytesRead;
      inflight = undefined;
      o.signal?.throwIfAborted();
      if (bytesRead === 0) break;
      const end = pos + bytesRead;
      const done = bytesRead < buf.length && end === o.size;
      if (!done) inflight = next = readAt(fd, spare, end);
      update(sha1, md5, buf.subarray(0, bytesRead), pos);
      pos = end;
      if (done) break;
      [buf, spare] = [spare, buf];
    }
    const digest = sha1.digest();
    return { sha1: digest.toString('hex'), sha1Base32: base32Encode(digest), md5: md5.digest('hex'), size: pos };
  } finally {
    await inflight?.catch(() => undefined);
    await closeFd(fd);
  }
}

// Plain fd calls rather than FileHandle: a first scan opens 100,000 small files, and the
// promise API's per-file objects cost more than the hashing (issue 9 profile).
function openFd(path: string): Promise<number> {
  return new Promise((resolve, reject) => open(path, 'r', (err, fd) => (err ? reject(err) : resolve(fd))));
}

function readAt(fd: number, buf: Buffer, position: number): Promise<{ bytesRead: number }> {
  return new Promise((resolve, reject) => read(fd, buf, 0, buf.length, position, (err, bytesRead) => (err ? reject(err) : resolve({ bytesRead }))));
}

function closeFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => close(fd, (err) => (err ? reject(err) : resolve())));
}

function update(sha1: Hash, md5: Hash, chunk: Buffer, pos: number): void {
  sha1.update(chunk);
  if (pos < NAPSTER_MD5_PREFIX_BYTES) md5.update(chunk.subarray(0, Math.min(chunk.length, NAPSTER_MD5_PREFIX_BYTES - pos)));
}
