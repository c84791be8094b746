/**
 * `/get` of a file already downloaded (README "Downloads"): the decision (pure), the names an
 * earlier download may have been saved under, and the search of a real download folder.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareCopy, findLocalCopy, variantsOf } from '../../src/transfer/local-copy.js';
import { nameVariant } from '../../src/transfer/file-name.js';
import { tempDir } from '../share/helpers.js';

const sha1 = (b: Buffer | string): string => createHash('sha1').update(b).digest('hex');

describe('compareCopy', () => {
  it('same by size and SHA-1, by size alone without a SHA-1; unknown with neither; differs on either', () => {
    expect(compareCopy({ size: 3, sha1: 'a'.repeat(40) }, { size: 4 })).toBe('differs');
    expect(compareCopy({ size: 3, sha1: 'a'.repeat(40) }, { size: 3 })).toBe('needsHash');
    expect(compareCopy({ size: 3, sha1: 'a'.repeat(40) }, { size: 3, sha1: 'A'.repeat(40) })).toBe('same');
    expect(compareCopy({ size: 3, sha1: 'a'.repeat(40) }, { size: 3, sha1: 'b'.repeat(40) })).toBe('differs');
    expect(compareCopy({ size: null, sha1: 'a'.repeat(40) }, { size: 9, sha1: 'a'.repeat(40) })).toBe('same');
    expect(compareCopy({ size: 3 }, { size: 3 })).toBe('same');
    expect(compareCopy({ size: 3 }, { size: 2 })).toBe('differs');
    expect(compareCopy({ size: null }, { size: 2 })).toBe('unknown');
  });

  it('never calls a file of another size the same (property)', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.option(fc.stringMatching(/^[0-9a-f]{40}$/), { nil: undefined }), (want, have, h) => {
        fc.pre(want !== have);
        expect(compareCopy({ size: want, ...(h ? { sha1: h } : {}) }, { size: have, ...(h ? { sha1: h } : {}) })).toBe('differs');
      }),
    );
  });
});

describe('variantsOf', () => {
  it('finds the names a download of `name` takes, in order, and nothing else', () => {
    const entries = ['song (2).mp3', 'song.mp3', 'song (1).mp3', 'song (x).mp3', 'song (01).mp3', 'song.mp3.part', 'other.mp3', 'song (1).ogg'];
    expect(variantsOf('song.mp3', entries)).toEqual(['song.mp3', 'song (1).mp3', 'song (2).mp3']);
    expect(variantsOf('README', ['README (1)', 'README', 'README.md'])).toEqual(['README', 'README (1)']);
  });

  it('is exactly the names nameVariant gives (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{1,6}(\.[a-z]{1,3})?$/), fc.uniqueArray(fc.integer({ min: 0, max: 50 }), { maxLength: 6 }), (name, ns) => {
        const entries = ns.map((n) => nameVariant(name, n));
        expect(variantsOf(name, [...entries, `${name}.part`, `x${name}`])).toEqual([...ns].sort((a, b) => a - b).map((n) => nameVariant(name, n)));
      }),
    );
  });
});

describe('findLocalCopy in a real folder', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    t = await tempDir('peerdeck-local-copy-');
  });
  afterEach(async () => t.cleanup());

  it('finds the same file under its name or a variant, hashing it; skips files that differ', async () => {
    const data = randomBytes(3000);
    const dir = join(t.dir, 'dl');
    expect(await findLocalCopy(dir, { name: 'a.bin', size: 3000, sha1: sha1(data) })).toBeUndefined(); // no folder yet
    await mkdir(dir);
    await writeFile(join(dir, 'a.bin'), randomBytes(3000)); // same name and size, other bytes
    await writeFile(join(dir, 'a (1).bin'), data.subarray(0, 100)); // shorter
    expect(await findLocalCopy(dir, { name: 'a.bin', size: 3000, sha1: sha1(data) })).toBeUndefined();
    await writeFile(join(dir, 'a (2).bin'), data);
    expect(await findLocalCopy(dir, { name: 'a.bin', size: 3000, sha1: sha1(data) })).toEqual({ path: join(dir, 'a (2).bin'), how: 'same', by: 'size and SHA-1' });
    // A remote name is made safe first, as the download would save it.
    expect(await findLocalCopy(dir, { name: 'x/y/a.bin', size: 3000, sha1: sha1(data) })).toMatchObject({ path: join(dir, 'a (2).bin') });
    // Without a SHA-1 the size decides; without either, the name is all there is.
    expect(await findLocalCopy(dir, { name: 'a.bin', size: 100 })).toEqual({ path: join(dir, 'a (1).bin'), how: 'same', by: 'size' });
    expect(await findLocalCopy(dir, { name: 'a.bin', size: null })).toEqual({ path: join(dir, 'a.bin'), how: 'name' });
    // A folder of that name is no file.
    await mkdir(join(dir, 'b.bin'));
    expect(await findLocalCopy(dir, { name: 'b.bin', size: null })).toBeUndefined();
  });
});
