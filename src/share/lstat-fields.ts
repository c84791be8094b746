/**
 * The walk's lstat of every file without a Stats object (issue 9). Node 20's
 * `lstatSync` turns the numbers its binding filled into a Stats object with
 * four Date objects; for a first scan of 100,000 files that JavaScript and its
 * garbage cost the walking worker about as much as a third of the system
 * calls themselves, and the walk needs five numbers: the type, size, mtime,
 * ctime and inode.
 *
 * The binding is not a documented API (`process.binding('fs')`, deprecated
 * DEP0111, present from Node 12 to 24): it is used only when it answers
 * exactly as `lstatSync` does for a file and a folder when this module loads;
 * anywhere else (a Node without it, or one whose binding answers otherwise)
 * every call goes through `lstatSync` and gives the same fields.
 */
import { closeSync, fstatSync, lstatSync, openSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What lstatInto found at a path (the walk keeps files, walks folders, checks symlinks, skips the rest). */
export const KIND_FILE = 1;
export const KIND_DIR = 2;
export const KIND_SYMLINK = 3;
export const KIND_OTHER = 4;

/** What lstatInto fills, reused from call to call (no object per file). */
export interface LstatOut {
  kind: number;
  size: number;
  /** As Stats.mtimeMs gives it (the hash cache matches on it exactly). */
  mtimeMs: number;
  /**
   * As Stats.ctimeMs gives it: any write moves it, even one that puts the
   * size and mtime back as they were (the hash cache matches on it too).
   */
  ctimeMs: number;
  ino: number;
}

/** A fresh LstatOut to reuse for a walk. */
export function lstatOut(): LstatOut {
  return { kind: KIND_OTHER, size: 0, mtimeMs: 0, ctimeMs: 0, ino: 0 };
}

/** The binding's lstat as lstatSync calls it on Node 20-24: its numbers in a reused Float64Array, undefined for a missing entry. */
type BindingLstat = (path: string, bigint: boolean, req: undefined, throwIfNoEntry: boolean) => Float64Array | undefined;

/** Where the binding's stat numbers sit (Node's kFsStatsFieldsNumber layout: dev, mode, nlink, uid, gid, rdev, blksize, ino, size, blocks, atime s/ns, mtime s/ns, ...). */
const MODE = 1;
const INO = 7;
const SIZE = 8;
const MTIME_S = 12;
const MTIME_NS = 13;
const CTIME_S = 14;
const CTIME_NS = 15;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

function kindOfMode(mode: number): number {
  const t = mode & S_IFMT;
  return t === S_IFREG ? KIND_FILE : t === S_IFDIR ? KIND_DIR : t === S_IFLNK ? KIND_SYMLINK : KIND_OTHER;
}

function kindOfStats(st: Stats): number {
  return st.isFile() ? KIND_FILE : st.isDirectory() ? KIND_DIR : st.isSymbolicLink() ? KIND_SYMLINK : KIND_OTHER;
}

/** lstat through Node's documented API: the fallback, and the answer the binding is checked against. */
function lstatPublic(path: string, out: LstatOut): boolean {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (!st) return false;
  out.kind = kindOfStats(st);
  out.size = st.size;
  out.mtimeMs = st.mtimeMs;
  out.ctimeMs = st.ctimeMs;
  out.ino = st.ino;
  return true;
}

/**
 * Whether Node's own lstatSync (its source, `lstatSync.toString()`) hands
 * `throwIfNoEntry` to the binding as the last argument, as Node 21.3+ and
 * later 20.x do (nodejs/node#49868). Older Nodes pass an error-context object
 * there instead, which the binding writes into when a call fails: given a
 * boolean, a failed call could abort the process, and no try/catch would
 * help. So the binding is not even tried on such a Node.
 */
export function passesThrowIfNoEntry(lstatSource: string): boolean {
  return /binding\.lstat\((?:[^()]|\([^()]*\))*throwIfNoEntry\s*,?\s*\)/.test(lstatSource);
}

/** The binding's lstat, if this Node has one shaped as expected. */
function findBinding(): BindingLstat | undefined {
  if (!passesThrowIfNoEntry(lstatSync.toString())) return undefined;
  try {
    const b = (process as unknown as { binding?: (name: string) => { lstat?: unknown } }).binding?.('fs');
    return typeof b?.lstat === 'function' ? (b.lstat as BindingLstat) : undefined;
  } catch {
    return undefined;
  }
}

/** lstat through the binding: the same fields as lstatPublic, read from its numbers. */
function lstatBinding(lstat: BindingLstat, path: string, out: LstatOut): boolean {
  const v = lstat(path, false, undefined, false);
  if (v === undefined) return false;
  out.kind = kindOfMode(v[MODE]!);
  out.size = v[SIZE]!;
  out.mtimeMs = v[MTIME_S]! * 1000 + v[MTIME_NS]! / 1e6; // Stats.mtimeMs, computed as Node does
  out.ctimeMs = v[CTIME_S]! * 1000 + v[CTIME_NS]! / 1e6;
  out.ino = v[INO]!;
  return true;
}

/** The same numbers in both. */
function same(a: LstatOut, b: LstatOut): boolean {
  return a.kind === b.kind && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
}

/** Whether the binding answers as lstatSync does for these paths (and for one that is missing). */
function agrees(lstat: BindingLstat, paths: readonly string[]): boolean {
  try {
    const a = lstatOut();
    const b = lstatOut();
    for (const p of paths) {
      if (!lstatPublic(p, a) || !lstatBinding(lstat, p, b)) return false;
      if (!same(a, b)) return false;
    }
    // A missing entry gives undefined, not an error (the walk counts it as gone).
    return !lstatBinding(lstat, `${paths[0]!}.missing-${process.pid}`, b);
  } catch {
    return false;
  }
}

const here = fileURLToPath(import.meta.url);
const binding = findBinding();
/** Whether lstatInto reads the binding's numbers (decided once, when this module loads). */
export const LSTAT_BINDING = binding !== undefined && agrees(binding, [here, dirname(here)]);

/**
 * lstat of `path` into `out`: false when nothing is there (gone since the
 * readdir); throws as lstatSync does for any other error.
 */
export const lstatInto: (path: string, out: LstatOut) => boolean =
  LSTAT_BINDING && binding ? (path, out) => lstatBinding(binding, path, out) : lstatPublic;

/** The binding's fstat as fstatSync calls it on Node 20-24: its numbers in a reused Float64Array. */
type BindingFstat = (fd: number, bigint: boolean, req: undefined, shouldNotThrow: boolean) => Float64Array | undefined;

function fstatPublic(fd: number, out: LstatOut): void {
  const st = fstatSync(fd);
  out.kind = kindOfStats(st);
  out.size = st.size;
  out.mtimeMs = st.mtimeMs;
  out.ctimeMs = st.ctimeMs;
  out.ino = st.ino;
}

function fstatBinding(fstat: BindingFstat, fd: number, out: LstatOut): void {
  const v = fstat(fd, false, undefined, false);
  if (v === undefined) throw new Error('fstat gave nothing');
  out.kind = kindOfMode(v[MODE]!);
  out.size = v[SIZE]!;
  out.mtimeMs = v[MTIME_S]! * 1000 + v[MTIME_NS]! / 1e6;
  out.ctimeMs = v[CTIME_S]! * 1000 + v[CTIME_NS]! / 1e6;
  out.ino = v[INO]!;
}

/** The binding's fstat, if fstatSync hands it the same four arguments and it answers as fstatSync does for this file. */
function findFstat(): BindingFstat | undefined {
  if (!/binding\.fstat\(fd, options\.bigint, undefined, false\)/.test(fstatSync.toString())) return undefined;
  let fd = -1;
  try {
    const b = (process as unknown as { binding?: (name: string) => { fstat?: unknown } }).binding?.('fs');
    if (typeof b?.fstat !== 'function') return undefined;
    const fstat = b.fstat as BindingFstat;
    fd = openSync(here, 'r');
    const a = lstatOut();
    const c = lstatOut();
    fstatPublic(fd, a);
    fstatBinding(fstat, fd, c);
    return same(a, c) ? fstat : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

const fstatB = LSTAT_BINDING ? findFstat() : undefined;

/**
 * fstat of an open file into `out` (the first scan's one step per small file:
 * open, fstat, read, hash, close; issue 9): through the binding when it
 * answers as fstatSync does, else fstatSync. Throws as fstatSync does.
 */
export const fstatInto: (fd: number, out: LstatOut) => void = fstatB ? (fd, out) => fstatBinding(fstatB, fd, out) : fstatPublic;
