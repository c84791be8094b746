/**
 * A first scan's parts between the walk and the table (issue 9): the walk
 * lists files by their folders' entry types (walk-sync.ts, `list`), and each
 * part it sends goes to whichever worker has room for the one step per file
 * that stats it and hashes it when small (stat-hash-sync.ts). Both workers
 * do that from the start (the walking worker once its quick listing is
 * done), and the parts come back complete, with sizes, mtimes, ctimes, inodes and
 * hashes, to be taken in in the walk's order.
 */
import type { ShareWorkers } from './share-workers.js';
import { boxedArray } from './boxed-array.js';
import { HASH_RECORD_CHARS as RECORD, NAME_SEPARATOR, type ScanPart, type StatHashed } from './worker-messages.js';

/**
 * V8's largest object in the young generation's regular pages on 64-bit
 * Node 20 (kMaxRegularHeapObjectSize): a larger one is a large object, which
 * the young generation's collector keeps where it is when it survives, where
 * it copies a smaller one twice (to the other semi-space, then to the old
 * generation).
 */
export const LARGE_OBJECT_BYTES = 128 * 1024;

/**
 * Files per part of a listing walk: one worker's step for them takes about
 * ten milliseconds. A full part's hash records (HASH_RECORD_CHARS a file)
 * come back to the main thread as a string larger than LARGE_OBJECT_BYTES,
 * as do its joined paths when they average 32 characters or more; the
 * table's entries point into both, so both survive (issue 9: a first scan
 * of 100,000 files with 1,024 files a part had the main thread's scavenges
 * copy 24 MB of survivors besides promoting 25 MB; 12 MB and 21 MB with 4,096).
 */
export const SCAN_JOB_FILES = 4096;
/** Parts out per worker: one in its hands while the library takes in the other's. */
export const SCAN_JOBS_PER_WORKER = 2;

/** The listing parts of one walk, out to the workers and back in walk order. */
export class ScanJobs {
  /** Listing parts not sent yet, from #head; a part's number in the walk is its place here. */
  #waiting = boxedArray<ScanPart | undefined>();
  #head = 0;
  /** Completed parts waiting for the ones before them, by number; the next number to hand on. */
  #done = new Map<number, ScanPart>();
  #handed = 0;
  #out: number[];
  #gone = 0;
  #failure: Error | undefined;
  #wake: (() => void) | undefined;
  /** Where completed parts go, in walk order; until it is given (`handTo`), they wait here. */
  #take: ((part: ScanPart) => void) | undefined;

  /**
   * `maxBytes`: files up to this size are hashed with their stat (-1: none;
   * stat-hash-sync.ts). `take`: where completed parts go; without it they are
   * kept until `handTo` (a scan begun before the library that takes it in
   * exists: early-scan.ts).
   */
  constructor(
    private readonly workers: ShareWorkers,
    readonly maxBytes: number,
    take?: (part: ScanPart) => void,
  ) {
    this.#out = new Array<number>(workers.threads).fill(0);
    this.#take = take;
  }

  /** From now on completed parts go to `take`, those kept so far first. */
  handTo(take: (part: ScanPart) => void): void {
    this.#take = take;
    this.#handOn();
  }

  /** Files listed by the walk that were gone (or no longer regular files) when opened. */
  get gone(): number {
    return this.#gone;
  }

  /** A part of the listing walk: sent when a worker has room. */
  list(part: ScanPart): void {
    this.#waiting.push(part);
    this.pump();
  }

  /** Sends parts to every worker with room that is not walking (called again when the walk ends). */
  pump(): void {
    for (let k = 0; k < this.#out.length && this.#failure === undefined; k++) {
      while (this.#out[k]! < SCAN_JOBS_PER_WORKER && !this.workers.scanning(k) && this.#head < this.#waiting.length) {
        const n = this.#head++;
        const part = this.#waiting[n]!;
        this.#waiting[n] = undefined;
        if (part.paths === '') {
          this.#done.set(n, completePart(part, part)); // folders with no files: nothing to open
          this.#handOn();
          continue;
        }
        this.#out[k]!++;
        void this.#send(k, n, part);
      }
    }
  }

  /** Sends and hands on nothing more (the scan failed or ended). */
  cancel(): void {
    this.#failure ??= new Error('scan cancelled');
    this.#handOn();
  }

  /** After the walk: resolves when every part has been taken in; throws what a worker or the table threw. */
  async finish(): Promise<void> {
    this.pump();
    while (this.#failure === undefined && this.#handed < this.#waiting.length) await new Promise<void>((resolve) => (this.#wake = resolve));
    if (this.#failure) throw this.#failure;
  }

  async #send(k: number, n: number, part: ScanPart): Promise<void> {
    try {
      this.#done.set(n, this.#complete(part, await this.workers.statHash(k, part, this.maxBytes)));
    } catch (err) {
      this.#failure ??= err instanceof Error ? err : new Error(String(err));
    } finally {
      this.#out[k]!--;
      this.#handOn();
      this.pump();
    }
  }

  /** Hands on the completed parts that are next in walk order. */
  #handOn(): void {
    const take = this.#take;
    if (take === undefined && this.#failure === undefined) return; // kept until handTo
    try {
      for (let p = this.#done.get(this.#handed); take && p !== undefined && this.#failure === undefined; p = this.#done.get(this.#handed)) {
        this.#done.delete(this.#handed++);
        take(p);
      }
    } catch (err) {
      this.#failure ??= err instanceof Error ? err : new Error(String(err));
    }
    if (this.#failure !== undefined || this.#handed === this.#waiting.length) {
      const wake = this.#wake;
      this.#wake = undefined;
      wake?.();
    }
  }

  /** The part with its files' numbers and hashes; the files dropped (gone since the listing) left out. */
  #complete(part: ScanPart, f: StatHashed): ScanPart {
    if (f.dropped.length === 0) return completePart(part, { ...part, sizes: f.sizes, mtimes: f.mtimes, ctimes: f.ctimes, inos: f.inos, cached: f.records });
    this.#gone += f.dropped.length;
    const paths = part.paths.split(NAME_SEPARATOR);
    const n = paths.length - f.dropped.length;
    const kept = boxedArray<string>();
    const fileDir = new Int32Array(n);
    const sizes = new Float64Array(n);
    const mtimes = new Float64Array(n);
    const ctimes = new Float64Array(n);
    const inos = new Float64Array(n);
    let cached = '';
    let d = 0;
    for (let i = 0; i < paths.length; i++) {
      if (d < f.dropped.length && f.dropped[d] === i) {
        d++;
        continue;
      }
      const j = kept.length;
      kept.push(paths[i]!);
      fileDir[j] = part.fileDir[i]!;
      sizes[j] = f.sizes[i]!;
      mtimes[j] = f.mtimes[i]!;
      ctimes[j] = f.ctimes[i]!;
      inos[j] = f.inos[i]!;
      cached += f.records.slice(i * RECORD, (i + 1) * RECORD);
    }
    return completePart(part, { ...part, paths: kept.join(NAME_SEPARATOR), fileDir, sizes, mtimes, ctimes, inos, cached });
  }
}

/**
 * A completed part as one object literal, its fields always in this order:
 * every part the table takes in then has the same hidden class (issue 9: a
 * part of folders with no files, handed on as the worker's message made it,
 * had another, and threw away the table's optimized intake mid-scan, 'wrong
 * map', to be compiled again).
 */
function completePart(part: ScanPart, f: Pick<ScanPart, 'paths' | 'fileDir' | 'sizes' | 'mtimes' | 'ctimes' | 'inos' | 'cached'>): ScanPart {
  return {
    roots: part.roots,
    firstDir: part.firstDir,
    dirPaths: part.dirPaths,
    dirRels: part.dirRels,
    dirRoots: part.dirRoots,
    fileDir: f.fileDir,
    paths: f.paths,
    sizes: f.sizes,
    mtimes: f.mtimes,
    ctimes: f.ctimes,
    inos: f.inos,
    cached: f.cached ?? '',
  };
}
