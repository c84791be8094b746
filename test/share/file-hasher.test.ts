import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { base32Encode } from '../../src/share/base32.js';
import { HASH_CHUNK_BYTES, HashBuffers, NAPSTER_MD5_PREFIX_BYTES, hashFile } from '../../src/share/file-hasher.js';
import { tempDir } from './helpers.js';

describe('hashFile', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (t = await tempDir()));
  afterEach(() => t.cleanup());

  for (const size of [0, 1, NAPSTER_MD5_PREFIX_BYTES - 1, NAPSTER_MD5_PREFIX_BYTES, (1 << 20) + 12345, 3 * (1 << 20)]) {
    it(`matches crypto on a ${size}-byte file`, async () => {
      const data = randomBytes(size);
      const p = join(t.dir, 'f');
      await writeFile(p, data);
      const h = await hashFile(p);
      const sha1 = createHash('sha1').update(data).digest();
      expect(h.sha1).toBe(sha1.toString('hex'));
      expect(h.sha1Base32).toBe(base32Encode(sha1));
      expect(h.md5).toBe(createHash('md5').update(data.subarray(0, NAPSTER_MD5_PREFIX_BYTES)).digest('hex'));
      expect(h.size).toBe(size);
    });
  }

  it('gives the same hashes with reused buffers and a size hint, also when the hint is wrong', async () => {
    const buffers = new HashBuffers();
    const sizes = [0, 1, 7, HASH_CHUNK_BYTES - 1, HASH_CHUNK_BYTES, HASH_CHUNK_BYTES + 1, 2 * HASH_CHUNK_BYTES + 5];
    for (const size of sizes) {
      const data = randomBytes(size);
      const p = join(t.dir, `s${size}`);
      await writeFile(p, data);
      const want = createHash('sha1').update(data).digest('hex');
      for (const hint of [undefined, size, size - 1, size + 1, 0]) {
        const h = await hashFile(p, { buffers, ...(hint === undefined ? {} : { size: hint }) });
        expect({ size, hint, sha1: h.sha1, bytes: h.size }).toEqual({ size, hint, sha1: want, bytes: size });
      }
    }
  });

  it('stops when aborted', async () => {
    const p = join(t.dir, 'big');
    await writeFile(p, randomBytes(3 << 20));
    const ac = new AbortController();
    ac.abort();
    await expect(hashFile(p, ac.signal)).rejects.toThrow();
  });
});
