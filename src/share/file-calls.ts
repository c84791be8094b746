/**
 * open, read and close as a share worker calls them for every small file of
 * a first scan (stat-hash-sync.ts; issue 9): straight through Node's fs
 * binding, where `openSync`, `readSync` and `closeSync` only check their
 * arguments and hand them on. The checks are for arguments this caller
 * always gets right (a path from readdir, a flags number, the worker's own
 * buffer and sizes), and each worker compiled them, inlined into its hot
 * loop, on V8's helper threads while both cores were busy hashing: calling
 * the binding cut a first scan of 100,000 files by 40-90 ms of CPU.
 *
 * The binding is not a documented API (`process.binding('fs')`, DEP0111), so
 * it is used only when this Node's three functions hand it their arguments
 * exactly as expected (read from their source) and it reads this module's
 * own file as `readFileSync` does, both checked when this module loads;
 * anywhere else every call goes through the public functions, with the
 * same answers and the same errors.
 */
import { closeSync, constants, openSync, readFileSync, readSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The binding's calls as openSync, readSync and closeSync make them on Node 20-22 (a failure throws, as they do). */
interface FsBinding {
  open(path: string, flags: number, mode: number): number;
  read(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  close(fd: number): void;
}

/** Whether the public functions' source shows them handing their checked arguments straight to the binding. */
export function handsOnToBinding(open: string, read: string, close: string): boolean {
  return (
    /binding\.open\(\s*pathModule\.toNamespacedPath\(path\),\s*stringToFlags\(flags\),\s*parseFileMode\(mode, 'mode', 0o666\),?\s*\)/.test(open) &&
    /return binding\.read\(fd, buffer, offset, length, position\);/.test(read) &&
    /^function closeSync\(fd\) \{\s*binding\.close\(fd\);\s*\}$/.test(close)
  );
}

function findBinding(): FsBinding | undefined {
  if (!handsOnToBinding(openSync.toString(), readSync.toString(), closeSync.toString())) return undefined;
  try {
    const b = (process as unknown as { binding?: (name: string) => Partial<FsBinding> | undefined }).binding?.('fs');
    return typeof b?.open === 'function' && typeof b.read === 'function' && typeof b.close === 'function' ? (b as FsBinding) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the binding reads `file` as readFileSync does (its first 4 KiB), and fails on a missing file as openSync does. */
function agrees(b: FsBinding, file: string): boolean {
  let fd = -1;
  try {
    const want = readFileSync(file).subarray(0, 4096);
    fd = b.open(file, constants.O_RDONLY, 0o666);
    const got = Buffer.alloc(want.length);
    const n = b.read(fd, got, 0, got.length, 0);
    if (n !== want.length || !got.subarray(0, n).equals(want)) return false;
  } catch {
    return false;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
  try {
    b.open(`${file}.missing-${process.pid}`, constants.O_RDONLY, 0o666);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

const binding = findBinding();
/** Whether openFile, readFile and closeFile call the binding (decided once, when this module loads). */
export const FILE_CALLS_BINDING = binding !== undefined && agrees(binding, fileURLToPath(import.meta.url));

/** A path the binding would cut short at a NUL: refused as openSync refuses it. */
function openChecked(b: FsBinding, path: string, flags: number): number {
  if (path.includes('\0')) return openSync(path, flags);
  return b.open(path, flags, 0o666);
}

/** openSync(path, flags): a descriptor, or throws as openSync does. */
export const openFile: (path: string, flags: number) => number =
  FILE_CALLS_BINDING && binding ? (path, flags) => openChecked(binding, path, flags) : (path, flags) => openSync(path, flags);

/** readSync(fd, buf, offset, length, position) for arguments in range (offset + length within buf, position >= 0). */
export const readAt: (fd: number, buf: Uint8Array, offset: number, length: number, position: number) => number =
  FILE_CALLS_BINDING && binding ? (fd, buf, offset, length, position) => binding.read(fd, buf, offset, length, position) : readSync;

/** closeSync(fd). */
export const closeFile: (fd: number) => void = FILE_CALLS_BINDING && binding ? (fd) => binding.close(fd) : closeSync;
