import { execFileSync } from 'node:child_process';
import { lstatSync, statSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_SCAN_DEPTH } from '../../src/share/scanner.js';
import { FIRST_PART_FILES, NOT_STATED, walkRoots } from '../../src/share/walk-sync.js';
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

  it('lists the same files in the same order with the same skips when it takes types from readdir (a first scan), stat\'ing only symlinks', async () => {
    const root = join(t.dir, 'share');
    const other = join(t.dir, 'outside');
    await mkdir(join(root, 'a', 'b'), { recursive: true });
    await mkdir(other);
    await writeFile(join(other, 'secret'), 'not shared');
    for (const f of ['a/one', 'a/b/two', 'top', '.hidden', 'half.part', 'a/b/.dotted']) await writeFile(join(root, f), f);
    await mkdir(join(root, '.hidden-dir'));
    await writeFile(join(root, '.hidden-dir', 'inside'), 'x');
    execFileSync('mkfifo', [join(root, 'fifo')]);
    await symlink(join(root, 'top'), join(root, 'a', 'link-in'));
    await symlink(join(other, 'secret'), join(root, 'link-out'));
    await symlink(join(root, 'a'), join(root, 'link-dir'));
    await symlink(join(root, 'nowhere'), join(root, 'dangling'));
    let deep = root;
    for (let d = 0; d <= MAX_SCAN_DEPTH + 1; d++) {
      deep = join(deep, `d${d}`);
      await mkdir(deep);
      await writeFile(join(deep, 'f'), `${d}`);
    }
    const walk = (list: boolean, maxFiles = 1_000_000): { end: object; parts: ScanPart[] } => {
      const parts: ScanPart[] = [];
      const end = walkRoots([root, join(root, 'a')], maxFiles, (p) => parts.push(p), undefined, 3, list);
      return { end, parts };
    };
    const files = (parts: ScanPart[]): string[] => parts.flatMap((p) => (p.paths === '' ? [] : p.paths.split(NAME_SEPARATOR)));
    const stated = walk(false);
    const listed = walk(true);
    expect(listed.end).toEqual(stated.end);
    // .hidden, .hidden-dir, .dotted, half.part, the FIFO, link-out, link-dir, dangling, the folder past MAX_SCAN_DEPTH
    expect(stated.end).toEqual({ files: MAX_SCAN_DEPTH + 4, skipped: 9, truncated: false });
    expect(files(listed.parts)).toEqual(files(stated.parts));
    expect(files(listed.parts)).toContain(join(root, 'a', 'link-in'));
    expect(files(listed.parts)).not.toContain(join(root, 'link-out'));
    expect(listed.parts.map((p) => [p.firstDir, p.dirPaths, p.dirRels, [...p.dirRoots], [...p.fileDir]])).toEqual(
      stated.parts.map((p) => [p.firstDir, p.dirPaths, p.dirRels, [...p.dirRoots], [...p.fileDir]]),
    );
    // Regular files come unstat'ed; a symlinked file comes with its target's numbers, as the stat walk gives them.
    for (const p of listed.parts) {
      p.paths.split(NAME_SEPARATOR).forEach((path, i) => {
        if (path === '') return;
        if (!lstatSync(path).isSymbolicLink()) expect(p.sizes[i]).toBe(NOT_STATED);
        else {
          const st = statSync(path);
          expect([p.sizes[i], p.mtimes[i], p.inos[i]]).toEqual([st.size, st.mtimeMs, st.ino]);
        }
      });
    }
    // The cap counts and skips the same way.
    expect(walk(true, 4).end).toEqual(walk(false, 4).end);
    expect(files(walk(true, 4).parts)).toEqual(files(walk(false, 4).parts));
  });
});
