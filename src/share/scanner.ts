import { stat as statCb, type Dirent, type Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';

/** Parallel stat/readdir calls during a scan: enough to hide syscall latency, few enough for 2 cores. */
export const SCAN_CONCURRENCY = 64;
/** Directories listed at once (each stats its files SCAN_CONCURRENCY at a time). */
export const DIR_CONCURRENCY = 2;
/** Deepest directory level walked (symlinked directories are never followed, this is a backstop). */
export const MAX_SCAN_DEPTH = 64;
/** Files kept per scan; beyond this the scan stops adding and says so. */
export const DEFAULT_MAX_FILES = 1_000_000;
/** Partial downloads (transfer engine) are never shared. */
export const PART_SUFFIX = '.part';

/** One regular file found under a shared root. */
export interface ScannedFile {
  /** The root as the user gave it. */
  root: string;
  /** The root's real path (symlinks resolved), what every served path must stay under. */
  rootReal: string;
  /** Absolute path under `root`. */
  path: string;
  /** Path under the root with `/` separators. */
  relPath: string;
  /** Last path segment. */
  name: string;
  size: number;
  mtimeMs: number;
}

/** What one scan found, and how much it left out. */
export interface ScanResult {
  files: ScannedFile[];
  /** Entries skipped as hidden, special, escaping symlinks, unreadable or over the cap. */
  skipped: number;
  truncated: boolean;
}

type Job = { kind: 'dir'; root: string; rootReal: string; dir: string; rel: string; depth: number };

/** True when `p` is `base` itself or lies under it. */
export function isInside(base: string, p: string): boolean {
  return p === base || p.startsWith(base.endsWith(sep) ? base : base + sep);
}

/**
 * Walks the shared roots with async fs calls only. Keeps regular files; skips
 * hidden names (leading dot), `.part` files, sockets/devices/FIFOs, symlinked
 * directories (no loops, no escapes) and symlinked files whose target leaves
 * every shared root. Unreadable entries are skipped, not fatal.
 */
export async function scanRoots(roots: readonly string[], maxFiles = DEFAULT_MAX_FILES): Promise<ScanResult> {
  const realRoots: Array<{ root: string; rootReal: string }> = [];
  for (const root of roots) {
    try {
      realRoots.push({ root, rootReal: await realpath(root) });
    } catch {
      // a missing root shares nothing; the library reports it
    }
  }
  const result: ScanResult = { files: [], skipped: 0, truncated: false };
  const jobs: Job[] = realRoots.map((r) => ({ kind: 'dir', ...r, dir: r.root, rel: '', depth: 0 }));

  const keep = (job: Job, name: string, size: number, mtimeMs: number): void => {
    if (result.files.length >= maxFiles) {
      result.truncated = true;
      result.skipped++;
      return;
    }
    const relPath = job.rel === '' ? name : `${job.rel}/${name}`;
    result.files.push({ root: job.root, rootReal: job.rootReal, path: join(job.dir, name), relPath, name, size, mtimeMs });
  };

  // Symlinks and directories need decisions; plain files only need size and
  // mtime, which the callback API fetches about twice as fast as fs/promises.
  const handleSpecial = async (job: Job, d: Dirent, push: (j: Job) => void): Promise<void> => {
    const path = join(job.dir, d.name);
    if (d.isDirectory()) {
      if (job.depth + 1 > MAX_SCAN_DEPTH) result.skipped++;
      else push({ ...job, dir: path, rel: job.rel === '' ? d.name : `${job.rel}/${d.name}`, depth: job.depth + 1 });
      return;
    }
    const target = await realpath(path);
    const st = await stat(target);
    if (!st.isFile() || !realRoots.some((r) => isInside(r.rootReal, target))) {
      result.skipped++;
      return;
    }
    keep(job, d.name, st.size, st.mtimeMs);
  };

  await runPool<Job>(jobs, DIR_CONCURRENCY, async (job, push) => {
    let entries: Dirent[];
    try {
      entries = await readdir(job.dir, { withFileTypes: true });
    } catch {
      result.skipped++;
      return;
    }
    const files: Dirent[] = [];
    for (const d of entries) {
      if (d.name.startsWith('.') || d.name.endsWith(PART_SUFFIX)) result.skipped++;
      else if (d.isFile()) files.push(d);
      else if (d.isDirectory() || d.isSymbolicLink()) {
        await handleSpecial(job, d, push).catch(() => {
          result.skipped++;
        });
      } else result.skipped++; // sockets, FIFOs, devices
    }
    const stats = await statMany(files.map((d) => join(job.dir, d.name)));
    files.forEach((d, i) => {
      const st = stats[i];
      if (st?.isFile()) keep(job, d.name, st.size, st.mtimeMs);
      else result.skipped++;
    });
  });
  return result;
}

/** Stats paths with at most SCAN_CONCURRENCY calls in flight; a failed stat gives undefined. */
function statMany(paths: string[]): Promise<Array<Stats | undefined>> {
  const out = new Array<Stats | undefined>(paths.length);
  if (paths.length === 0) return Promise.resolve(out);
  return new Promise((resolve) => {
    let next = 0;
    let done = 0;
    const launch = (): void => {
      const i = next++;
      statCb(paths[i]!, (err, st) => {
        out[i] = err ? undefined : st;
        if (++done === paths.length) resolve(out);
        else if (next < paths.length) launch();
      });
    };
    for (let k = 0; k < Math.min(SCAN_CONCURRENCY, paths.length); k++) launch();
  });
}

/** Runs jobs (which may add jobs) with at most `concurrency` in flight; resolves when all are done. */
async function runPool<T>(initial: T[], concurrency: number, handle: (job: T, push: (j: T) => void) => Promise<void>): Promise<void> {
  const queue = [...initial];
  let active = 0;
  await new Promise<void>((resolve, reject) => {
    const pump = (): void => {
      if (queue.length === 0 && active === 0) return resolve();
      while (active < concurrency && queue.length > 0) {
        const job = queue.pop()!;
        active++;
        handle(job, (j) => queue.push(j)).then(() => {
          active--;
          pump();
        }, reject);
      }
    };
    pump();
  });
}
