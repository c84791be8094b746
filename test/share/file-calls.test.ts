import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as calls from '../../src/share/file-calls.js';
import { tempDir } from './helpers.js';

type Calls = typeof calls;

/** The flags stat-hash-sync.ts opens with, and plain read-only. */
const FLAGS = [constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK, constants.O_RDONLY];

/** Files of odd sizes (empty, one byte, more than the read buffer), a folder, a symlink, a FIFO, a missing name, names with odd bytes. */
async function oddTree(dir: string): Promise<string[]> {
  const paths: string[] = [];
  for (const [name, size] of [['empty', 0], ['one', 1], ['small', 37], ['large', 70_000], ['ünïcødé\u0001 ☃', 5], ['new\nline', 3]] as const) {
    const p = join(dir, name);
    await writeFile(p, Buffer.from(Array.from({ length: size }, (_, i) => (i * 31 + name.length) & 255)));
    paths.push(p);
  }
  await mkdir(join(dir, 'sub'));
  paths.push(join(dir, 'sub'));
  await symlink('small', join(dir, 'link'));
  paths.push(join(dir, 'link'));
  try {
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    paths.push(join(dir, 'fifo'));
  } catch {
    // no mkfifo: the other kinds still run
  }
  paths.push(join(dir, 'missing'), join(dir, 'small', 'under-a-file'), join(dir, 'nul\0name'));
  return paths;
}

/** What opening `path` and reading it from `position` gives: the bytes, or the error's code at the step that failed. */
function outcome(open: (p: string, f: number) => number, read: (fd: number, b: Uint8Array, o: number, l: number, p: number) => number, close: (fd: number) => void, path: string, flags: number, position: number): string {
  let fd: number;
  try {
    fd = open(path, flags);
  } catch (err) {
    return `open: ${(err as NodeJS.ErrnoException).code}`;
  }
  try {
    const buf = Buffer.alloc(65_536);
    const n = read(fd, buf, 3, buf.length - 3, position);
    return `read ${n}: ${buf.subarray(3, 3 + n).toString('hex')}`;
  } catch (err) {
    return `read: ${(err as NodeJS.ErrnoException).code}`;
  } finally {
    close(fd);
  }
}

function check(m: Calls, paths: readonly string[]): void {
  for (const p of paths) {
    // A FIFO opened without O_NONBLOCK would wait for a writer.
    for (const flags of p.endsWith('fifo') ? FLAGS.slice(0, 1) : FLAGS) {
      for (const position of [0, 1, 65_536]) {
        const want = outcome(openSync, readSync, closeSync, p, flags, position);
        expect(outcome(m.openFile, m.readAt, m.closeFile, p, flags, position), `${p} ${flags} ${position}`).toBe(want);
      }
    }
  }
  // A descriptor closed twice fails the second time, as closeSync does.
  const fd = m.openFile(paths[0]!, constants.O_RDONLY);
  m.closeFile(fd);
  expect(() => m.closeFile(fd)).toThrow(/EBADF/);
}

/** file-calls.ts loaded afresh while `process.binding` is `binding` (put back afterwards). */
async function loadWithBinding(binding: ((name: string) => unknown) | undefined): Promise<Calls> {
  const saved = Object.getOwnPropertyDescriptor(process, 'binding');
  try {
    (process as unknown as { binding?: unknown }).binding = binding;
    vi.resetModules();
    return await import('../../src/share/file-calls.js');
  } finally {
    if (saved) Object.defineProperty(process, 'binding', saved);
    vi.resetModules();
  }
}

describe('openFile, readAt, closeFile (a first scan\'s calls per file in a share worker)', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (t = await tempDir()));
  afterEach(() => t.cleanup());

  it('call Node 20\'s binding and give openSync\'s, readSync\'s and closeSync\'s answers and errors', async () => {
    expect(calls.FILE_CALLS_BINDING).toBe(true);
    check(calls, await oddTree(t.dir));
  });

  it('on a Node without process.binding fall back to the public calls with the same answers', async () => {
    const m = await loadWithBinding(undefined);
    expect(m.FILE_CALLS_BINDING).toBe(false);
    check(m, await oddTree(t.dir));
  });

  it('fall back when the binding reads otherwise than readFileSync', async () => {
    const real = (process as unknown as { binding: (name: string) => Record<string, (...a: unknown[]) => unknown> }).binding('fs');
    // A binding whose reads come back empty.
    const m = await loadWithBinding((name: string) => (name === 'fs' ? { open: real.open, close: real.close, read: () => 0 } : undefined));
    expect(m.FILE_CALLS_BINDING).toBe(false);
    check(m, await oddTree(t.dir));
  });

  it('do not try the binding unless the public calls hand their arguments straight to it', () => {
    // Node 20.20's openSync, readSync (its end) and closeSync.
    const open = `function openSync(path, flags, mode) {
  path = getValidatedPath(path);

  return binding.open(
    pathModule.toNamespacedPath(path),
    stringToFlags(flags),
    parseFileMode(mode, 'mode', 0o666),
  );
}`;
    const read = 'function readSync(fd, buffer, offsetOrOptions, length, position) {\n  validatePosition(position, \'position\');\n\n  return binding.read(fd, buffer, offset, length, position);\n}';
    const close = 'function closeSync(fd) {\n  binding.close(fd);\n}';
    expect(calls.handsOnToBinding(open, read, close)).toBe(true);
    // Node 20.0's: the binding writes a failure into ctx, which the caller then throws.
    const olderOpen = `function openSync(path, flags, mode) {
  path = getValidatedPath(path);
  const flagsNumber = stringToFlags(flags);
  mode = parseFileMode(mode, 'mode', 0o666);

  const ctx = { path };
  const result = binding.open(pathModule.toNamespacedPath(path),
                              flagsNumber, mode,
                              undefined, ctx);
  handleErrorFromBinding(ctx);
  return result;
}`;
    const olderClose = 'function closeSync(fd) {\n  fd = getValidatedFd(fd);\n\n  const ctx = {};\n  binding.close(fd, undefined, ctx);\n  handleErrorFromBinding(ctx);\n}';
    expect(calls.handsOnToBinding(olderOpen, read, close)).toBe(false);
    expect(calls.handsOnToBinding(open, read, olderClose)).toBe(false);
    expect(calls.handsOnToBinding(open, 'function readSync() { [native code] }', close)).toBe(false);
  });
});
