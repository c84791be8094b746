/**
 * A first scan's files, stat'ed and (the small ones) hashed in one step, as a
 * worker thread runs it (share-worker.ts; issue 9): open, fstat, one read,
 * the hashes, close. The walk that listed them (walk-sync.ts, `list`) took
 * each file's type from its folder's entry, so a small file costs one path
 * lookup (the open) where a stat in the walk and an open to hash it later
 * cost two, and its entry reaches the library with its hashes: no second
 * trip (its path out to a worker, its hashes back, the hash queue's work on
 * the event loop). A larger file is stat'ed only: the library shares it as
 * soon as it is walked and hashes it later through its hash queue, so
 * `share.ready` never waits for a large read.
 */
import { constants } from 'node:fs';
import { hash } from 'node:crypto';
import { closeFile, openFile, readAt } from './file-calls.js';
import { hashFileRecord, writeRecord } from './hash-sync.js';
import { NAPSTER_MD5_PREFIX_BYTES } from './file-hasher.js';
import { fstatInto, KIND_FILE, KIND_OTHER, lstatInto, lstatOut, type LstatOut } from './lstat-fields.js';
import { NOT_STATED } from './walk-sync.js';
import { STAT_HASH_MAX_BYTES } from './scan-sizes.js';
import { HASH_RECORD_CHARS, type StatHashed } from './worker-messages.js';

export { STAT_HASH_MAX_BYTES };

/**
 * Read only, never through a symlink (the walk saw a regular file; one
 * swapped in since is looked at again), never blocking on a FIFO swapped in
 * since. A platform without the flags opens plainly.
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
const SPACE = 0x20;
const KEPT = 0;
const HASHED = 1;
const DROPPED = -1;

/**
 * Stats (where the walk did not: size NOT_STATED) and hashes (up to
 * `maxBytes`, by default STAT_HASH_MAX_BYTES; -1: none) these files. A file the walk saw that is gone now, or
 * no longer a regular file, is dropped (the library counts it skipped, as
 * the walk counts a file gone between its readdir and its stat); one that
 * cannot be opened but can be stat'ed (unreadable) is kept without hashes,
 * as is one that changed size while read. `stop[0] !== 0` drops the rest.
 */
export function statHashBatch(
  paths: readonly string[],
  sizes: Float64Array,
  mtimes: Float64Array,
  ctimes: Float64Array,
  inos: Float64Array,
  buf: Buffer,
  stop: Int32Array,
  maxBytes = STAT_HASH_MAX_BYTES,
): StatHashed {
  const n = paths.length;
  const out: StatHashed = { sizes: new Float64Array(n), mtimes: new Float64Array(n), ctimes: new Float64Array(n), inos: new Float64Array(n), records: '', hashed: 0, dropped: new Int32Array(0) };
  const records = Buffer.alloc(n * HASH_RECORD_CHARS, SPACE);
  const dropped: number[] = [];
  statHashInto(paths, sizes, mtimes, ctimes, inos, buf, stop, Math.min(maxBytes, buf.length - 1), out, records, dropped);
  out.records = records.toString('latin1');
  out.dropped = Int32Array.from(dropped);
  return out;
}

/**
 * statHashBatch's loop, in a function that ends with it (issue 9): V8
 * compiles a long batch's loop while it runs (on-stack replacement), and
 * with it the code after the loop, which had not run yet; that code then
 * threw the compiled loop away when it first ran ('Insufficient type
 * feedback for generic named access'), to be compiled again, in about one
 * first scan of two (10-20 ms of a helper thread while both cores hash).
 */
function statHashInto(
  paths: readonly string[],
  sizes: Float64Array,
  mtimes: Float64Array,
  ctimes: Float64Array,
  inos: Float64Array,
  buf: Buffer,
  stop: Int32Array,
  most: number,
  out: StatHashed,
  records: Buffer,
  dropped: number[],
): void {
  const st = lstatOut();
  for (let i = 0; i < paths.length; i++) {
    if (Atomics.load(stop, 0) !== 0) {
      dropped.push(i);
      continue;
    }
    const at = i * HASH_RECORD_CHARS;
    let r: number;
    if (sizes[i] === NOT_STATED) r = openStatHash(paths[i]!, buf, most, st, records, at);
    else {
      // Stat'ed by the walk (a symlinked file, or a file system that gives no entry types).
      st.size = sizes[i]!;
      st.mtimeMs = mtimes[i]!;
      st.ctimeMs = ctimes[i]!;
      st.ino = inos[i]!;
      r = st.size <= most ? hashByPath(paths[i]!, buf, st.size, stop, records, at) : KEPT;
    }
    if (r === DROPPED) {
      dropped.push(i);
      continue;
    }
    out.sizes[i] = st.size;
    out.mtimes[i] = st.mtimeMs;
    out.ctimes[i] = st.ctimeMs;
    out.inos[i] = st.ino;
    if (r === HASHED) out.hashed++;
  }
}

/** Opens, fstats and (when small) reads and hashes one file into `records` at `at` (the calls: file-calls.ts). */
function openStatHash(path: string, buf: Buffer, most: number, st: LstatOut, records: Buffer, at: number): number {
  let fd: number;
  try {
    fd = openFile(path, OPEN_FLAGS);
  } catch {
    return statOnly(path, st); // gone, unreadable, or no longer a regular file
  }
  st.kind = KIND_OTHER;
  try {
    fstatInto(fd, st);
    if (st.kind !== KIND_FILE) return DROPPED; // a folder or a FIFO swapped in since the readdir
    if (st.size > most) return KEPT;
    const got = readAt(fd, buf, 0, buf.length, 0);
    if (got !== st.size) return KEPT; // changed since the fstat: the hash queue hashes it as it is then
    const all = buf.subarray(0, got);
    writeRecord(hash('sha1', all, 'binary'), hash('md5', got > NAPSTER_MD5_PREFIX_BYTES ? all.subarray(0, NAPSTER_MD5_PREFIX_BYTES) : all, 'binary'), records, at);
    return HASHED;
  } catch {
    return st.kind === KIND_FILE ? KEPT : DROPPED;
  } finally {
    closeFile(fd);
  }
}

/** A file the open refused: kept unhashed if it is still a regular file (the hash queue tries again and says why it cannot). */
function statOnly(path: string, st: LstatOut): number {
  try {
    return lstatInto(path, st) && st.kind === KIND_FILE ? KEPT : DROPPED;
  } catch {
    return DROPPED;
  }
}

/** A small file the walk stat'ed, hashed by its path (what the hash queue would do). */
function hashByPath(path: string, buf: Buffer, size: number, stop: Int32Array, records: Buffer, at: number): number {
  try {
    if (hashFileRecord(path, buf, size, stop, records, at) === size) return HASHED;
  } catch {
    // unreadable now: kept unhashed, the hash queue tries again
  }
  records.fill(SPACE, at, at + HASH_RECORD_CHARS);
  return KEPT;
}
