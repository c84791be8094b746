/**
 * The walk of the shared roots, as a worker thread runs it (share-worker.ts):
 * plain blocking readdir/stat calls, which cost a microsecond or two each
 * instead of a thread-pool round trip, a promise and a callback on the event
 * loop (issue 9: 100,000 async stats took 1.5-2.5 s of main-thread time).
 * Blocking is fine here: it blocks the worker, never the event loop.
 */
import { readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { join, sep } from 'node:path';
import { isInside, MAX_SCAN_DEPTH, PART_SUFFIX } from './scanner.js';
import { NAME_SEPARATOR, type PackedScan, type ScanRoot } from './worker-messages.js';

interface Dir {
  root: number;
  path: string;
  rel: string;
  depth: number;
}

/**
 * Walks `roots` and packs every regular file found. Keeps regular files;
 * skips hidden names (leading dot), `.part` files, sockets/devices/FIFOs,
 * symlinked directories (no loops, no escapes) and symlinked files whose
 * target leaves every shared root. Unreadable entries are skipped, not fatal.
 * At most `maxFiles` files; the rest are counted as skipped and the scan is
 * marked truncated.
 */
export function walkRoots(roots: readonly string[], maxFiles: number): PackedScan {
  const real: ScanRoot[] = [];
  for (const root of roots) {
    try {
      real.push({ root, rootReal: realpathSync(root) });
    } catch {
      // a missing root shares nothing; the library reports it
    }
  }
  const dirPaths: string[] = [];
  const dirRels: string[] = [];
  const dirRoots: number[] = [];
  const fileDir: number[] = [];
  const names: string[] = [];
  const sizes: number[] = [];
  const mtimes: number[] = [];
  const inos: number[] = [];
  let skipped = 0;
  let truncated = false;

  const keep = (dir: number, name: string, size: number, mtimeMs: number, ino: number): void => {
    if (names.length >= maxFiles) {
      truncated = true;
      skipped++;
      return;
    }
    fileDir.push(dir);
    names.push(name);
    sizes.push(size);
    mtimes.push(mtimeMs);
    inos.push(ino);
  };

  const stack: Dir[] = real.map((r, i) => ({ root: i, path: r.root, rel: '', depth: 0 })).reverse();
  for (let job = stack.pop(); job; job = stack.pop()) {
    let entries: Dirent[];
    try {
      entries = readdirSync(job.path, { withFileTypes: true });
    } catch {
      skipped++;
      continue;
    }
    const dir = dirPaths.length;
    dirPaths.push(job.path);
    dirRels.push(job.rel);
    dirRoots.push(job.root);
    const prefix = job.path.endsWith(sep) ? job.path : job.path + sep;
    for (const d of entries) {
      const name = d.name;
      if (name.startsWith('.') || name.endsWith(PART_SUFFIX)) {
        skipped++;
        continue;
      }
      const path = prefix + name;
      if (d.isFile()) {
        const st = statSync(path, { throwIfNoEntry: false });
        if (st?.isFile()) keep(dir, name, st.size, st.mtimeMs, st.ino);
        else skipped++;
      } else if (d.isDirectory()) {
        if (job.depth + 1 > MAX_SCAN_DEPTH) skipped++;
        else stack.push({ root: job.root, path, rel: job.rel === '' ? name : `${job.rel}/${name}`, depth: job.depth + 1 });
      } else if (d.isSymbolicLink()) {
        // A symlinked file is kept when its target is a regular file inside a shared root;
        // a symlinked directory is never followed.
        try {
          const target = realpathSync(path);
          const st = statSync(target);
          if (st.isFile() && real.some((r) => isInside(r.rootReal, target))) keep(dir, name, st.size, st.mtimeMs, st.ino);
          else skipped++;
        } catch {
          skipped++;
        }
      } else skipped++; // sockets, FIFOs, devices
    }
  }
  return {
    roots: real,
    dirPaths,
    dirRels,
    dirRoots: Int32Array.from(dirRoots),
    fileDir: Int32Array.from(fileDir),
    names: names.join(NAME_SEPARATOR),
    sizes: Float64Array.from(sizes),
    mtimes: Float64Array.from(mtimes),
    inos: Float64Array.from(inos),
    skipped,
    truncated,
  };
}
