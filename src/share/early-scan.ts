/**
 * A first scan begun before the program has loaded (issue 9, the first scan
 * as a real process): with `--share` and no hash cache in the data dir,
 * bin/peerdeck.js starts the share workers (early-start.ts) and this module
 * sets them walking and hashing the shared folders at once, as the library's
 * first scan would (the listing walk, each part stat'ed and its small files
 * hashed: scan-jobs.ts), while the main thread still loads the program's
 * modules (100 ms and more, in which the second core idled once the workers
 * had booted). The parts it completes wait in its ScanJobs; the library that
 * takes the pool (share-library.ts) takes the scan in as its own first scan
 * when it would have asked for the very same one (the same roots, limits and
 * sizes), and cancels it otherwise. Nothing is served from it before that:
 * the library's table, lookups and every check are as in any scan.
 */
import { resolve } from 'node:path';
import { ScanJobs, SCAN_JOB_FILES } from './scan-jobs.js';
import { DEFAULT_MAX_FILES } from './scanner.js';
import type { ShareWorkers } from './share-workers.js';
import { SCAN_PART_FILES, STAT_HASH_MAX_BYTES } from './scan-sizes.js';
import type { ScanEnd } from './worker-messages.js';

/** What a first scan's listing walk is asked for: at most `maxFiles` files, parts of `partFiles`, files up to `maxBytes` hashed with their stat. */
export interface FirstScanLimits {
  maxFiles: number;
  partFiles: number;
  maxBytes: number;
}

/** The limits of a library made with no options of its own (as the program makes it). */
export const DEFAULT_FIRST_SCAN: FirstScanLimits = {
  maxFiles: DEFAULT_MAX_FILES,
  partFiles: Math.min(SCAN_PART_FILES, SCAN_JOB_FILES),
  maxBytes: STAT_HASH_MAX_BYTES,
};

/** A first scan under way on a pool no library has taken yet. */
export class EarlyScan {
  /** The walk's parts, out to the workers and back; kept until the library hands them on (ScanJobs.handTo). */
  readonly jobs: ScanJobs;
  /** The walk's end (the parts may still be out to the workers). */
  readonly end: Promise<ScanEnd>;
  readonly #began = performance.now();

  /** `roots`: as the library holds them (resolved, each once, in order). */
  constructor(
    workers: ShareWorkers,
    readonly roots: readonly string[],
    readonly limits: FirstScanLimits = DEFAULT_FIRST_SCAN,
  ) {
    this.jobs = new ScanJobs(workers, limits.maxBytes);
    const jobs = this.jobs;
    this.end = workers.scan(roots, { maxFiles: limits.maxFiles, partFiles: limits.partFiles, list: true }, (part) => jobs.list(part)).then((end) => {
      // The walking worker is free now: it takes parts too, and the last parts go out in pieces (the library, once it has the scan, pumps again).
      jobs.listed();
      return end;
    });
    this.end.catch(() => undefined); // a scan no library takes in may fail unheard; one taken in fails there
  }

  /** Milliseconds since the walk was asked for. */
  get ageMs(): number {
    return performance.now() - this.#began;
  }

  /** Whether this is the first scan a library with these roots and limits would ask for. */
  matches(roots: readonly string[], limits: FirstScanLimits): boolean {
    return (
      roots.length === this.roots.length &&
      roots.every((r, i) => r === this.roots[i]) &&
      limits.maxFiles === this.limits.maxFiles &&
      limits.partFiles === this.limits.partFiles &&
      limits.maxBytes === this.limits.maxBytes
    );
  }

  /** Sends nothing more to the workers and hands nothing on (the walk already asked for ends on its own). */
  cancel(): void {
    this.jobs.cancel();
  }
}

/** The roots as a library given `given` holds them: resolved, each once, in the order given. */
export function libraryRoots(given: readonly string[]): string[] {
  return [...new Set(given.map((r) => resolve(r)))];
}

/**
 * Begins a first scan of `roots` (as given on the command line) on `workers`,
 * kept there for the library that takes the pool. Returns it, or undefined
 * when there is nothing to share.
 */
export function beginEarlyScan(workers: ShareWorkers, roots: readonly string[]): EarlyScan | undefined {
  const held = libraryRoots(roots);
  if (held.length === 0) return undefined;
  const scan = new EarlyScan(workers, held);
  workers.setEarlyScan(scan);
  return scan;
}
