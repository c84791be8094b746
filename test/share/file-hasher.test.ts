import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { base32Encode } from '../../src/share/base32.js';
import { NAPSTER_MD5_PREFIX_BYTES, hashFile } from '../../src/share/file-hasher.js';
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

  it('stops when aborted', async () => {
    const p = join(t.dir, 'big');
    await writeFile(p, randomBytes(3 << 20));
    const ac = new AbortController();
    ac.abort();
    await expect(hashFile(p, ac.signal)).rejects.toThrow();
  });
});
