/**
 * The walk of the shared roots, as a worker thread runs it (share-worker.ts):
 * plain blocking readdir/stat calls, which cost a microsecond or two each
 * instead of a thread-pool round trip, a promise and a callback on the event
 * loop (issue 9: 100,000 async stats took 1.5-2.5 s of main-thread time).
 * Blocking is fine here: it blocks the worker, never the event loop.
 */
import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { normalize, sep } from 'node:path';
import { isInside, MAX_SCAN_DEPTH, PART_SUFFIX } from './scanner.js';
import { HASH_RECORD_CHARS, NAME_SEPARATOR, type ScanEnd, type ScanPart, type ScanRoot } from './worker-messages.js';

/** Files per part sent to the library while walking. */
export const SCAN_PART_FILES = 8192;

/** The hashes remembered for a file (HASH_RECORD_CHARS characters) if it is unchanged, else undefined. */
export type CacheLookup = (path: string, size: number, mtimeMs: number, ino: number) => string | undefined;

const NOT_CACHED = ' '.repeat(HASH_RECORD_CHARS);

interface Dir {
  root: number;
  path: string;
  rel: string;
  depth: number;
}

/**
 * Walks `roots` and packs every regular file found, handing `emit` a part
 * every `partFiles` files and at the end. Keeps regular files; skips hidden
 * names (leading dot), `.part` files, sockets/devices/FIFOs, symlinked
 * directories (no loops, no escapes) and symlinked files whose target leaves
 * every shared root. Unreadable entries are skipped, not fatal. At most
 * `maxFiles` files; the rest are counted as skipped and the walk is marked
 * truncated. A folder reached twice (a root given twice, or inside another
 * root) is walked once, so no path is given twice. With `lookup`, each
 * file's remembered hashes are packed into `cached` (one lookup per file
 * here, none on the event loop).
 */
export function walkRoots(
  roots: readonly string[],
  maxFiles: number,
  emit: (part: ScanPart) => void,
  lookup?: CacheLookup,
  partFiles = SCAN_PART_FILES,
): ScanEnd {
  const real: ScanRoot[] = [];
  for (const root of roots) {
    try {
      real.push({ root, rootReal: realpathSync(root) });
    } catch {
      // a missing root shares nothing; the library reports it
    }
  }
  let dirs = 0;
  let firstDir = 0;
  let dirPaths: string[] = [];
  let dirRels: string[] = [];
  let dirRoots: number[] = [];
  let fileDir: number[] = [];
  let paths: string[] = [];
  let sizes: number[] = [];
  let mtimes: number[] = [];
  let inos: number[] = [];
  let cached: string[] = [];
  let files = 0;
  let skipped = 0;
  let truncated = false;

  const flush = (): void => {
    emit({
      roots: real,
      firstDir,
      dirPaths,
      dirRels,
      dirRoots: Int32Array.from(dirRoots),
      fileDir: Int32Array.from(fileDir),
      paths: paths.join(NAME_SEPARATOR),
      sizes: Float64Array.from(sizes),
      mtimes: Float64Array.from(mtimes),
      inos: Float64Array.from(inos),
      ...(lookup ? { cached: cached.join('') } : {}),
    });
    firstDir = dirs;
    [dirPaths, dirRels, dirRoots, fileDir, paths, sizes, mtimes, inos, cached] = [[], [], [], [], [], [], [], [], []];
  };

  const keep = (dir: number, path: string, size: number, mtimeMs: number, ino: number): void => {
    if (files >= maxFiles) {
      truncated = true;
      skipped++;
      return;
    }
    files++;
    fileDir.push(dir);
    paths.push(path);
    sizes.push(size);
    mtimes.push(mtimeMs);
    inos.push(ino);
    if (lookup) cached.push(lookup(path, size, mtimeMs, ino) ?? NOT_CACHED);
    if (paths.length >= partFiles) flush();
  };

  const stack: Dir[] = real.map((r, i) => ({ root: i, path: normalize(r.root), rel: '', depth: 0 })).reverse();
  // Each folder is walked once, whichever root reaches it first (a root given twice, or inside another):
  // the walk never gives a path twice, which the library relies on.
  const walked = new Set<string>();
  for (let job = stack.pop(); job; job = stack.pop()) {
    const key = job.path.length > 1 && job.path.endsWith(sep) ? job.path.slice(0, -1) : job.path;
    if (walked.has(key)) continue;
    walked.add(key);
    // Names only, then one lstat each: the lstat gives the type with the size, mtime and inode
    // a file needs anyway (cheaper than readdir's Dirent objects plus a stat).
    let entries: string[];
    try {
      entries = readdirSync(job.path);
    } catch {
      skipped++;
      continue;
    }
    const dir = dirs++;
    dirPaths.push(job.path);
    dirRels.push(job.rel);
    dirRoots.push(job.root);
    const prefix = job.path.endsWith(sep) ? job.path : job.path + sep;
    for (const name of entries) {
      if (name.startsWith('.') || name.endsWith(PART_SUFFIX)) {
        skipped++;
        continue;
      }
      const path = prefix + name;
      const d = lstatSync(path, { throwIfNoEntry: false });
      if (!d) skipped++; // gone since the readdir
      else if (d.isFile()) keep(dir, path, d.size, d.mtimeMs, d.ino);
      else if (d.isDirectory()) {
        if (job.depth + 1 > MAX_SCAN_DEPTH) skipped++;
        else stack.push({ root: job.root, path, rel: job.rel === '' ? name : `${job.rel}/${name}`, depth: job.depth + 1 });
      } else if (d.isSymbolicLink()) {
        // A symlinked file is kept when its target is a regular file inside a shared root;
        // a symlinked directory is never followed.
        try {
          const target = realpathSync(path);
          const st = statSync(target);
          if (st.isFile() && real.some((r) => isInside(r.rootReal, target))) keep(dir, path, st.size, st.mtimeMs, st.ino);
          else skipped++;
        } catch {
          skipped++;
        }
      } else skipped++; // sockets, FIFOs, devices
    }
  }
  if (paths.length > 0 || dirPaths.length > 0) flush();
  return { files, skipped, truncated };
}
