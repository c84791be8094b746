import { execFileSync } from 'node:child_process';
import { lstatSync, type Stats } from 'node:fs';
import { mkdir, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as fields from '../../src/share/lstat-fields.js';
import { walkRoots } from '../../src/share/walk-sync.js';
import { NAME_SEPARATOR, type ScanPart } from '../../src/share/worker-messages.js';
import { tempDir } from './helpers.js';

type Fields = typeof fields;

/** What lstatInto must give for a Stats. */
function expected(m: Fields, st: Stats): fields.LstatOut {
  const kind = st.isFile() ? m.KIND_FILE : st.isDirectory() ? m.KIND_DIR : st.isSymbolicLink() ? m.KIND_SYMLINK : m.KIND_OTHER;
  return { kind, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino };
}

/** A file, a folder, a symlink, a FIFO, with odd sizes and fractional mtimes. */
async function oddTree(dir: string): Promise<string[]> {
  const paths: string[] = [];
  for (let i = 0; i < 20; i++) {
    const p = join(dir, `f${i}`);
    await writeFile(p, 'x'.repeat(i * 37));
    // Fractional seconds, far past and far future: the mtime must match lstatSync's to the last bit.
    await utimes(p, 1_000 + i, 1_764_484_000.123456 + i * 86_400_123.987654);
    paths.push(p);
  }
  await mkdir(join(dir, 'sub'));
  paths.push(join(dir, 'sub'));
  await symlink('f1', join(dir, 'link'));
  paths.push(join(dir, 'link'));
  try {
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    paths.push(join(dir, 'fifo'));
  } catch {
    // no mkfifo: the other kinds still run
  }
  return paths;
}

function check(m: Fields, paths: readonly string[], missing: string): void {
  const out = m.lstatOut();
  for (const p of paths) {
    expect(m.lstatInto(p, out), p).toBe(true);
    expect({ ...out }, p).toEqual(expected(m, lstatSync(p)));
  }
  expect(m.lstatInto(missing, out)).toBe(false);
  // Any error but a missing entry is thrown, as lstatSync throws it.
  expect(() => m.lstatInto(join(paths[0]!, 'under-a-file'), out)).toThrow(/ENOTDIR/);
}

/** lstat-fields.ts loaded afresh while `process.binding` is `binding` (put back afterwards). */
async function loadWithBinding(binding: ((name: string) => unknown) | undefined): Promise<Fields> {
  const saved = Object.getOwnPropertyDescriptor(process, 'binding');
  try {
    (process as unknown as { binding?: unknown }).binding = binding;
    vi.resetModules();
    return await import('../../src/share/lstat-fields.js');
  } finally {
    if (saved) Object.defineProperty(process, 'binding', saved);
    vi.resetModules();
  }
}

describe('lstatInto (the walk\'s lstat without a Stats object)', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (t = await tempDir()));
  afterEach(() => t.cleanup());

  it('reads Node 20\'s binding and gives lstatSync\'s type, size, mtime and inode', async () => {
    expect(fields.LSTAT_BINDING).toBe(true);
    check(fields, await oddTree(t.dir), join(t.dir, 'missing'));
  });

  it('on a Node without process.binding falls back to lstatSync with the same answers', async () => {
    const m = await loadWithBinding(undefined);
    expect(m.LSTAT_BINDING).toBe(false);
    check(m, await oddTree(t.dir), join(t.dir, 'missing'));
  });

  it('falls back when the binding answers otherwise than lstatSync', async () => {
    // A binding whose numbers are laid out differently (here: all zero).
    const m = await loadWithBinding((name: string) => (name === 'fs' ? { lstat: () => new Float64Array(36) } : undefined));
    expect(m.LSTAT_BINDING).toBe(false);
    check(m, await oddTree(t.dir), join(t.dir, 'missing'));
  });

  it('does not try the binding on a Node whose lstatSync passes an error context instead of throwIfNoEntry', () => {
    // Node 20.20's lstatSync (and 22+, where the path is validated inline).
    const current = `function lstatSync(path, options = { bigint: false, throwIfNoEntry: true }) {
  path = getValidatedPath(path);
  const stats = binding.lstat(
    pathModule.toNamespacedPath(path),
    options.bigint,
    undefined,
    options.throwIfNoEntry,
  );
  if (stats === undefined) {
    return;
  }
  return getStatsFromBinding(stats);
}`;
    const inline = 'function lstatSync(path, options = kEmptyObject) { const stats = binding.lstat(getValidatedPath(path), options.bigint, undefined, options.throwIfNoEntry); }';
    // Node 20.0's: the binding writes a failure into ctx.
    const older = `function lstatSync(path, options = { bigint: false, throwIfNoEntry: true }) {
  path = getValidatedPath(path);
  const ctx = { path };
  const stats = binding.lstat(pathModule.toNamespacedPath(path),
                              options.bigint, undefined, ctx);
  if (options.throwIfNoEntry === false && hasNoEntryError(ctx)) {
    return undefined;
  }
  handleErrorFromBinding(ctx);
  return getStatsFromBinding(stats);
}`;
    expect(fields.passesThrowIfNoEntry(current)).toBe(true);
    expect(fields.passesThrowIfNoEntry(inline)).toBe(true);
    expect(fields.passesThrowIfNoEntry(older)).toBe(false);
    expect(fields.passesThrowIfNoEntry('function lstatSync() { [native code] }')).toBe(false);
    expect(fields.passesThrowIfNoEntry(lstatSync.toString())).toBe(fields.LSTAT_BINDING);
  });

  it('a walk skips a file it cannot stat (a path too long) and goes on', async () => {
    // Folders nested until a file's full path passes PATH_MAX (4096): the folder can be listed, its
    // file not stat'ed by its full path. The file is made through a short symlink outside the share.
    const root = join(t.dir, 'share');
    let deep = root;
    for (let i = 0; deep.length < 3_900; i++) deep = join(deep, `${i}`.padEnd(200, 'd'));
    await mkdir(deep, { recursive: true });
    await symlink(deep, join(t.dir, 'short'));
    const long = 'f'.repeat(250);
    await writeFile(join(t.dir, 'short', long), 'deep');
    await writeFile(join(t.dir, 'short', 'ok'), 'ok');
    await writeFile(join(root, 'top'), 'top');
    try {
      expect(join(deep, long).length).toBeGreaterThan(4096);
      const parts: ScanPart[] = [];
      const end = walkRoots([root], 1_000, (p) => parts.push(p));
      const paths = parts.flatMap((p) => (p.paths === '' ? [] : p.paths.split(NAME_SEPARATOR)));
      expect(paths.sort()).toEqual([join(deep, 'ok'), join(root, 'top')].sort());
      expect(end).toMatchObject({ files: 2, skipped: 1, truncated: false });
    } finally {
      await unlink(join(t.dir, 'short', long)); // rm cannot reach it by its full path either
    }
  });
});
