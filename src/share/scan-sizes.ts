/**
 * The sizes a scan is asked for, in a module of their own that loads nothing
 * else: bin/peerdeck.js begins a first scan before the program loads
 * (early-scan.ts), and its own start should not wait for the walk's and the
 * hashing's code (issue 9). walk-sync.ts and stat-hash-sync.ts export them too.
 */

/** Files per part sent to the library while walking (walk-sync.ts). */
export const SCAN_PART_FILES = 8192;

/**
 * Files up to this size are hashed where they are stat'ed (one read each;
 * stat-hash-sync.ts); larger ones are hashed later by the hash queue. Small,
 * so that a share of many middling files is not read whole before
 * `share.ready`.
 */
export const STAT_HASH_MAX_BYTES = 16 * 1024;
