import { watch, type FSWatcher } from 'node:fs';
import { lstat, realpath, unlink } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import type { AppEvent } from '../app-api.js';
import { systemClock, type Clock, type Timer } from '../clock.js';
import { NetError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { ensureDir, writeFileAtomic } from '../paths.js';
import { normalizeSha1 } from './base32.js';
import { formatHashCache, HASH_CACHE_FILE, LEGACY_HASH_CACHE_FILE, type CacheRow } from './hash-cache.js';
import { KeywordIndex, type IndexFilters, type SearchMode } from './keyword-index.js';
import { MultiMap, nfc } from './multi-map.js';
import { checkRemoteName, type RemoteNameOptions } from './remote-name.js';
import { DEFAULT_MAX_FILES, isInside } from './scanner.js';
import type { MutableEntry, ResolvedEntry, ShareEntry } from './share-entry.js';
import { ShareWorkers } from './share-workers.js';
import { SCAN_PART_FILES } from './walk-sync.js';
import { HASH_RECORD_CHARS, MD5_HEX_CHARS, NAME_SEPARATOR, SHA1_HEX_CHARS, type PackedHashes, type ScanEnd, type ScanPart } from './worker-messages.js';

/** Results returned by one search, whatever the caller asks. */
export const MAX_SEARCH_RESULTS = 1000;
/** Results when the caller names no limit. */
export const DEFAULT_SEARCH_RESULTS = 100;
export { HASH_CACHE_FILE };
/** Quiet time after a file-system change before the rescan it triggers. */
export const WATCH_DEBOUNCE_MS = 1_000;
/**
 * Largest share watched for changes: Node's recursive watcher walks the tree
 * synchronously when it starts (about 1 s per 100,000 files here), so bigger
 * shares rely on `/rescan` instead.
 */
export const WATCH_MAX_FILES = 50_000;
/** Batches in flight per worker thread: one hashing while the library takes in the other's results. */
export const HASH_BATCHES_PER_WORKER = 2;
/** Most files in one hash batch (a batch is one message each way). */
export const HASH_BATCH_FILES = 1024;
/** Most bytes in one hash batch (a larger file goes alone), so results of small files keep flowing. */
export const HASH_BATCH_BYTES = 64 * 1024 * 1024;
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
  /** Files per part of a scan that the walking worker sends (default SCAN_PART_FILES; small in tests). */
  scanPartFiles?: number;
  /** Worker threads that scan and hash (default SHARE_WORKER_THREADS). */
  threads?: number;
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
  /** The hash cache file (none without a data dir), whether the first scan has read it, and whether it is out of date. */
  #cacheFile: string | undefined;
  #cacheRead = false;
  #cacheDirty = false;
  #cacheLegacy = false;
  #saveChain: Promise<void> = Promise.resolve();
  #entries = new Map<number, MutableEntry>();
  #byName = new MultiMap<string, MutableEntry>();
  #byRel = new Map<string, MutableEntry>();
  #bySha1 = new MultiMap<string, MutableEntry>();
  #index = new KeywordIndex();
  /** Every shared file by absolute path, with what the last scan saw of it. */
  #byPath = new Map<string, Tracked>();
  /** Scan number: a file the current scan did not see has an older one. */
  #gen = 0;
  #workers: ShareWorkers;
  #nextIndex = 1;
  #bytes = 0;
  #listeners = new Set<(e: AppEvent) => void>();
  #scanChain: Promise<void> = Promise.resolve();
  #scanQueued: Promise<void> | undefined;
  /** Files to hash, consumed from #hashHead (slots behind it are cleared). */
  #hashQueue: Array<MutableEntry | undefined> = [];
  #hashHead = 0;
  #hashing: Promise<void> | undefined;
  #watchers: FSWatcher[] = [];
  #watchTimer: Timer | undefined;
  #stopped = false;

  constructor(opts: ShareLibraryOptions) {
    this.#opts = opts;
    this.roots = [...opts.roots];
    this.#clock = opts.clock ?? systemClock;
    this.#log = opts.log ?? silentLogger;
    if (opts.dataDir !== undefined) this.#cacheFile = join(opts.dataDir, HASH_CACHE_FILE);
    this.#workers = new ShareWorkers(opts.threads);
  }

  /** Receives `share.ready` after every scan. Returns the unsubscribe function. */
  subscribe(listener: (e: AppEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Scans once (reading the hash cache alongside), then hashes in the background and (optionally) watches. */
  async start(): Promise<void> {
    if (this.#opts.dataDir !== undefined) await ensureDir(this.#opts.dataDir);
    await this.rescan();
    if (!this.#opts.watch) return;
    if (this.files > WATCH_MAX_FILES) this.#log.info(`${this.files} files shared: too many to watch, use /rescan after changes`);
    else this.#watch();
  }

  /** Stops watching and hashing and saves the hash cache. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#workers.stopHashing();
    this.#watchTimer?.cancel();
    for (const w of this.#watchers) w.close();
    this.#watchers = [];
    await this.#scanChain;
    await this.#hashing;
    await this.#workers.close();
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

  /**
   * One scan: the walk runs in a worker and arrives in parts, each taken in
   * while the worker walks on. Each file is compared with what the last scan
   * saw (size, mtime, inode): an unchanged file keeps its entry and its place
   * in every lookup and the index, so a rescan of an unchanged share touches
   * one Map entry per file (issue 9: `/rescan` < 1 s for 100,000 files).
   */
  async #scan(): Promise<void> {
    if (this.#stopped) return;
    const started = this.#clock.now();
    const cacheFile = this.#cacheRead ? undefined : this.#cacheFile;
    const s: ScanState = { gen: ++this.#gen, pending: 0, bytes: 0, kept: 0, dirPaths: [], dirRels: [], dirRoots: [] };
    // This scan queues afresh what needs hashing (files still unhashed come back in its parts).
    this.#hashQueue = [];
    this.#hashHead = 0;
    // No shared folder (most chat-only nodes): no worker thread is started at all.
    const end =
      this.roots.length === 0
        ? EMPTY_SCAN
        : await this.#workers.scan(
            this.roots,
            {
              maxFiles: this.#opts.maxFiles ?? DEFAULT_MAX_FILES,
              partFiles: this.#opts.scanPartFiles ?? SCAN_PART_FILES,
              cache: cacheFile === undefined ? undefined : { file: cacheFile, legacyFile: join(dirname(cacheFile), LEGACY_HASH_CACHE_FILE) },
            },
            (part) => this.#takePart(s, part),
          );
    if (end.cache) {
      this.#cacheRead = true;
      const c = end.cache;
      if (c.reason !== undefined) this.#log.warn(`hash cache ${cacheFile!}: ${c.reason}; those files are hashed again`);
      // Rows for files that left or changed, a bad row, or the old format: rewrite it.
      if (c.rows !== c.used || c.reason !== undefined || c.legacy) this.#cacheDirty = true;
      this.#cacheLegacy = c.legacy === true;
    }
    if (s.kept !== this.#byPath.size) {
      for (const [path, e] of this.#byPath) {
        if (e.gen === s.gen) continue;
        this.#unlink(e);
        if (e.sha1) this.#cacheDirty = true;
        this.#entries.delete(e.index);
        this.#byPath.delete(path);
      }
    }
    this.#bytes = s.bytes;
    this.#log.info(
      `shared ${this.#entries.size} files (${s.bytes} bytes) in ${this.#clock.now() - started} ms; ` +
        `${s.pending} to hash, ${end.skipped} skipped${end.truncated ? ', list truncated' : ''}`,
    );
    this.#emit({ type: 'share.ready', files: this.#entries.size, bytes: s.bytes });
  }

  /** Takes in one part of a walk: new and changed files get entries (with cached hashes), unchanged ones keep theirs. */
  #takePart(s: ScanState, part: ScanPart): void {
    const pending: MutableEntry[] = [];
    for (let i = 0; i < part.dirPaths.length; i++) {
      s.dirPaths[part.firstDir + i] = part.dirPaths[i]!;
      s.dirRels[part.firstDir + i] = part.dirRels[i]!;
      s.dirRoots[part.firstDir + i] = part.dirRoots[i]!;
    }
    const cached = part.cached;
    const paths = part.paths === '' ? [] : part.paths.split(NAME_SEPARATOR);
    for (let i = 0; i < paths.length; i++) {
      // Slices of one string from the worker: no string is built or flattened for an unchanged file.
      const path = paths[i]!;
      const dir = part.fileDir[i]!;
      const size = part.sizes[i]!;
      const mtimeMs = part.mtimes[i]!;
      const ino = part.inos[i]!;
      const known = this.#byPath.get(path);
      if (known?.gen === s.gen) continue; // the same root given twice
      s.kept++;
      s.bytes += size;
      if (known && known.size === size && known.mtimeMs === mtimeMs && known.ino === ino) {
        known.gen = s.gen; // unchanged: its lookups stay as they are
        if (!known.sha1) pending.push(known);
        continue;
      }
      let index: number;
      if (known) {
        this.#unlink(known);
        if (known.sha1) this.#cacheDirty = true;
        index = known.index;
      } else index = this.#nextIndex++;
      const dirPath = s.dirPaths[dir]!;
      const name = path.slice(dirPath.endsWith(sep) ? dirPath.length : dirPath.length + 1);
      const rel = s.dirRels[dir]!;
      const { root, rootReal } = part.roots[s.dirRoots[dir]!]!;
      const at = i * HASH_RECORD_CHARS;
      const hit = cached !== undefined && cached.charCodeAt(at) !== SPACE;
      // One object per file, all fields at once (one shape; issue 9: a warm start makes 100,000).
      const e: Tracked = {
        index,
        name,
        relPath: rel === '' ? name : `${rel}/${name}`,
        root,
        rootReal,
        path,
        size,
        mtimeMs,
        sha1: hit ? cached.slice(at, at + SHA1_HEX_CHARS) : undefined,
        md5: hit ? cached.slice(at + SHA1_HEX_CHARS, at + SHA1_HEX_CHARS + MD5_HEX_CHARS) : undefined,
        sha1Base32: hit ? cached.slice(at + SHA1_HEX_CHARS + MD5_HEX_CHARS, at + HASH_RECORD_CHARS) : undefined,
        ino,
        gen: s.gen,
      };
      if (!hit) pending.push(e);
      this.#entries.set(index, e);
      this.#byPath.set(path, e);
      this.#link(e);
    }
    s.pending += pending.length;
    // Hashing starts with the first part: one worker hashes while the other still walks.
    if (this.#opts.hash !== false && !this.#stopped) this.#queueHashes(pending);
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

  /** Adds files to the hash queue and starts hashing if it is not running. */
  #queueHashes(pending: readonly MutableEntry[]): void {
    for (const e of pending) this.#hashQueue.push(e);
    this.#startHashing();
  }

  /** Runs the hash loop while the queue holds files (also for files queued while a loop was ending). */
  #startHashing(): void {
    if (this.#hashing || this.#stopped || this.pendingHashes === 0) return;
    this.#hashing = this.#hashLoop().finally(() => {
      this.#hashing = undefined;
      this.#startHashing();
    });
  }

  /**
   * Hashes the queue in the worker threads (issue 9: one file at a time on the
   * event loop, with a promise per read, was 0.02-0.08 x `sha1sum`): batches of
   * up to HASH_BATCH_FILES files, HASH_BATCHES_PER_WORKER in flight per
   * worker; the cache is saved in batches, every CACHE_SAVE_EVERY_MS.
   */
  async #hashLoop(): Promise<void> {
    let lastSave = this.#clock.now();
    let lastSaveMs = 0;
    let saving: Promise<void> | undefined;
    const lane = async (worker: number): Promise<void> => {
      for (let batch = this.#nextBatch(); batch.length > 0 && !this.#stopped; batch = this.#nextBatch()) {
        let hashes: PackedHashes;
        try {
          hashes = await this.#workers.hash(worker, batch.map((e) => e.path), Float64Array.from(batch, (e) => e.size));
        } catch (err) {
          if (this.#stopped) return;
          this.#log.warn(`hashing ${batch.length} files failed: ${String(err)}; the next rescan tries again`);
          continue;
        }
        this.#takeHashes(batch, hashes);
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
    const lanes = this.#workers.threads * HASH_BATCHES_PER_WORKER;
    await Promise.all(Array.from({ length: lanes }, (_, i) => lane(i % this.#workers.threads)));
    this.#workers.release(); // the hashing-only workers go; the one that walks stays for rescans
    await saving;
    await this.#saveCache();
  }

  /** Files from the front of the queue, still shared, up to HASH_BATCH_FILES and HASH_BATCH_BYTES (at least one). */
  #nextBatch(): MutableEntry[] {
    const batch: MutableEntry[] = [];
    let bytes = 0;
    while (batch.length < HASH_BATCH_FILES) {
      const e = this.#hashQueue[this.#hashHead];
      if (e === undefined && this.#hashHead >= this.#hashQueue.length) break;
      if (e && batch.length > 0 && bytes + e.size > HASH_BATCH_BYTES) break;
      this.#nextToHash();
      if (!e || this.#entries.get(e.index) !== e || e.sha1) continue; // replaced by a rescan, or hashed
      batch.push(e);
      bytes += e.size;
    }
    return batch;
  }

  /** Takes in a batch's hashes, for files that are still as they were when the batch left. */
  #takeHashes(batch: readonly MutableEntry[], h: PackedHashes): void {
    for (const err of h.errors) this.#log.debug(`hash ${err}`);
    for (let i = 0; i < batch.length; i++) {
      const e = batch[i]!;
      // Not hashed, or changed while hashing (the watcher or the next rescan picks it up), or replaced.
      if (h.sizes[i] !== e.size || this.#entries.get(e.index) !== e) continue;
      const at = i * HASH_RECORD_CHARS;
      e.sha1 = h.records.slice(at, at + SHA1_HEX_CHARS);
      e.md5 = h.records.slice(at + SHA1_HEX_CHARS, at + SHA1_HEX_CHARS + MD5_HEX_CHARS);
      e.sha1Base32 = h.records.slice(at + SHA1_HEX_CHARS + MD5_HEX_CHARS, at + HASH_RECORD_CHARS);
      this.#bySha1.add(e.sha1, e);
      this.#cacheDirty = true;
    }
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

  /** Writes the hash cache if it changed (one write at a time, each atomic: temp file + rename). */
  #saveCache(): Promise<void> {
    const run = this.#saveChain.then(() => this.#saveOnce());
    this.#saveChain = run;
    return run;
  }

  async #saveOnce(): Promise<void> {
    const file = this.#cacheFile;
    if (file === undefined || !this.#cacheDirty) return;
    this.#cacheDirty = false;
    try {
      await writeFileAtomic(file, formatHashCache(this.#cacheRows()));
      if (this.#cacheLegacy) {
        this.#cacheLegacy = false;
        await unlink(join(dirname(file), LEGACY_HASH_CACHE_FILE)).catch(() => undefined);
      }
    } catch (err) {
      this.#cacheDirty = true;
      this.#log.warn(`hash cache not saved: ${String(err)}`);
    }
  }

  /** Every hashed file, as the cache remembers it. */
  *#cacheRows(): Generator<CacheRow> {
    for (const [path, e] of this.#byPath) {
      if (e.sha1 === undefined || e.md5 === undefined || e.sha1Base32 === undefined) continue;
      yield { path, size: e.size, mtimeMs: e.mtimeMs, ino: e.ino, sha1: e.sha1, md5: e.md5, sha1Base32: e.sha1Base32 };
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

const SPACE = 0x20;
const EMPTY_SCAN: ScanEnd = { files: 0, skipped: 0, truncated: false };

/** One scan in progress: the directories its parts named so far, and what it found. */
interface ScanState {
  gen: number;
  /** Files queued for hashing so far. */
  pending: number;
  bytes: number;
  kept: number;
  dirPaths: string[];
  dirRels: string[];
  dirRoots: number[];
}

/**
 * A shared file as the library holds it: the entry protocols see, plus what
 * the last scan saw of it (its inode, and the scan's number).
 */
interface Tracked extends MutableEntry {
  ino: number;
  gen: number;
}
