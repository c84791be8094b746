import { access, lstat, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppEvent } from '../app-api.js';
import { systemClock, type Clock, type Timer } from '../clock.js';
import { NetError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { ensureDir } from '../paths.js';
import { plural } from '../words.js';
import { normalizeSha1 } from './base32.js';
import { HASH_CACHE_FILE } from './hash-cache.js';
import { HashCacheFile } from './hash-cache-file.js';
import { HashQueue } from './hash-queue.js';
import { checkRemoteName, type RemoteNameOptions } from './remote-name.js';
import { DEFAULT_SEARCH_RESULTS, MAX_SEARCH_RESULTS, WATCH_DEBOUNCE_MS, WATCH_MAX_FILES, type SearchOptions, type ShareLibraryOptions } from './share-library-options.js';
import { DEFAULT_MAX_FILES, isInside } from './scanner.js';
import { entryFields, type ResolvedEntry, type ShareEntry } from './share-entry.js';
import { ShareTable, type TableScan } from './share-table.js';
import type { Tracked } from './tracked-entry.js';
import { saveCache, TableHashHost } from './table-hash-host.js';
import { PartQueue } from './part-queue.js';
import { SCAN_JOB_FILES, ScanJobs } from './scan-jobs.js';
import { boxedArray } from './boxed-array.js';
import { ShareWatch } from './share-watch.js';
import { ShareWorkers, takeShareWorkers } from './share-workers.js';
import { libraryRoots, type EarlyScan, type FirstScanLimits } from './early-scan.js';
import { SCAN_PART_FILES, STAT_HASH_MAX_BYTES } from './scan-sizes.js';
import type { ScanEnd, ScanPart } from './worker-messages.js';

export { HASH_CACHE_FILE };
export { DEFAULT_SEARCH_RESULTS, MAX_SEARCH_RESULTS, WATCH_DEBOUNCE_MS, WATCH_MAX_FILES, type SearchOptions, type ShareLibraryOptions };

/**
 * The user's shared files, for every protocol that serves files (issue 4,
 * "Share library"): a scan of the roots and background SHA-1 and Napster
 * md5 with a persistent cache, both in worker threads (issue 9), a keyword
 * index, lookups by index, SHA-1 and name, and the one safe resolver for
 * remote-supplied names.
 */
export class ShareLibrary {
  readonly roots: readonly string[];
  #opts: ShareLibraryOptions;
  #clock: Clock;
  #log: Logger;
  /** The hash cache file (none without a data dir), whether the first scan has read it, and whether it is out of date. */
  #cache: HashCacheFile | undefined;
  /** The entries and their lookups. */
  #table: ShareTable;
  #workers: ShareWorkers;
  #bytes = 0;
  #listeners = new Set<(e: AppEvent) => void>();
  #scanChain: Promise<void> = Promise.resolve();
  #scanQueued: Promise<void> | undefined;
  #hashes: HashQueue<Tracked>;
  #hashHost: TableHashHost;
  /** A walk is being taken in: a `share.hashed` waits for its `share.ready`. */
  #scanning = false;
  /** When the walk that a `share.hashed` is owed for started (undefined: none owed). */
  #hashRunStarted: number | undefined;
  /** Set once the first scan found the share small enough to watch. */
  #watch: ShareWatch | undefined;
  #watchTimer: Timer | undefined;
  #stopped = false;
  /** The save after a walk that left nothing to hash, until it is written. */
  #walkSaving: Promise<void> | undefined;
  /** A first scan's entries that got their hashes with their stats (scan-jobs.ts): counted (their cache rows are formatted when saved). */
  readonly #fresh = (entries: Tracked[]): void => this.#hashHost.freshHashed(entries);

  constructor(opts: ShareLibraryOptions) {
    this.#opts = opts;
    // The same folder given twice (`dir` and `dir/`, or a relative path) is one root, listed once by /shares.
    this.roots = libraryRoots(opts.roots);
    this.#clock = opts.clock ?? systemClock;
    this.#log = opts.log ?? silentLogger;
    if (opts.dataDir !== undefined) this.#cache = new HashCacheFile(join(opts.dataDir, HASH_CACHE_FILE), this.#log);
    this.#table = new ShareTable(this.#cache);
    // Workers started while the program loaded (bin/peerdeck.js) go to the library that shares folders.
    this.#workers = this.roots.length > 0 ? takeShareWorkers(opts.threads) : new ShareWorkers(opts.threads);
    this.#hashHost = new TableHashHost(this.#table, this.#cache, () => this.#settle());
    this.#hashes = new HashQueue(this.#workers, this.#hashHost, this.#clock, this.#log);
  }

  /**
   * Receives `share.ready` after every scan, and `share.hashed` once the
   * hashing that followed has ended (#settle). Returns the unsubscribe function.
   */
  subscribe(listener: (e: AppEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Scans once (reading the hash cache alongside), then hashes in the background and (optionally) watches. */
  async start(): Promise<void> {
    if (this.#opts.dataDir !== undefined) await ensureDir(this.#opts.dataDir);
    await this.rescan();
    if (!this.#opts.watch) return;
    if (this.files > WATCH_MAX_FILES) this.#log.info(`${plural(this.files, 'file')} shared: too many to watch, use /rescan after changes`);
    else {
      this.#watch = new ShareWatch(this.roots, () => this.#changed(), this.#log);
      await this.#refreshWatch();
    }
  }

  /** Stops watching and hashing and saves the hash cache. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#workers.stopHashing();
    this.#watchTimer?.cancel();
    this.#watch?.close();
    await this.#scanChain;
    await this.#hashes.stop();
    await this.#workers.close();
    await this.#saveCache();
  }

  /** Scans the roots again (`/rescan`); calls made while one is queued share it. */
  rescan(): Promise<void> {
    if (this.#scanQueued) return this.#scanQueued;
    const run = this.#scanChain.then(async () => {
      this.#scanQueued = undefined;
      await this.#scan();
      await this.#refreshWatch();
    });
    this.#scanQueued = run;
    this.#scanChain = run.catch((err: unknown) => this.#log.warn(`scan failed: ${String(err)}`));
    return run;
  }

  /** Resolves when every file currently known has its hashes, and the hash cache is saved. */
  async whenHashed(): Promise<void> {
    await this.#hashes.whenDone();
    // A first scan whose files all came with their hashes has no hashing run: the walk's end saves.
    while (this.#walkSaving) await this.#walkSaving;
  }

  get files(): number {
    return this.#table.files;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Files whose hashes are still being computed. */
  get pendingHashes(): number {
    return this.#hashes.pending;
  }

  entries(): IterableIterator<ShareEntry> {
    return this.#table.entries();
  }

  /** Names matching a query, from the in-memory index; never more than MAX_SEARCH_RESULTS. */
  search(query: string, opts: SearchOptions = {}): ShareEntry[] {
    const limit = Math.max(0, Math.min(opts.limit ?? DEFAULT_SEARCH_RESULTS, MAX_SEARCH_RESULTS));
    return this.#table.search(query, opts.mode ?? 'words', limit, opts.filters);
  }

  byIndex(n: number): ShareEntry | undefined {
    return this.#table.byIndex(n);
  }

  /** By SHA-1 as hex, base32 or `urn:sha1:`; only files already hashed. */
  bySha1(sha1: string): ShareEntry | undefined {
    const hex = normalizeSha1(sha1);
    return hex === undefined ? undefined : this.#table.lookups.bySha1(hex);
  }

  /** By exact file name (NFC); the lowest-indexed file when several share it. */
  byName(name: string): ShareEntry | undefined {
    return this.#table.lookups.byName(name);
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
    const entry = opts.allowSubpath && name.includes('/') ? this.#table.lookups.byRel(name) : this.#table.lookups.byName(name);
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
      return { ...entryFields(entry), realPath: real };
    } catch {
      return NetError.notFound('shared file vanished');
    }
  }

  /**
   * One scan: the walk runs in a worker and arrives in parts, each taken in
   * while the worker walks on (share-table.ts). Each file is compared with
   * what the last scan saw (size, mtime, inode): an unchanged file keeps its
   * entry and its place in every lookup and the index, so a rescan of an
   * unchanged share costs one comparison per file (issue 9: `/rescan` < 1 s
   * for 100,000 files).
   */
  async #scan(): Promise<void> {
    if (this.#stopped) return;
    let started = this.#clock.now();
    this.#scanning = true;
    // A scan during a hashing run joins it: one share.hashed when both are done, timed from the first walk.
    if (this.#opts.hash !== false) this.#hashRunStarted ??= started;
    const cache = this.#cache?.read === false ? this.#cache : undefined;
    const s = this.#table.beginScan();
    let pending = 0;
    // This scan queues afresh what needs hashing (files still unhashed come back in its parts).
    this.#hashes.clear();
    // No shared folder (most chat-only nodes): no worker thread is started at all.
    let end = EMPTY_SCAN;
    // A first scan with no hashes remembered (issue 9): the walk lists files by their folders'
    // entry types, and both workers stat each part's files and hash the small ones in one step
    // (scan-jobs.ts); what is left to hash (larger files) is queued once every part is in, so
    // share.ready never waits behind a large read.
    let held: Tracked[] | undefined;
    let jobs: ScanJobs | undefined;
    const parts = new PartQueue((part) => (pending += this.#takePart(s, part, held)));
    let walked = false;
    try {
      if (this.roots.length > 0) {
        const firstHashing = s.gen === 1 && this.#opts.hash !== false;
        const cacheThere = (firstHashing || cache !== undefined) && (await this.#cacheExists());
        const partFiles = this.#opts.scanPartFiles ?? SCAN_PART_FILES;
        const limits: FirstScanLimits = {
          maxFiles: this.#opts.maxFiles ?? DEFAULT_MAX_FILES,
          partFiles: Math.min(partFiles, SCAN_JOB_FILES),
          maxBytes: this.#opts.statHashMaxBytes ?? STAT_HASH_MAX_BYTES,
        };
        // A first scan begun before the program loaded (early-scan.ts) is this scan if it is the one
        // asked for below; otherwise it is cancelled (its walk ends on its own, unheard).
        let early: EarlyScan | undefined = this.#workers.takeEarlyScan();
        if (early && !(firstHashing && !cacheThere && early.matches(this.roots, limits))) {
          early.cancel();
          early = undefined;
        }
        // A first scan with no hashes remembered hashes every file: the second worker starts now
        // instead of at the first part, while the walk begins (issue 9).
        if (firstHashing && !cacheThere) {
          this.#workers.startAll();
          held = boxedArray();
          jobs = early ? early.jobs : new ScanJobs(this.#workers, limits.maxBytes);
          jobs.handTo((part) => parts.push(part));
        }
        if (early) {
          // The scan began that long before this call: its share.hashed and log line say so.
          started -= Math.round(early.ageMs);
          this.#hashRunStarted = started;
        }
        // No cache file yet (a first start): the walk is not asked to look each file up in one, which
        // would send a record of spaces for every file (issue 9: 10 MB for 100,000 files, copied on
        // both threads); the cache counts as read, with nothing in it.
        if (cache && !cacheThere) cache.loaded({ rows: 0, used: 0 });
        end = early
          ? await early.end
          : await this.#workers.scan(
              this.roots,
              {
                maxFiles: limits.maxFiles,
                partFiles: jobs ? limits.partFiles : partFiles,
                cache: cache && cacheThere ? { file: cache.file, legacyFile: cache.legacyFile } : undefined,
                list: jobs !== undefined,
              },
              (part) => (jobs ? jobs.list(part) : parts.push(part)),
            );
        if (jobs) {
          await jobs.finish();
          end = { ...end, files: end.files - jobs.gone, skipped: end.skipped + jobs.gone };
        }
        parts.finish();
        if (held && held.length > 0 && !this.#stopped) this.#hashes.add(held);
      }
      walked = true;
    } finally {
      jobs?.cancel();
      parts.cancel();
      if (!walked) {
        this.#scanning = false;
        this.#walkEnded(false);
      }
    }
    if (end.cache) cache?.loaded(end.cache);
    this.#table.endScan(s);
    this.#scanning = false;
    this.#walkEnded(true);
    this.#bytes = s.bytes;
    this.#log.info(
      `shared ${plural(this.#table.files, 'file')} (${plural(s.bytes, 'byte')}) in ${this.#clock.now() - started} ms; ` +
        `${pending} to hash, ${end.skipped} skipped${end.truncated ? ', list truncated' : ''}`,
    );
    this.#emit({ type: 'share.ready', files: this.#table.files, bytes: s.bytes });
  }

  /**
   * Takes in one part of a walk; hashing starts with the first part (one
   * worker hashes while the other still walks), or, with `held` (a first
   * scan's parts, complete with the small files' hashes), the files left
   * to hash are kept there until the walk's parts are all in. Returns the
   * files to hash.
   */
  #takePart(s: TableScan, part: ScanPart, held: Tracked[] | undefined): number {
    const pending = this.#table.takePart(s, part, held && this.#fresh);
    if (held) for (let i = 0; i < pending.length; i++) held.push(pending[i]!);
    else if (this.#opts.hash !== false && !this.#stopped) this.#hashes.add(pending);
    return pending.length;
  }

  /**
   * After a walk: the walking worker hashes too from now on, and a hashing
   * run may end (and save the cache) now that the walk's files are all in
   * the table. With nothing (left) to hash, the hashing worker goes, what
   * the walk changed (files gone, hashes saved while it walked) is saved,
   * and (the walk `ok`) `share.hashed` says so right after the scan's
   * `share.ready`, as the write begins: every file is in the table with its
   * hashes, which is what the event promises; the write is atomic, and
   * `whenHashed()` and `stop()` wait for it (issue 9: a first scan of small
   * files, whose hashes all come with the walk, no longer keeps its
   * `share.hashed` back for the 18 MB write and fsync of 100,000 rows). A
   * script waits for one event whether or not the scan found anything to hash.
   */
  #walkEnded(ok: boolean): void {
    this.#hashes.pump();
    if (this.#hashes.running) return;
    this.#workers.release();
    // After the share.ready the scan emits next (this runs before it, in the same turn).
    if (ok) queueMicrotask(() => this.#settle());
    // The save puts the file together in the next turn of the event loop, once the events of this
    // one are out (headless prints a turn's events at its end). Never rejects (a failure is
    // logged); whenHashed() and stop() wait for it.
    const saving = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#saveCache()).then(() => {
      if (this.#walkSaving === saving) this.#walkSaving = undefined;
      // Rows encoded as hash batches came in (a walk's hashing run) are in the file now.
      if (!this.#hashes.running) this.#table.dropRows();
    });
    this.#walkSaving = saving;
  }

  /**
   * `share.hashed`, once per hashing run (issue 9): when one is owed, no walk
   * is being taken in, nothing is left to hash and the cache is saved. A
   * stopped library says nothing (its hashing did not end, it was cut).
   */
  #settle(): void {
    const started = this.#hashRunStarted;
    if (started === undefined || this.#scanning || this.#stopped || this.#hashes.running) return;
    this.#hashRunStarted = undefined;
    const e: AppEvent = {
      type: 'share.hashed',
      files: this.#table.files,
      bytes: this.#bytes,
      hashed: this.#hashHost.takeHashed(),
      unhashed: this.#table.unhashed(),
      ms: this.#clock.now() - started,
    };
    this.#log.info(`hashed ${plural(e.hashed, 'file')} in ${e.ms} ms; ${e.files - e.unhashed} of ${plural(e.files, 'file')} ${plural(e.files - e.unhashed, 'has its', 'have their')} hashes`);
    this.#emit(e);
  }

  /** Whether a hash cache file (or the JSON one of earlier versions) is there to read. */
  async #cacheExists(): Promise<boolean> {
    if (!this.#cache) return false;
    for (const file of [this.#cache.file, this.#cache.legacyFile]) {
      if (await access(file).then(() => true, () => false)) return true;
    }
    return false;
  }

  /** Writes the hash cache if it changed. */
  #saveCache(): Promise<void> {
    return saveCache(this.#cache, this.#table);
  }

  /** After a scan: shared folders made again are watched anew; one that is gone is said once. */
  async #refreshWatch(): Promise<void> {
    if (!this.#watch || this.#stopped) return;
    for (const root of await this.#watch.refresh()) {
      const text = `shared folder ${root} is gone: nothing in it is shared until it is back and /rescan finds it`;
      this.#log.warn(text);
      this.#emit({ type: 'notice', protocol: 'files', text });
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

const EMPTY_SCAN: ScanEnd = { files: 0, skipped: 0, truncated: false };
