import { watch, type FSWatcher } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppEvent } from '../app-api.js';
import { systemClock, type Clock, type Timer } from '../clock.js';
import { NetError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { ensureDir } from '../paths.js';
import { normalizeSha1 } from './base32.js';
import { HashBuffers, hashFile } from './file-hasher.js';
import { HashCache } from './hash-cache.js';
import { KeywordIndex, type IndexFilters, type SearchMode } from './keyword-index.js';
import { MultiMap, nfc } from './multi-map.js';
import { checkRemoteName, type RemoteNameOptions } from './remote-name.js';
import { DEFAULT_MAX_FILES, isInside, scanRoots } from './scanner.js';
import type { MutableEntry, ResolvedEntry, ShareEntry } from './share-entry.js';

/** Results returned by one search, whatever the caller asks. */
export const MAX_SEARCH_RESULTS = 1000;
/** Results when the caller names no limit. */
export const DEFAULT_SEARCH_RESULTS = 100;
/** Hash cache file name inside the data dir. */
export const HASH_CACHE_FILE = 'share-hashes.json';
/** Quiet time after a file-system change before the rescan it triggers. */
export const WATCH_DEBOUNCE_MS = 1_000;
/**
 * Largest share watched for changes: Node's recursive watcher walks the tree
 * synchronously when it starts (about 1 s per 100,000 files here), so bigger
 * shares rely on `/rescan` instead.
 */
export const WATCH_MAX_FILES = 50_000;
/** Files hashed at once: enough to keep the fs thread pool busy with small files, each with 2 MiB of buffers. */
export const HASH_WORKERS = 4;
/** Save the hash cache at least this often while hashing. */
export const CACHE_SAVE_EVERY_MS = 5_000;

/** How the node builds the library (`--share`, data dir, watching). */
export interface ShareLibraryOptions {
  /** Shared roots (`--share DIR`, repeatable). */
  roots: readonly string[];
  /** Where the hash cache lives; without it hashes are kept in memory only. */
  dataDir?: string;
  /** Watch the roots and rescan on change (else only `/rescan`). */
  watch?: boolean;
  /** Hash in the background (default true). */
  hash?: boolean;
  maxFiles?: number;
  clock?: Clock;
  log?: Logger;
}

/** Query mode (default words), result cap (default 100, at most 1000) and filters (size, type, extension). */
export interface SearchOptions {
  mode?: SearchMode;
  limit?: number;
  filters?: IndexFilters;
}

/**
 * The user's shared files, for every protocol that serves files (issue 4,
 * "Share library"): an async scan of the roots, background SHA-1 and Napster
 * md5 with a persistent cache, a keyword index, lookups by index, SHA-1 and
 * name, and the one safe resolver for remote-supplied names.
 */
export class ShareLibrary {
  readonly roots: readonly string[];
  #opts: ShareLibraryOptions;
  #clock: Clock;
  #log: Logger;
  #cache: HashCache | undefined;
  #entries = new Map<number, MutableEntry>();
  #byName = new MultiMap<string, MutableEntry>();
  #byRel = new Map<string, MutableEntry>();
  #bySha1 = new MultiMap<string, MutableEntry>();
  #index = new KeywordIndex();
  #indexByPath = new Map<string, number>();
  #nextIndex = 1;
  #bytes = 0;
  #listeners = new Set<(e: AppEvent) => void>();
  #scanChain: Promise<void> = Promise.resolve();
  #scanQueued: Promise<void> | undefined;
  /** Files to hash, consumed from #hashHead (slots behind it are cleared). */
  #hashQueue: Array<MutableEntry | undefined> = [];
  #hashHead = 0;
  #hashing: Promise<void> | undefined;
  #abort = new AbortController();
  #watchers: FSWatcher[] = [];
  #watchTimer: Timer | undefined;
  #stopped = false;

  constructor(opts: ShareLibraryOptions) {
    this.#opts = opts;
    this.roots = [...opts.roots];
    this.#clock = opts.clock ?? systemClock;
    this.#log = opts.log ?? silentLogger;
    if (opts.dataDir !== undefined) this.#cache = new HashCache(join(opts.dataDir, HASH_CACHE_FILE));
  }

  /** Receives `share.ready` after every scan. Returns the unsubscribe function. */
  subscribe(listener: (e: AppEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Loads the hash cache, scans once, then hashes in the background and (optionally) watches. */
  async start(): Promise<void> {
    if (this.#opts.dataDir !== undefined) await ensureDir(this.#opts.dataDir);
    await this.#cache?.load();
    await this.rescan();
    if (!this.#opts.watch) return;
    if (this.files > WATCH_MAX_FILES) this.#log.info(`${this.files} files shared: too many to watch, use /rescan after changes`);
    else this.#watch();
  }

  /** Stops watching and hashing and saves the hash cache. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    this.#watchTimer?.cancel();
    for (const w of this.#watchers) w.close();
    this.#watchers = [];
    await this.#scanChain;
    await this.#hashing;
    await this.#saveCache();
  }

  /** Scans the roots again (`/rescan`); calls made while one is queued share it. */
  rescan(): Promise<void> {
    if (this.#scanQueued) return this.#scanQueued;
    const run = this.#scanChain.then(async () => {
      this.#scanQueued = undefined;
      await this.#scan();
    });
    this.#scanQueued = run;
    this.#scanChain = run.catch((err: unknown) => this.#log.warn(`scan failed: ${String(err)}`));
    return run;
  }

  /** Resolves when every file currently known has its hashes. */
  async whenHashed(): Promise<void> {
    while (this.#hashing) await this.#hashing;
  }

  get files(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Files whose hashes are still being computed. */
  get pendingHashes(): number {
    return this.#hashQueue.length - this.#hashHead;
  }

  entries(): IterableIterator<ShareEntry> {
    return this.#entries.values();
  }

  /** Names matching a query, from the in-memory index; never more than MAX_SEARCH_RESULTS. */
  search(query: string, opts: SearchOptions = {}): ShareEntry[] {
    const limit = Math.max(0, Math.min(opts.limit ?? DEFAULT_SEARCH_RESULTS, MAX_SEARCH_RESULTS));
    const ids = this.#index.search(query, opts.mode ?? 'words', limit, opts.filters);
    return ids.map((id) => this.#entries.get(id)).filter((e): e is MutableEntry => e !== undefined);
  }

  byIndex(n: number): ShareEntry | undefined {
    return this.#entries.get(n);
  }

  /** By SHA-1 as hex, base32 or `urn:sha1:`; only files already hashed. */
  bySha1(sha1: string): ShareEntry | undefined {
    const hex = normalizeSha1(sha1);
    return hex === undefined ? undefined : this.#bySha1.first(hex);
  }

  /** By exact file name (NFC); the lowest-indexed file when several share it. */
  byName(name: string): ShareEntry | undefined {
    return this.#byName.first(nfc(name));
  }

  /**
   * The one safe way from a remote-supplied name to a file (issue 4): the name
   * must pass `checkRemoteName`, be a name the library holds, and still resolve
   * on disk to a regular file inside its shared root (a symlink swapped in since
   * the scan fails). Refused names give PATH; clean but unknown names NOT_FOUND.
   */
  async resolveRemoteName(name: string, opts: RemoteNameOptions = {}): Promise<ResolvedEntry | NetError> {
    const bad = checkRemoteName(name, opts);
    if (bad) return bad;
    const key = nfc(name);
    const entry = opts.allowSubpath && key.includes('/') ? this.#byRel.get(key) : this.#byName.first(key);
    if (!entry) return NetError.notFound('no such shared file');
    return this.verifyOnDisk(entry);
  }

  /** Checks an entry (from any lookup) against the disk right now; PATH if it left its root. */
  async verifyOnDisk(entry: ShareEntry): Promise<ResolvedEntry | NetError> {
    try {
      const real = await realpath(entry.path);
      if (!isInside(entry.rootReal, real)) return NetError.path('file now points outside the share');
      const st = await lstat(real);
      if (!st.isFile()) return NetError.path('not a regular file');
      return { ...entry, realPath: real };
    } catch {
      return NetError.notFound('shared file vanished');
    }
  }

  async #scan(): Promise<void> {
    if (this.#stopped) return;
    const started = this.#clock.now();
    const result = await scanRoots(this.roots, this.#opts.maxFiles ?? DEFAULT_MAX_FILES);
    const seen = new Set<string>();
    const next = new Map<number, MutableEntry>();
    const pending: MutableEntry[] = [];
    let bytes = 0;
    for (const f of result.files) {
      if (seen.has(f.path)) continue; // the same root given twice
      seen.add(f.path);
      let index = this.#indexByPath.get(f.path);
      if (index === undefined) this.#indexByPath.set(f.path, (index = this.#nextIndex++));
      bytes += f.size;
      const old = this.#entries.get(index);
      if (old && old.size === f.size && old.mtimeMs === f.mtimeMs) {
        next.set(index, old); // unchanged: its lookups stay as they are
        if (!old.sha1) pending.push(old);
        continue;
      }
      if (old) this.#unlink(old);
      const e: MutableEntry = { index, ...f };
      const cached = this.#cache?.get(f.path, f.size, f.mtimeMs);
      if (cached) {
        e.sha1 = cached.sha1;
        e.sha1Base32 = cached.sha1Base32;
        e.md5 = cached.md5;
      } else pending.push(e);
      next.set(index, e);
      this.#link(e);
    }
    for (const [index, old] of this.#entries) {
      if (next.has(index)) continue;
      this.#unlink(old);
      this.#indexByPath.delete(old.path);
    }
    this.#entries = next;
    this.#bytes = bytes;
    if (!result.truncated) this.#cache?.retain(seen);
    this.#log.info(
      `shared ${next.size} files (${bytes} bytes) in ${this.#clock.now() - started} ms; ` +
        `${pending.length} to hash, ${result.skipped} skipped${result.truncated ? ', list truncated' : ''}`,
    );
    this.#emit({ type: 'share.ready', files: next.size, bytes });
    if (this.#opts.hash !== false) this.#queueHashes(pending);
  }

  /** Makes an entry findable by name, path, SHA-1 and keywords. */
  #link(e: MutableEntry): void {
    this.#byName.add(nfc(e.name), e);
    this.#byRel.set(nfc(e.relPath), e);
    if (e.sha1) this.#bySha1.add(e.sha1, e);
    this.#index.add(e.index, e.name, e.size);
  }

  #unlink(e: MutableEntry): void {
    this.#byName.delete(nfc(e.name), e);
    if (this.#byRel.get(nfc(e.relPath)) === e) this.#byRel.delete(nfc(e.relPath));
    if (e.sha1) this.#bySha1.delete(e.sha1, e);
    this.#index.remove(e.index);
  }

  #queueHashes(pending: MutableEntry[]): void {
    this.#hashQueue = pending;
    this.#hashHead = 0;
    if (this.#hashing || pending.length === 0) return;
    this.#hashing = this.#hashLoop().finally(() => {
      this.#hashing = undefined;
    });
  }

  /**
   * Hashes the queue with HASH_WORKERS files in flight (issue 9: a first scan of many
   * small files waited on one file's open, read and close at a time), each worker
   * reusing its read buffers; the cache is saved in batches, every CACHE_SAVE_EVERY_MS.
   */
  async #hashLoop(): Promise<void> {
    let lastSave = this.#clock.now();
    let lastSaveMs = 0;
    let saving: Promise<void> | undefined;
    const worker = async (): Promise<void> => {
      const buffers = new HashBuffers();
      for (let e = this.#nextToHash(); e && !this.#stopped; e = this.#nextToHash()) {
        if (this.#entries.get(e.index) !== e) continue; // replaced by a rescan
        try {
          const h = await hashFile(e.path, { signal: this.#abort.signal, buffers, size: e.size });
          if (h.size !== e.size) continue; // changed while hashing: the watcher or next rescan picks it up
          if (this.#entries.get(e.index) !== e) continue;
          e.sha1 = h.sha1;
          e.sha1Base32 = h.sha1Base32;
          e.md5 = h.md5;
          this.#bySha1.add(h.sha1, e);
          this.#cache?.set(e.path, e.mtimeMs, h);
        } catch (err) {
          if (this.#stopped) break;
          this.#log.debug(`hash ${e.path}: ${String(err)}`);
        }
        // Saved in batches: every CACHE_SAVE_EVERY_MS, but never more than a tenth of the
        // time (rewriting a cache of 100,000 rows is not free).
        if (!saving && this.#clock.now() - lastSave >= Math.max(CACHE_SAVE_EVERY_MS, 10 * lastSaveMs)) {
          const t0 = this.#clock.now();
          saving = this.#saveCache().finally(() => {
            lastSave = this.#clock.now();
            lastSaveMs = lastSave - t0;
            saving = undefined;
          });
        }
      }
    };
    await Promise.all(Array.from({ length: HASH_WORKERS }, worker));
    await saving;
    await this.#saveCache();
  }

  /** The next queued entry (the queue is consumed from the front without shifting it). */
  #nextToHash(): MutableEntry | undefined {
    if (this.#hashHead >= this.#hashQueue.length) {
      this.#hashQueue = [];
      this.#hashHead = 0;
      return undefined;
    }
    const e = this.#hashQueue[this.#hashHead];
    this.#hashQueue[this.#hashHead++] = undefined;
    return e;
  }

  async #saveCache(): Promise<void> {
    try {
      await this.#cache?.save();
    } catch (err) {
      this.#log.warn(`hash cache not saved: ${String(err)}`);
    }
  }

  #watch(): void {
    for (const root of this.roots) {
      try {
        const w = watch(root, { recursive: true, persistent: false }, () => this.#changed());
        w.on('error', (err) => {
          this.#log.warn(`watching ${root} stopped: ${String(err)}; use /rescan`);
          w.close();
        });
        this.#watchers.push(w);
      } catch (err) {
        this.#log.warn(`cannot watch ${root}: ${String(err)}; use /rescan`);
      }
    }
  }

  #changed(): void {
    this.#watchTimer?.cancel();
    this.#watchTimer = this.#clock.setTimeout(() => {
      void this.rescan().catch(() => undefined);
    }, WATCH_DEBOUNCE_MS);
  }

  #emit(e: AppEvent): void {
    for (const l of this.#listeners) l(e);
  }
}
