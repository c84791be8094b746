import { lstatSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FIRST_PART_FILES, walkRoots } from '../../src/share/walk-sync.js';
import { NAME_SEPARATOR, type ScanPart } from '../../src/share/worker-messages.js';
import { tempDir } from './helpers.js';

describe('walkRoots (the walking worker runs it)', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (t = await tempDir()));
  afterEach(() => t.cleanup());

  it('sends small parts first, then twice as large up to the part size, with every file once and its own stat', async () => {
    const root = join(t.dir, 'share');
    const perDir = 700;
    const total = 5 * perDir;
    for (let d = 0; d < 5; d++) {
      await mkdir(join(root, `d${d}`), { recursive: true });
      await Promise.all(Array.from({ length: perDir }, (_, i) => writeFile(join(root, `d${d}`, `f${i}`), 'x'.repeat(i % 13))));
    }
    const parts: ScanPart[] = [];
    const end = walkRoots([root], 1_000_000, (p) => parts.push(p), undefined, 1500);
    expect(end).toEqual({ files: total, skipped: 0, truncated: false });
    const sizes = parts.map((p) => p.sizes.length);
    expect(sizes).toEqual([FIRST_PART_FILES, 2 * FIRST_PART_FILES, 1500, total - 1500 - 3 * FIRST_PART_FILES]);
    const dirPaths: string[] = [];
    const seen = new Set<string>();
    for (const p of parts) {
      expect(p.firstDir).toBe(dirPaths.length);
      dirPaths.push(...p.dirPaths);
      const paths = p.paths.split(NAME_SEPARATOR);
      for (const a of [p.mtimes, p.inos, p.fileDir]) expect(a.length).toBe(paths.length);
      paths.forEach((path, i) => {
        const st = lstatSync(path);
        expect([p.sizes[i], p.mtimes[i], p.inos[i]]).toEqual([st.size, st.mtimeMs, st.ino]);
        expect(path.startsWith(dirPaths[p.fileDir[i]!]! + '/')).toBe(true);
        seen.add(path);
      });
    }
    expect(seen.size).toBe(total);
  });

  it('stops at the cap, counting the rest as skipped', async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => writeFile(join(t.dir, `f${i}`), 'x')));
    const parts: ScanPart[] = [];
    const end = walkRoots([t.dir], 25, (p) => parts.push(p), undefined, 8);
    expect(end).toEqual({ files: 25, skipped: 15, truncated: true });
    expect(parts.map((p) => p.sizes.length)).toEqual([8, 8, 8, 1]);
    // A part size below one still sends every file, one a part.
    const ones: ScanPart[] = [];
    walkRoots([t.dir], 5, (p) => ones.push(p), undefined, 0);
    expect(ones.map((p) => [p.sizes.length, p.paths.split(NAME_SEPARATOR).length])).toEqual(Array(5).fill([1, 1]));
  });
});
