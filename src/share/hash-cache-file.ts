/**
 * The share library's side of the hash cache file (hash-cache.ts has the
 * format): whether the file still matches the files, and its writes, one at
 * a time, each atomic (temp file + rename), so a crash leaves the previous
 * cache, never a torn one.
 */
import { unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../log.js';
import { writeFileAtomic } from '../paths.js';
import { LEGACY_HASH_CACHE_FILE, type CacheReport } from './hash-cache.js';

/** One data dir's hash cache, as the library keeps it. */
export class HashCacheFile {
  /** Set once the first walk has read the file (the walking worker reads it, once). */
  read = false;
  /** The file no longer matches the shared files: the next save writes it. */
  dirty = false;
  #legacy = false;
  #chain: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly log: Logger,
  ) {}

  /** The JSON cache of earlier versions, read when `file` is missing. */
  get legacyFile(): string {
    return join(dirname(this.file), LEGACY_HASH_CACHE_FILE);
  }

  /** What the first walk found in the file: a reason is logged, and anything stale makes it dirty. */
  loaded(c: CacheReport): void {
    this.read = true;
    if (c.reason !== undefined) this.log.warn(`hash cache ${this.file}: ${c.reason}; those files are hashed again`);
    // Rows for files that left or changed, a bad row, or the old format: rewrite it.
    if (c.rows !== c.used || c.reason !== undefined || c.legacy) this.dirty = true;
    this.#legacy = c.legacy === true;
  }

  /** Writes `bytes()` (the file, hash-cache.ts) if dirty, after any write still running; a failure is logged and retried at the next save. */
  save(bytes: () => Uint8Array | readonly Uint8Array[] | Promise<Uint8Array | readonly Uint8Array[]>): Promise<void> {
    const run = this.#chain.then(() => this.#saveOnce(bytes));
    this.#chain = run;
    return run;
  }

  async #saveOnce(bytes: () => Uint8Array | readonly Uint8Array[] | Promise<Uint8Array | readonly Uint8Array[]>): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    try {
      await writeFileAtomic(this.file, await bytes());
      if (this.#legacy) {
        this.#legacy = false;
        await unlink(this.legacyFile).catch(() => undefined);
      }
    } catch (err) {
      this.dirty = true;
      this.log.warn(`hash cache not saved: ${String(err)}`);
    }
  }
}
