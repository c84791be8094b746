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
/**
 * Files per piece of the last parts of a walk: once the walk has ended and
 * no more parts wait than the workers hold, each is sent in pieces this
 * large, so that both workers finish within a few milliseconds of each
 * other (issue 9: with whole parts of SCAN_JOB_FILES, one worker could sit
 * idle for a part's 10-20 ms at the end of a first scan while the other
 * hashed its last).
 */
export const TAIL_JOB_FILES = 1024;

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
  /** The walk has sent its last part. */
  #listed = false;
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
    private readonly tailFiles = TAIL_JOB_FILES,
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

  /** The walk has ended: its last parts go out in pieces (TAIL_JOB_FILES), and the walking worker takes parts too. */
  listed(): void {
    this.#listed = true;
    this.pump();
  }

  /** Sends parts to every worker with room that is not walking (called again when the walk ends). */
  pump(): void {
    for (let k = 0; k < this.#out.length && this.#failure === undefined; k++) {
      while (this.#out[k]! < SCAN_JOBS_PER_WORKER && !this.workers.scanning(k) && this.#head < this.#waiting.length) {
        if (this.#listed && this.#waiting.length - this.#head <= this.#out.length * SCAN_JOBS_PER_WORKER) this.#splitNext();
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
    this.listed();
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

  /** The next part to send, if larger than a tail piece, in pieces in its place (the parts after it are not numbered yet: none has been sent). */
  #splitNext(): void {
    const part = this.#waiting[this.#head]!;
    if (part.sizes.length <= this.tailFiles) return;
    this.#waiting.splice(this.#head, 1, ...splitPart(part, this.tailFiles));
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
 * A listing part as pieces of at most `files` files, in order: the first
 * brings the part's folders, the others none (their files' folders are
 * numbered in the first, which the table takes in before them).
 */
export function splitPart(part: ScanPart, files: number): ScanPart[] {
  const n = part.sizes.length;
  if (n <= files || files < 1) return [part];
  const paths = part.paths.split(NAME_SEPARATOR);
  const pieces: ScanPart[] = [];
  for (let from = 0; from < n; from += files) {
    const to = Math.min(n, from + files);
    const first = from === 0;
    pieces.push({
      roots: part.roots,
      firstDir: first ? part.firstDir : part.firstDir + part.dirPaths.length,
      dirPaths: first ? part.dirPaths : [],
      dirRels: first ? part.dirRels : [],
      dirRoots: first ? part.dirRoots : new Int32Array(0),
      fileDir: part.fileDir.slice(from, to),
      paths: paths.slice(from, to).join(NAME_SEPARATOR),
      sizes: part.sizes.slice(from, to),
      mtimes: part.mtimes.slice(from, to),
      ctimes: part.ctimes.slice(from, to),
      inos: part.inos.slice(from, to),
      ...(part.cached === undefined ? {} : { cached: part.cached.slice(from * RECORD, to * RECORD) }),
    });
  }
  return pieces;
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
