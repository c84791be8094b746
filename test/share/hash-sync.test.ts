import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { base32Encode } from '../../src/share/base32.js';
import { HASH_CHUNK_BYTES, NAPSTER_MD5_PREFIX_BYTES } from '../../src/share/file-hasher.js';
import { hashBuffer, hashFileSync, HashStopped } from '../../src/share/hash-sync.js';
import { tempDir } from './helpers.js';

const running = new Int32Array(1);

describe('hashFileSync (the worker threads hash with it)', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (t = await tempDir()));
  afterEach(() => t.cleanup());

  it('matches crypto with one reused buffer, with the right size, a wrong one, or none', async () => {
    const buf = hashBuffer();
    const sizes = [0, 1, 7, NAPSTER_MD5_PREFIX_BYTES - 1, NAPSTER_MD5_PREFIX_BYTES, NAPSTER_MD5_PREFIX_BYTES + 1, HASH_CHUNK_BYTES - 1, HASH_CHUNK_BYTES, HASH_CHUNK_BYTES + 1, 2 * HASH_CHUNK_BYTES + 5];
    for (const size of sizes) {
      const data = randomBytes(size);
      const p = join(t.dir, `s${size}`);
      await writeFile(p, data);
      const sha1 = createHash('sha1').update(data).digest();
      const md5 = createHash('md5').update(data.subarray(0, NAPSTER_MD5_PREFIX_BYTES)).digest('hex');
      for (const hint of [size, size - 1, size + 1, 0, -1]) {
        const h = hashFileSync(p, buf, hint, running);
        expect({ file: size, hint, ...h }).toEqual({ file: size, hint, sha1: sha1.toString('hex'), sha1Base32: base32Encode(sha1), md5, size });
      }
    }
  });

  it('stops a large file between chunks when asked', async () => {
    const p = join(t.dir, 'big');
    await writeFile(p, randomBytes(3 * HASH_CHUNK_BYTES));
    expect(() => hashFileSync(p, hashBuffer(), 3 * HASH_CHUNK_BYTES, new Int32Array([1]))).toThrow(HashStopped);
  });

  it('throws for a missing file', () => {
    expect(() => hashFileSync(join(t.dir, 'none'), hashBuffer(), 1, running)).toThrow(/ENOENT/);
  });
});
