/**
 * What a share library is built with (ShareLibraryOptions: `--share`, the
 * data dir, watching) and asked with (SearchOptions), and the limits that go
 * with them; share-library.ts is the library itself.
 */
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { IndexFilters, SearchMode } from './keyword-index.js';

/** Results returned by one search, whatever the caller asks. */
export const MAX_SEARCH_RESULTS = 1000;
/** Results when the caller names no limit. */
export const DEFAULT_SEARCH_RESULTS = 100;
/** Quiet time after a file-system change before the rescan it triggers. */
export const WATCH_DEBOUNCE_MS = 1_000;
/**
 * Largest share watched for changes: Node's recursive watcher walks the tree
 * synchronously when it starts (about 1 s per 100,000 files here), so bigger
 * shares rely on `/rescan` instead.
 */
export const WATCH_MAX_FILES = 50_000;

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
  /**
   * A first scan with no hash cache hashes files up to this size where it
   * stats them, before `share.ready` (default STAT_HASH_MAX_BYTES; -1: none,
   * every file is hashed after `share.ready`, as larger files always are).
   */
  statHashMaxBytes?: number;
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
