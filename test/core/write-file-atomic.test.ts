import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/paths.js';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'peerdeck-atomic-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes a string, a buffer, or pieces (empty ones, more than one writev takes) as the same bytes, mode 0600, no temp file left', async () => {
    const file = join(dir, 'state.txt');
    await writeFile(file, 'old content');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 40 }), fc.constantFrom(1, 3, 700), async (pieces, repeat) => {
        const all = Array.from({ length: repeat }, () => pieces).flat();
        const whole = Buffer.concat(all);
        await writeFileAtomic(file, all);
        expect((await readFile(file)).equals(whole)).toBe(true);
        await writeFileAtomic(file, whole);
        expect((await readFile(file)).equals(whole)).toBe(true);
      }),
      { numRuns: 40 },
    );
    await writeFileAtomic(file, 'héllo\n');
    expect(await readFile(file, 'utf8')).toBe('héllo\n');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['state.txt']);
  });

  it('rejects when the folder is missing, and replaces a file that is there', async () => {
    const file = join(dir, 'missing-dir', 'state.txt');
    await expect(writeFileAtomic(file, [Buffer.from('x')])).rejects.toThrow(/ENOENT/);
    const kept = join(dir, 'kept.txt');
    await writeFile(kept, 'old');
    await expect(writeFileAtomic(kept, [Buffer.from('ne'), Buffer.from('w')])).resolves.toBeUndefined();
    expect(await readFile(kept, 'utf8')).toBe('new');
  });
});
