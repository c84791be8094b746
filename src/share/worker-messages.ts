/**
 * What the share library and its worker threads say to each other
 * (share-workers.ts, share-worker.ts). Everything a worker sends back for
 * 100,000 files is a handful of strings and typed arrays, not 100,000
 * objects: structured cloning one long string is a copy, cloning many small
 * objects is most of the cost (issue 9 profile).
 */
import type { CacheReport } from './hash-cache.js';

/** Separates names in a packed list: the one character no file name can hold. */
export const NAME_SEPARATOR = '\0';
/**
 * Characters per file in a packed hash reply: SHA-1 hex, md5 hex. The SHA-1's
 * base32 (`urn:sha1:`) is not in it: an entry works it out from the hex when
 * asked (tracked-entry.ts; issue 9: 32 more characters a file to write, copy
 * across threads, keep and save, for a form only Gnutella's URNs use).
 */
export const SHA1_HEX_CHARS = 40;
export const MD5_HEX_CHARS = 32;
export const HASH_RECORD_CHARS = SHA1_HEX_CHARS + MD5_HEX_CHARS;

/** A shared root as given, and its real path (what served paths must stay under). */
export interface ScanRoot {
  root: string;
  rootReal: string;
}

/**
 * Part of a walk of the shared roots, packed; a walk is sent in parts so the
 * library takes in the first files while the worker still walks (issue 9:
 * the two then overlap on two cores). File i of the part lives in directory
 * `fileDir[i]` (numbered across the whole walk; this part brings directories
 * `firstDir`, `firstDir + 1`, ...), is at `paths.split(NAME_SEPARATOR)[i]`
 * (the directory's path, a separator, the name), and has `sizes[i]`,
 * `mtimes[i]` and `ctimes[i]` (ms) and `inos[i]`.
 */
export interface ScanPart {
  roots: ScanRoot[];
  firstDir: number;
  /** Per new directory: its absolute path (joined under the root as given), path under the root ('' for the root), root number. */
  dirPaths: string[];
  dirRels: string[];
  dirRoots: Int32Array;
  fileDir: Int32Array;
  paths: string;
  sizes: Float64Array;
  mtimes: Float64Array;
  ctimes: Float64Array;
  inos: Float64Array;
  /**
   * With a cache file in the request: file i's HASH_RECORD_CHARS characters
   * at `i * HASH_RECORD_CHARS` when the cache knew it unchanged, spaces when not.
   */
  cached?: string;
}

/** The end of a walk, after its parts. */
export interface ScanEnd {
  files: number;
  /** Entries skipped as hidden, special, escaping symlinks, unreadable or over the cap. */
  skipped: number;
  truncated: boolean;
  /** What loading the cache found, when the request named one. */
  cache?: CacheReport;
}

/**
 * Hashes for a batch, packed: file i has `sizes[i]` bytes hashed (-1: not
 * hashed, `errors` says why) and its HASH_RECORD_CHARS characters at
 * `i * HASH_RECORD_CHARS` of `records`.
 */
export interface PackedHashes {
  sizes: Float64Array;
  records: string;
  errors: string[];
}

/**
 * A first scan's files after their one step in a worker (stat-hash-sync.ts):
 * file i of the request has `sizes[i]`, `mtimes[i]`, `ctimes[i]`, `inos[i]` and, when
 * hashed, its HASH_RECORD_CHARS characters at `i * HASH_RECORD_CHARS` of
 * `records` (spaces: not hashed, the hash queue does it); `hashed` records in
 * all. The files at the indices in `dropped` are gone or no longer regular
 * files (their numbers mean nothing).
 */
export interface StatHashed {
  sizes: Float64Array;
  mtimes: Float64Array;
  ctimes: Float64Array;
  inos: Float64Array;
  records: string;
  hashed: number;
  dropped: Int32Array;
}

/** Library -> worker. `stop` (shared memory) is set by the library to end long hashing early. */
export type WorkerRequest =
  | { type: 'scan'; id: number; roots: string[]; maxFiles: number; partFiles: number; cache?: { file: string; legacyFile: string }; list?: boolean }
  | { type: 'hash'; id: number; paths: string; sizes: Float64Array }
  | { type: 'stat-hash'; id: number; paths: string; sizes: Float64Array; mtimes: Float64Array; ctimes: Float64Array; inos: Float64Array; maxBytes: number };

/** Worker -> library: one reply per request. */
export type WorkerReply =
  | { type: 'scan-part'; id: number; part: ScanPart }
  | { type: 'scanned'; id: number; end: ScanEnd }
  | { type: 'hashed'; id: number; hashes: PackedHashes }
  | { type: 'stat-hashed'; id: number; files: StatHashed }
  | { type: 'failed'; id: number; message: string };

/** What a worker thread is started with. */
export interface WorkerStart {
  /** Int32Array over a SharedArrayBuffer: non-zero means stop hashing now. */
  stop: SharedArrayBuffer;
}
