/**
 * The share library's queue of files to hash (issue 4: hashes arrive in the
 * background after the scan), run in the worker threads (issue 9: one file
 * at a time on the event loop, with a promise per read, was 0.02-0.08 x
 * `sha1sum`): batches of up to HASH_BATCH_FILES files, HASH_BATCHES_PER_WORKER
 * in flight per worker, sent whenever a worker has room (not in lanes that
 * end when the queue runs dry for a moment), results taken in as they come,
 * and the hash cache saved in batches while it runs.
 */
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { plural } from '../words.js';
import type { ShareWorkers } from './share-workers.js';
import { HASH_RECORD_CHARS, type PackedHashes } from './worker-messages.js';
import { boxedArray } from './boxed-array.js';

/** Batches in flight per worker thread: one hashing while the library takes in the other's results. */
export const HASH_BATCHES_PER_WORKER = 2;
/** Most files in one hash batch (a batch is one message each way). */
export const HASH_BATCH_FILES = 1024;
/** Most bytes in one hash batch (a larger file goes alone), so results of small files keep flowing. */
export const HASH_BATCH_BYTES = 64 * 1024 * 1024;
/** Save the hash cache at least this often while hashing. */
export const CACHE_SAVE_EVERY_MS = 5_000;

/** A file the queue hashes: its path, the size the scan saw, and (once hashed) the string its hashes are in (tracked-entry.ts). */
export interface HashTarget {
  readonly path: string;
  readonly size: number;
  readonly hashText: string | undefined;
}

/** What the queue asks of the library. */
export interface HashQueueHost<E extends HashTarget> {
  /** The entry is still the library's for its file (not replaced by a rescan, not gone). */
  current(e: E): boolean;
  /** Hashes arrived for a current entry that had none: its HASH_RECORD_CHARS record (SHA-1 hex, md5 hex) is at `at` of `text`. */
  hashed(e: E, text: string, at: number): void;
  /** A batch's results are in: these entries got their hashes (the library encodes their cache rows now). */
  batchHashed(entries: E[]): void;
  /** Writes the hash cache if it changed. */
  save(): Promise<void>;
  /** The run has ended and saved. */
  ended(): void;
  /**
   * The run has ended with nothing left to hash (after `ended`): every file
   * queued is hashed or could not be. Not called when the queue stopped, nor
   * when files queued while the run was ending start a new run.
   */
  settled(): void;
}

/**
 * Files waiting for their hashes, and the batches out to the workers: a
 * worker gets the next batch as soon as it has fewer than
 * HASH_BATCHES_PER_WORKER out, except while it walks a scan (its batches
 * would wait behind the walk while the other worker idles).
 */
export class HashQueue<E extends HashTarget> {
  /** Consumed from #head; slots behind it are cleared. */
  #queue = boxedArray<E | undefined>();
  #head = 0;
  /** Batches out per worker, and in all. */
  #out: number[];
  #outTotal = 0;
  /** From the first file queued until the queue is empty, no batch is out and the cache is saved. */
  #run: { done: Promise<void>; end: () => void; ending: boolean } | undefined;
  #lastSave = 0;
  #lastSaveMs = 0;
  #saving: Promise<void> | undefined;
  #stopped = false;

  constructor(
    private readonly workers: ShareWorkers,
    private readonly host: HashQueueHost<E>,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.#out = new Array<number>(workers.threads).fill(0);
  }

  /** True from the first file queued until the queue is empty, no batch is out and the cache is saved. */
  get running(): boolean {
    return this.#run !== undefined;
  }

  /** Files queued and not yet sent to a worker. */
  get pending(): number {
    return this.#queue.length - this.#head;
  }

  /** Forgets what is queued (a new scan queues afresh; batches already sent finish). */
  clear(): void {
    this.#queue = boxedArray();
    this.#head = 0;
  }

  /** Queues files and sends batches to the workers that can take them. */
  add(entries: readonly E[]): void {
    if (entries.length === 0 || this.#stopped) return;
    for (const e of entries) this.#queue.push(e);
    this.#begin();
    this.pump();
  }

  /** Sends batches to every worker that has room and is not walking (the library calls this again when a walk ends). */
  pump(): void {
    for (let k = 0; k < this.#out.length && !this.#stopped; k++) {
      while (this.#out[k]! < HASH_BATCHES_PER_WORKER && !this.workers.scanning(k)) {
        const batch = this.#nextBatch();
        if (batch.length === 0) break;
        this.#out[k]!++;
        this.#outTotal++;
        void this.#send(k, batch);
      }
    }
    this.#endIfDone();
  }

  /** Resolves when the queue is empty, no batch is out and the cache is saved. */
  async whenDone(): Promise<void> {
    while (this.#run) await this.#run.done;
  }

  /** Sends no more batches (the workers' stop flag ends the ones out) and forgets what is queued; resolves when those are back. */
  async stop(): Promise<void> {
    this.#stopped = true;
    // Files still queued are never sent now: kept, they would start a new run at every end (stop never resolved).
    this.clear();
    this.#endIfDone();
    await this.whenDone();
  }

  #begin(): void {
    if (this.#run) return;
    let end = (): void => undefined;
    const done = new Promise<void>((resolve) => (end = resolve));
    this.#run = { done, end, ending: false };
    this.#lastSave = this.clock.now();
  }

  async #send(k: number, batch: E[]): Promise<void> {
    try {
      const hashes = await this.workers.hash(k, pathsOf(batch), sizesOf(batch));
      this.#take(batch, hashes);
      // Saved in batches: every CACHE_SAVE_EVERY_MS, but never more than a tenth of the
      // time (rewriting a cache of 100,000 rows is not free).
      if (!this.#saving && this.clock.now() - this.#lastSave >= Math.max(CACHE_SAVE_EVERY_MS, 10 * this.#lastSaveMs)) {
        const t0 = this.clock.now();
        this.#saving = this.host.save().finally(() => {
          this.#lastSave = this.clock.now();
          this.#lastSaveMs = this.#lastSave - t0;
          this.#saving = undefined;
        });
      }
    } catch (err) {
      if (!this.#stopped) this.log.warn(`hashing ${plural(batch.length, 'file')} failed: ${String(err)}; the next rescan tries again`);
    } finally {
      this.#out[k]!--;
      this.#outTotal--;
      this.pump();
    }
  }

  /** Ends the run once nothing is queued (or the queue stopped) and nothing is out: the hashing-only workers go, the cache is saved. */
  #endIfDone(): void {
    const run = this.#run;
    // Not while a walk brings more files: the library pumps when the walk has ended and its files are
    // all in the table (a run ended mid-walk would save a cache without them, and stop a worker).
    const walking = this.workers.scanning() && !this.#stopped;
    if (!run || run.ending || walking || this.#outTotal > 0 || (this.pending > 0 && !this.#stopped)) return;
    run.ending = true;
    this.workers.release(); // the hashing-only workers go; the one that walks stays for rescans
    void (async () => {
      await this.#saving;
      await this.host.save();
      this.host.ended();
      this.#run = undefined;
      run.end();
      if (this.#stopped) return;
      // Files queued while the run was ending start a new one.
      if (this.pending > 0 || this.#outTotal > 0) {
        this.#begin();
        this.pump();
      } else this.host.settled();
    })();
  }

  /** Files from the front of the queue, still shared, up to HASH_BATCH_FILES and HASH_BATCH_BYTES (at least one). */
  #nextBatch(): E[] {
    const batch = boxedArray<E>();
    let bytes = 0;
    while (batch.length < HASH_BATCH_FILES && this.#head < this.#queue.length) {
      const e = this.#queue[this.#head];
      if (e && batch.length > 0 && bytes + e.size > HASH_BATCH_BYTES) break;
      this.#queue[this.#head++] = undefined;
      if (!e || e.hashText !== undefined || !this.host.current(e)) continue; // hashed, or replaced by a rescan
      batch.push(e);
      bytes += e.size;
    }
    if (this.#head >= this.#queue.length) this.clear();
    return batch;
  }

  /** Takes in a batch's hashes, for files that are still as they were when the batch left. */
  #take(batch: readonly E[], h: PackedHashes): void {
    for (const err of h.errors) this.log.debug(`hash ${err}`);
    const took = boxedArray<E>();
    for (let i = 0; i < batch.length; i++) {
      const e = batch[i]!;
      // Not hashed, or changed while hashing (the watcher or the next rescan picks it up), or replaced.
      if (h.sizes[i] !== e.size || !this.host.current(e)) continue;
      const at = i * HASH_RECORD_CHARS;
      this.host.hashed(e, h.records, at); // no slice: the entry reads its hashes from the batch's string
      took.push(e);
    }
    this.host.batchHashed(took);
  }
}

/** The batch's paths, by an indexed loop (a callback per file costs more). */
function pathsOf(batch: readonly HashTarget[]): string[] {
  const paths = new Array<string>(batch.length);
  for (let i = 0; i < batch.length; i++) paths[i] = batch[i]!.path;
  return paths;
}

/** The batch's sizes, by an indexed loop: Float64Array.from with a mapping function goes through the iterator, about 100 ns a file (issue 9). */
function sizesOf(batch: readonly HashTarget[]): Float64Array {
  const sizes = new Float64Array(batch.length);
  for (let i = 0; i < batch.length; i++) sizes[i] = batch[i]!.size;
  return sizes;
}
