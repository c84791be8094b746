import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { base32Encode } from './base32.js';

/** Napster identifies a file by the md5 of its first 300 KB (OpenNap clients agree on 300,000 bytes). */
export const NAPSTER_MD5_PREFIX_BYTES = 300_000;
/** Read size for hashing: large enough that syscall cost vanishes next to SHA-1. */
const HASH_CHUNK_BYTES = 1 << 20;

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
 * Hashes one file in a single pass with one reused buffer: SHA-1 of everything
 * and md5 of the Napster prefix. Async reads only, so the event loop stays free;
 * `signal` stops it between chunks.
 */
export async function hashFile(path: string, signal?: AbortSignal): Promise<FileHashes> {
  const sha1 = createHash('sha1');
  const md5 = createHash('md5');
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(HASH_CHUNK_BYTES);
    let pos = 0;
    for (;;) {
      signal?.throwIfAborted();
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      sha1.update(chunk);
      if (pos < NAPSTER_MD5_PREFIX_BYTES) {
        md5.update(chunk.subarray(0, Math.min(bytesRead, NAPSTER_MD5_PREFIX_BYTES - pos)));
      }
      pos += bytesRead;
    }
    const digest = sha1.digest();
    return { sha1: digest.toString('hex'), sha1Base32: base32Encode(digest), md5: md5.digest('hex'), size: pos };
  } finally {
    await fh.close();
  }
}
