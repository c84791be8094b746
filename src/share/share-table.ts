/**
 * What the library shares right now (issue 4, "Share library"): one entry
 * per file with a stable index, the lookups over them (share-lookups.ts), and
 * how a scan's parts become entries. A scan walks in the order the last one
 * did (readdir's, folder by folder), so each file is matched against the
 * last scan's next file: an unchanged share is taken in with one comparison
 * per file and no map of every path (issue 9: a first scan, a restart and
 * `/rescan` of 100,000 files).
 */
import { sep } from 'node:path';
import { CacheRowChunks } from './cache-rows.js';
import type { CacheRow } from './hash-cache.js';
import type { IndexFilters, SearchMode } from './keyword-index.js';
import { ShareLookups } from './share-lookups.js';
import { partFiles, PLACES, Tracked } from './tracked-entry.js';
import { HASH_RECORD_CHARS, NAME_SEPARATOR, type ScanPart } from './worker-messages.js';
import { boxedArray } from './boxed-array.js';

/** The `gen` of an entry that left the table (its file went, or changed and got a new entry). */
export const GONE = -1;

/** One scan being taken in: the folders its parts named so far, what it found, and how it matches the last scan. */
export interface TableScan {
  gen: number;
  bytes: number;
  /** The last scan's files in its order, how far they matched in order, and (once the order broke) the rest by path. */
  prev: Tracked[];
  at: number;
  rest: Map<string, Tracked> | undefined;
  /** Files of the last scan seen again, and this scan's files in its order. */
  matched: number;
  order: Tracked[];
  dirPaths: string[];
  dirRels: string[];
  dirRoots: number[];
}

/** The entries, their order and their lookups. */
export class ShareTable {
  /**
   * Entry by index (indices are handed out in order from 1, so this is the
   * order they were first found); undefined where a file went. Slot 0 holds
   * undefined from the start, so the array never has a hole and keeps one
   * kind (issue 9: a hole at 0 changed its kind at the first entry, and a
   * second library in one process threw away the intake's optimized code).
   */
  #entries: Array<Tracked | undefined> = [undefined];
  #count = 0;
  /** Entries in the table that have their hashes (kept as they change, so `unhashed` is not a pass over every entry). */
  #hashedCount = 0;
  #lookups = new ShareLookups(() => this.entries());
  /** The cache rows encoded during the current hashing run. */
  #rows = new CacheRowChunks();
  /** Every entry in the order the last scan found it. */
  #order: Tracked[] = [];
  #gen = 0;
  #nextIndex = 1;
  /** A scan is being taken in, and the cache was written meanwhile (without that scan's new files). */
  #scanning = false;
  #savedWhileScanning = false;

  /**
   * `cache` (none without a cache file) is marked dirty when a hashed file
   * leaves or changes: the hash cache no longer matches. (An object, not a
   * callback made per library: issue 9, the table's optimized code stays
   * valid for the next library in the same process.)
   */
  constructor(private readonly cache: { dirty: boolean } | undefined) {}

  get files(): number {
    return this.#count;
  }

  /**
   * Files shared without hashes yet (queued, unreadable, or changed while
   * hashing): a count kept as entries come, go and get their hashes (issue 9:
   * a pass over 100,000 entries, in code run once a scan and so never
   * optimized, held `share.hashed` back 3-5 ms at the end of a first scan).
   */
  unhashed(): number {
    return this.#count - this.#hashedCount;
  }

  /** Every entry, by index. */
  *entries(): IterableIterator<Tracked> {
    for (const e of this.#entries) if (e !== undefined) yield e;
  }

  byIndex(n: number): Tracked | undefined {
    return Number.isSafeInteger(n) && n > 0 ? this.#entries[n] : undefined;
  }

  /** Entries matching a query, in index order of first sight; at most `limit`. */
  search(query: string, mode: SearchMode, limit: number, filters?: IndexFilters): Tracked[] {
    return this.#lookups
      .search(query, mode, limit, filters)
      .map((id) => this.#entries[id])
      .filter((e): e is Tracked => e !== undefined);
  }

  get lookups(): ShareLookups {
    return this.#lookups;
  }

  /** Starts taking in a scan. */
  beginScan(): TableScan {
    this.#scanning = true;
    return { gen: ++this.#gen, bytes: 0, prev: this.#order, at: 0, rest: undefined, matched: 0, order: boxedArray(), dirPaths: boxedArray(), dirRels: boxedArray(), dirRoots: [] };
  }

  /**
   * Takes in one part of a walk: new and changed files get entries (with the
   * part's remembered hashes), unchanged ones keep theirs and their place in
   * every lookup. Returns the entries that still need hashes. With `fresh`,
   * the part's hashes were just computed (a first scan's one step per small
   * file: scan-jobs.ts), not remembered: the entries that got them are handed
   * to `fresh` (their cache rows are encoded and they count as hashed), and the
   * hash cache is out of date.
   */
  takePart(s: TableScan, part: ScanPart, fresh?: (entries: Tracked[]) => void): Tracked[] {
    const pending = boxedArray<Tracked>();
    const got = boxedArray<Tracked>();
    for (let i = 0; i < part.dirPaths.length; i++) {
      s.dirPaths[part.firstDir + i] = part.dirPaths[i]!;
      s.dirRels[part.firstDir + i] = part.dirRels[i]!;
      s.dirRoots[part.firstDir + i] = part.dirRoots[i]!;
    }
    const cached = part.cached;
    // A first scan or a start turns (nearly) every file of a part into an entry, and the entries share
    // the part's strings and arrays. A later scan makes entries only for new and changed files: each
    // gets copies of its own, so that a file changed now and then does not keep a whole part alive
    // (its 8,192 paths and their numbers) for as long as the file is shared.
    const own = s.prev.length > 0;
    const paths = part.paths === '' ? [] : part.paths.split(NAME_SEPARATOR);
    // Where each file's name, path under the root and root are, for the part's entries (tracked-entry.ts).
    const places = own ? undefined : new Int32Array(paths.length * PLACES);
    const relTexts = own || sep === '/' ? undefined : new Array<string | undefined>(paths.length).fill(undefined);
    const files = own ? undefined : partFiles(part.mtimes, part.ctimes, part.inos, places!, part.roots, relTexts);
    for (let i = 0; i < paths.length; i++) {
      // Slices of one string from the worker: no string is built or flattened for an unchanged file.
      const path = paths[i]!;
      const size = part.sizes[i]!;
      const mtimeMs = part.mtimes[i]!;
      const ctimeMs = part.ctimes[i]!;
      const ino = part.inos[i]!;
      const known = lastSeen(s, path);
      // The walk never gives a path twice (it walks each folder once), but a second sight must not make a second entry.
      if (known?.gen === s.gen) continue;
      s.bytes += size;
      if (known) s.matched++;
      if (known && known.size === size && known.mtimeMs === mtimeMs && known.ctimeMs === ctimeMs && known.ino === ino) {
        known.gen = s.gen; // unchanged: its lookups stay as they are
        s.order.push(known);
        if (known.hashText === undefined) pending.push(known);
        continue;
      }
      let index: number;
      if (known) {
        this.#drop(known);
        index = known.index;
      } else index = this.#nextIndex++;
      const dir = part.fileDir[i]!;
      const dirPath = s.dirPaths[dir]!;
      const nameAt = dirPath.endsWith(sep) ? dirPath.length : dirPath.length + 1;
      const rel = s.dirRels[dir]!;
      // With '/' separators the path ends with the relative path: the entry reads it from there.
      const relAt = rel === '' ? nameAt : sep === '/' ? nameAt - rel.length - 1 : -1;
      const at = i * HASH_RECORD_CHARS;
      const hit = cached !== undefined && cached.charCodeAt(at) !== SPACE;
      // One object per file, with as few objects of its own as can be (tracked-entry.ts; issue 9: a warm start makes 100,000).
      const record = !hit ? undefined : own ? ownCopy(cached.slice(at, at + HASH_RECORD_CHARS)) : cached;
      const root = s.dirRoots[dir]!;
      const relText = relAt < 0 ? `${rel}/${path.slice(nameAt)}` : undefined;
      let mine = files;
      if (mine === undefined) {
        mine = partFiles(Float64Array.of(mtimeMs), Float64Array.of(ctimeMs), Float64Array.of(ino), Int32Array.of(nameAt, relAt, root), part.roots, relText === undefined ? undefined : [relText]);
      } else {
        places![i * PLACES] = nameAt;
        places![i * PLACES + 1] = relAt;
        places![i * PLACES + 2] = root;
        if (relTexts !== undefined) relTexts[i] = relText;
      }
      const e = new Tracked(index, own ? ownCopy(path) : path, mine, own ? 0 : i, size, s.gen, record, own ? 0 : at);
      if (!hit) pending.push(e);
      else {
        this.#hashedCount++;
        if (fresh) got.push(e);
      }
      if (!known) this.#count++;
      this.#entries[index] = e;
      s.order.push(e);
      this.#lookups.link(e);
    }
    if (fresh && got.length > 0) {
      this.#stale();
      fresh(got);
    }
    return pending;
  }

  /** Ends a scan: files the last scan had and this one did not see leave the table. */
  endScan(s: TableScan): void {
    if (s.matched !== s.prev.length) {
      for (const e of s.prev) {
        if (e.gen === s.gen || e.gen === GONE) continue; // seen again, or replaced already
        this.#drop(e);
        this.#entries[e.index] = undefined;
        this.#count--;
      }
    }
    this.#order = s.order;
    this.#scanning = false;
    if (this.#savedWhileScanning) this.#stale(); // that write lacked the scan's new files
    this.#savedWhileScanning = false;
  }

  /** The entry is still the table's (not replaced by a rescan, not gone). */
  current(e: Tracked): boolean {
    return e.gen !== GONE;
  }

  /** These entries were just hashed: their cache rows are encoded now, while the workers hash on. */
  batchHashed(entries: readonly Tracked[]): void {
    this.#rows.add(entries as Array<Tracked & CacheRow>);
  }

  /** The hashing run has saved: the rows encoded for it can go. */
  dropRows(): void {
    this.#rows.clear();
  }

  /** Hashes arrived for a current entry that had none: its record (SHA-1 hex, md5 hex) is at `at` of `text`. */
  hashed(e: Tracked, text: string, at: number): void {
    if (e.hashText === undefined && e.gen !== GONE) this.#hashedCount++;
    e.hashText = text;
    e.hashAt = at;
    this.#lookups.hashed(e);
    this.#stale();
  }

  /**
   * The hash cache file, in pieces: every hashed file in scan order (the order the
   * next start matches in), from the rows encoded while hashing where they
   * are still kept, else formatted from the entry (which has every field of
   * a row: no row object is made per file).
   */
  cacheBytes(): Promise<Uint8Array[]> {
    if (this.#scanning) this.#savedWhileScanning = true;
    return this.#rows.piecesInSlices(this.#order);
  }

  /** The hash cache no longer matches the files. */
  #stale(): void {
    if (this.cache) this.cache.dirty = true;
  }

  /** Takes an entry out of every lookup (its index is the caller's to free or reuse). */
  #drop(e: Tracked): void {
    const counted = e.gen !== GONE;
    e.gen = GONE;
    this.#lookups.unlink(e);
    if (e.hashText !== undefined) {
      if (counted) this.#hashedCount--;
      this.#stale();
    }
  }
}

const SPACE = 0x20;

/**
 * A copy of `s` that does not keep the string it was cut from: V8 makes a
 * slice of a long string as a view of it (a path split out of a part's
 * joined paths keeps all of them). Joining makes a new string, and slicing
 * that one flattens it into a copy of its own.
 */
export function ownCopy(s: string): string {
  return `${s} `.slice(0, -1);
}

/**
 * What the last scan saw at `path`: the next file in its order when the walk
 * repeats it (the usual case: one comparison, no map), else a lookup in a
 * map of the rest, built the first time the order breaks.
 */
function lastSeen(s: TableScan, path: string): Tracked | undefined {
  if (s.rest === undefined) {
    const next = s.prev[s.at];
    if (next === undefined) return undefined;
    if (next.path === path) {
      s.at++;
      return next;
    }
    s.rest = new Map();
    for (let k = s.at; k < s.prev.length; k++) s.rest.set(s.prev[k]!.path, s.prev[k]!);
  }
  return s.rest.get(path);
}
