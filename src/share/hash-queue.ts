/**
 * The share library's queue of files to hash (issue 4: hashes arrive in the
 * background after the scan), run in the worker threads (issue 9: one file
 * at a time on the event loop, with a promise per read, was 0.02-0.08 x
 * `sha1sum`): batches of up to HASH_BATCH_FILES files, HASH_BATCHES_PER_WORKER
 * in flight per worker, results taken in as they come, and the hash cache
 * saved in batches while it runs.
 */
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { MutableEntry } from './share-entry.js';
import type { ShareWorkers } from './share-workers.js';
import { HASH_RECORD_CHARS, MD5_HEX_CHARS, SHA1_HEX_CHARS, type PackedHashes } from './worker-messages.js';

/** Batches in flight per worker thread: one hashing while the library takes in the other's results. */
export const HASH_BATCHES_PER_WORKER = 2;
/** Most files in one hash batch (a batch is one message each way). */
export const HASH_BATCH_FILES = 1024;
/** Most bytes in one hash batch (a larger file goes alone), so results of small files keep flowing. */
export const HASH_BATCH_BYTES = 64 * 1024 * 1024;
/** Save the hash cache at least this often while hashing. */
export const CACHE_SAVE_EVERY_MS = 5_000;

/** What the queue asks of the library. */
export interface HashQueueHost<E extends MutableEntry> {
  /** The entry is still the library's for its file (not replaced by a rescan, not gone). */
  current(e: E): boolean;
  /** Hashes arrived for a current entry that had none. */
  hashed(e: E, sha1: string, md5: string, sha1Base32: string): void;
  /** Writes the hash cache if it changed. */
  save(): Promise<void>;
}

/** Files waiting for their hashes, and the loop that hashes them. */
export class HashQueue<E extends MutableEntry> {
  /** Consumed from #head; slots behind it are cleared. */
  #queue: Array<E | undefined> = [];
  #head = 0;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(
    private readonly workers: ShareWorkers,
    private readonly host: HashQueueHost<E>,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Files queued and not yet sent to a worker. */
  get pending(): number {
    return this.#queue.length - this.#head;
  }

  /** Forgets what is queued (a new scan queues afresh; batches already sent finish). */
  clear(): void {
    this.#queue = [];
    this.#head = 0;
  }

  /** Queues files and starts hashing if it is not running. */
  add(entries: readonly E[]): void {
    for (const e of entries) this.#queue.push(e);
    this.#start();
  }

  /** Resolves when the queue is empty and no batch is out. */
  async whenDone(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Sends no more batches (the workers' stop flag ends the ones out); resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.whenDone();
  }

  /** Runs the loop while the queue holds files (also for files queued while a loop was ending). */
  #start(): void {
    if (this.#running || this.#stopped || this.pending === 0) return;
    this.#running = this.#loop().finally(() => {
      this.#running = undefined;
      this.#start();
    });
  }

  async #loop(): Promise<void> {
    let lastSave = this.clock.now();
    let lastSaveMs = 0;
    let saving: Promise<void> | undefined;
    const lane = async (worker: number): Promise<void> => {
      for (let batch = this.#nextBatch(); batch.length > 0 && !this.#stopped; batch = this.#nextBatch()) {
        let hashes: PackedHashes;
        try {
          hashes = await this.workers.hash(worker, batch.map((e) => e.path), Float64Array.from(batch, (e) => e.size));
        } catch (err) {
          if (this.#stopped) return;
          this.log.warn(`hashing ${batch.length} files failed: ${String(err)}; the next rescan tries again`);
          continue;
        }
        this.#take(batch, hashes);
        // Saved in batches: every CACHE_SAVE_EVERY_MS, but never more than a tenth of the
        // time (rewriting a cache of 100,000 rows is not free).
        if (!saving && this.clock.now() - lastSave >= Math.max(CACHE_SAVE_EVERY_MS, 10 * lastSaveMs)) {
          const t0 = this.clock.now();
          saving = this.host.save().finally(() => {
            lastSave = this.clock.now();
            lastSaveMs = lastSave - t0;
            saving = undefined;
          });
        }
      }
    };
    const lanes = this.workers.threads * HASH_BATCHES_PER_WORKER;
    await Promise.all(Array.from({ length: lanes }, (_, i) => lane(i % this.workers.threads)));
    this.workers.release(); // the hashing-only workers go; the one that walks stays for rescans
    await saving;
    await this.host.save();
  }

  /** Files from the front of the queue, still shared, up to HASH_BATCH_FILES and HASH_BATCH_BYTES (at least one). */
  #nextBatch(): E[] {
    const batch: E[] = [];
    let bytes = 0;
    while (batch.length < HASH_BATCH_FILES && this.#head < this.#queue.length) {
      const e = this.#queue[this.#head];
      if (e && batch.length > 0 && bytes + e.size > HASH_BATCH_BYTES) break;
      this.#queue[this.#head++] = undefined;
      if (!e || e.sha1 || !this.host.current(e)) continue; // hashed, or replaced by a rescan
      batch.push(e);
      bytes += e.size;
    }
    if (this.#head >= this.#queue.length) this.clear();
    return batch;
  }

  /** Takes in a batch's hashes, for files that are still as they were when the batch left. */
  #take(batch: readonly E[], h: PackedHashes): void {
    for (const err of h.errors) this.log.debug(`hash ${err}`);
    for (let i = 0; i < batch.length; i++) {
      const e = batch[i]!;
      // Not hashed, or changed while hashing (the watcher or the next rescan picks it up), or replaced.
      if (h.sizes[i] !== e.size || !this.host.current(e)) continue;
      const at = i * HASH_RECORD_CHARS;
      this.host.hashed(
        e,
        h.records.slice(at, at + SHA1_HEX_CHARS),
        h.records.slice(at + SHA1_HEX_CHARS, at + SHA1_HEX_CHARS + MD5_HEX_CHARS),
        h.records.slice(at + SHA1_HEX_CHARS + MD5_HEX_CHARS, at + HASH_RECORD_CHARS),
      );
    }
  }
}
