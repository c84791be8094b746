/**
 * The share library's side of its hash queue (hash-queue.ts): hashes go into
 * the table, the cache is saved from it, and the files hashed in a run are
 * counted for `share.hashed` (issue 9).
 */
import type { HashCacheFile } from './hash-cache-file.js';
import type { HashQueueHost } from './hash-queue.js';
import type { ShareTable } from './share-table.js';
import type { Tracked } from './tracked-entry.js';

/** Writes the table's hash cache if it changed (no cache file: nothing to do). */
export function saveCache(cache: HashCacheFile | undefined, table: ShareTable): Promise<void> {
  return cache?.save(() => table.cacheBytes()) ?? Promise.resolve();
}

/**
 * What the hash queue asks of the library, as methods of a class rather
 * than closures made per library: the queue's optimized code then calls the
 * same functions for every library in a process (issue 9: a second library,
 * as in the benchmark's rounds, threw that code away, 'wrong call target').
 */
export class TableHashHost implements HashQueueHost<Tracked> {
  /** Files given their hashes since the last `share.hashed`. */
  #hashed = 0;

  constructor(
    private readonly table: ShareTable,
    private readonly cache: HashCacheFile | undefined,
    private readonly onSettled: () => void,
  ) {}

  /** Files hashed since the last call. */
  takeHashed(): number {
    const n = this.#hashed;
    this.#hashed = 0;
    return n;
  }

  current(e: Tracked): boolean {
    return this.table.current(e);
  }

  hashed(e: Tracked, text: string, at: number): void {
    this.table.hashed(e, text, at);
  }

  /**
   * A first scan's files that came with their hashes from the walk: counted
   * only. Their cache rows are formatted by the save that follows the walk,
   * in slices, after `share.hashed` (share-library.ts, cache-rows.ts): encoded here a part at
   * a time, while the workers still hashed, they cost the event loop more (a
   * cold encoder compiled mid-scan, and its strings' garbage collected
   * beside 100,000 new entries) and were copied into that save anyway (issue 9).
   */
  freshHashed(entries: readonly Tracked[]): void {
    this.#hashed += entries.length;
  }

  /** A hash batch's files (hash-queue.ts): counted, and their cache rows encoded now (only for a library with a cache file), so the saves of a long hashing run copy them. */
  batchHashed(entries: Tracked[]): void {
    this.#hashed += entries.length;
    if (this.cache) this.table.batchHashed(entries);
  }

  save(): Promise<void> {
    return saveCache(this.cache, this.table);
  }

  ended(): void {
    this.table.dropRows();
  }

  settled(): void {
    this.onSettled();
  }
}
