/**
 * A folder's names with their types, as readdir gives them (the d_type of
 * each entry, no stat), for the first scan's walk (issue 9): a file's size,
 * mtime and inode then come from the fstat of the open that hashes it, so a
 * small file costs one path lookup (the open) instead of two (an lstat, then
 * the open).
 *
 * Node's `readdirSync(dir, { withFileTypes: true })` makes a Dirent object
 * per name; its binding returns two arrays (names, types). The binding is not
 * a documented API (`process.binding('fs')`, as in lstat-fields.ts): it is
 * used only where Node's own readdirSync calls it so and where it answers as
 * readdirSync does for this module's folder when the module loads; anywhere
 * else every call goes through the Dirents.
 */
import { readdirSync, type Dirent } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** libuv's entry types (fs.constants.UV_DIRENT_*): what the walk reads from `types`. */
export const DIRENT_UNKNOWN = 0;
export const DIRENT_FILE = 1;
export const DIRENT_DIR = 2;
export const DIRENT_LINK = 3;
/** FIFOs, sockets, devices: the walk skips them (libuv's 4-7). */
export const DIRENT_OTHER = 4;

/** A folder's names and, at the same index, their types. */
export interface DirTypes {
  names: string[];
  types: ArrayLike<number>;
}

type BindingReaddir = (path: string, encoding: string, withTypes: boolean) => [string[], number[]] | undefined;

function typeOf(d: Dirent): number {
  return d.isFile() ? DIRENT_FILE : d.isDirectory() ? DIRENT_DIR : d.isSymbolicLink() ? DIRENT_LINK : DIRENT_OTHER;
}

/** Through Dirent objects (the documented API): the fallback, and the answer the binding is checked against. */
function readdirPublic(path: string): DirTypes {
  const dirents = readdirSync(path, { withFileTypes: true });
  const names = new Array<string>(dirents.length);
  const types = new Uint8Array(dirents.length);
  for (let i = 0; i < dirents.length; i++) {
    names[i] = dirents[i]!.name;
    types[i] = typeOf(dirents[i]!);
  }
  return { names, types };
}

/** The binding's types are libuv's; anything past a link (FIFO, socket, device) reads as DIRENT_OTHER. */
function readdirBinding(readdir: BindingReaddir, path: string): DirTypes {
  const r = readdir(path, 'utf8', true);
  if (r === undefined) throw new Error(`readdir gave nothing for ${path}`);
  return { names: r[0], types: r[1] };
}

function findReaddir(): BindingReaddir | undefined {
  if (!/binding\.readdir\(\s*pathModule\.toNamespacedPath\(path\),\s*options\.encoding,\s*!!options\.withFileTypes,?\s*\)/.test(readdirSync.toString())) return undefined;
  try {
    const b = (process as unknown as { binding?: (name: string) => { readdir?: unknown } }).binding?.('fs');
    if (typeof b?.readdir !== 'function') return undefined;
    const readdir = b.readdir as BindingReaddir;
    const dir = dirname(fileURLToPath(import.meta.url));
    const a = readdirPublic(dir);
    const c = readdirBinding(readdir, dir);
    if (a.names.length !== c.names.length || a.names.length === 0) return undefined;
    for (let i = 0; i < a.names.length; i++) {
      const t = c.types[i]!;
      // A Dirent of unknown type is lstat'ed by Node: only a known type is compared.
      if (a.names[i] !== c.names[i] || (t !== DIRENT_UNKNOWN && Math.min(t, DIRENT_OTHER) !== a.types[i])) return undefined;
    }
    return readdir;
  } catch {
    return undefined;
  }
}

const binding = findReaddir();
/** Whether readdirTypes reads the binding's arrays (decided once, when this module loads). */
export const READDIR_BINDING = binding !== undefined;

/**
 * The names in `path` and their types (DIRENT_*; DIRENT_UNKNOWN where the
 * file system does not say, and then the caller lstats). Throws as
 * readdirSync does.
 */
export const readdirTypes: (path: string) => DirTypes = binding ? (path) => readdirBinding(binding, path) : readdirPublic;
