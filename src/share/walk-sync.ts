/**
 * The walk of the shared roots, as a worker thread runs it (share-worker.ts):
 * plain blocking readdir/stat calls, which cost a microsecond or two each
 * instead of a thread-pool round trip, a promise and a callback on the event
 * loop (issue 9: 100,000 async stats took 1.5-2.5 s of main-thread time).
 * Blocking is fine here: it blocks the worker, never the event loop.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { normalize, sep } from 'node:path';
import { isInside, MAX_SCAN_DEPTH, PART_SUFFIX } from './scanner.js';
import { HASH_RECORD_CHARS, NAME_SEPARATOR, type ScanEnd, type ScanPart, type ScanRoot } from './worker-messages.js';
import { boxedArray } from './boxed-array.js';
import { KIND_DIR, KIND_FILE, KIND_SYMLINK, lstatInto, lstatOut } from './lstat-fields.js';
import { DIRENT_DIR, DIRENT_FILE, DIRENT_LINK, DIRENT_UNKNOWN, readdirTypes, type DirTypes } from './dir-types.js';
import { SCAN_PART_FILES } from './scan-sizes.js';

export { SCAN_PART_FILES };
/**
 * Files in the first part; each next part is twice as large, up to the
 * part size (issue 9: a first part of 8192 files reached the library about
 * 120 ms after the start, and the hashing worker waited that long for its
 * first batch).
 */
export const FIRST_PART_FILES = 512;

/**
 * A file that a listing walk (`walkRoots(..., list)`) found by its folder's
 * entry type and did not stat: its size in the part reads this, and the
 * stat is done where the file is opened to be hashed (stat-hash-sync.ts).
 */
export const NOT_STATED = -1;

/** The hashes remembered for a file (HASH_RECORD_CHARS characters) if it is unchanged, else undefined. */
export type CacheLookup = (path: string, size: number, mtimeMs: number, ctimeMs: number, ino: number) => string | undefined;

const NOT_CACHED = ' '.repeat(HASH_RECORD_CHARS);

interface Dir {
  root: number;
  path: string;
  rel: string;
  depth: number;
}

/**
 * Walks `roots` and packs every regular file found, handing `emit` a part
 * every `partFiles` files (the first ones smaller: FIRST_PART_FILES, then
 * twice as many each time) and at the end. Keeps regular files; skips hidden
 * names (leading dot), `.part` files, sockets/devices/FIFOs, symlinked
 * directories (no loops, no escapes) and symlinked files whose target leaves
 * every shared root. Unreadable entries are skipped, not fatal. At most
 * `maxFiles` files; the rest are counted as skipped and the walk is marked
 * truncated. A folder reached twice (a root given twice, or inside another
 * root) is walked once, so no path is given twice. With `lookup`, each
 * file's remembered hashes are packed into `cached` (one lookup per file
 * here, none on the event loop).
 *
 * With `list` (a first scan with no hash cache: issue 9), a regular file is
 * known by its folder's entry type and not stat'ed here: its size in the
 * part is NOT_STATED and the one open that hashes it stats it too
 * (stat-hash-sync.ts). Symlinks, and entries whose type the file system does
 * not give, are stat'ed here as always (their numbers are in the part).
 */
export function walkRoots(
  roots: readonly string[],
  maxFiles: number,
  emit: (part: ScanPart) => void,
  lookup?: CacheLookup,
  partFiles = SCAN_PART_FILES,
  list = false,
): ScanEnd {
  const real: ScanRoot[] = [];
  for (const root of roots) {
    try {
      real.push({ root, rootReal: realpathSync(root) });
    } catch {
      // a missing root shares nothing; the library reports it
    }
  }
  const walk = new Walk(real, maxFiles, new PartBuilder(real, Math.max(1, Math.floor(partFiles)), lookup !== undefined, emit), lookup);
  const stack: Dir[] = real.map((r, i) => ({ root: i, path: normalize(r.root), rel: '', depth: 0 })).reverse();
  // Each folder is walked once, whichever root reaches it first (a root given twice, or inside another):
  // the walk never gives a path twice, which the library relies on.
  const walked = new Set<string>();
  for (let job = stack.pop(); job; job = stack.pop()) {
    const key = job.path.length > 1 && job.path.endsWith(sep) ? job.path.slice(0, -1) : job.path;
    if (walked.has(key)) continue;
    walked.add(key);
    // Names only, then one lstat each: the lstat gives the type with the size, mtime and inode
    // a file needs anyway (cheaper than readdir's Dirent objects plus a stat).
    if (list) {
      let listed: DirTypes;
      try {
        listed = readdirTypes(job.path);
      } catch {
        walk.skipped++;
        continue;
      }
      walk.folderListed(job, listed.names, listed.types, stack);
      continue;
    }
    let names: string[];
    try {
      names = readdirSync(job.path);
    } catch {
      walk.skipped++;
      continue;
    }
    walk.folder(job, names, stack);
  }
  walk.part.end();
  return { files: walk.files, skipped: walk.skipped, truncated: walk.truncated };
}

/** Names the walk never shares: hidden ones (a leading dot) and unfinished downloads (`.part`). */
function notShared(name: string): boolean {
  return name.startsWith('.') || name.endsWith(PART_SUFFIX);
}

/**
 * A walk's counts and its loop over one folder's names. The loop is a
 * method of its own, apart from the readdirSync call (issue 9): inside one
 * function, V8 compiled the loop while readdirSync had been called only
 * once or twice, inlined it without type feedback, threw that code away at
 * the next folder and compiled the walk again (25-45 ms of a helper thread
 * per walk).
 */
class Walk {
  files = 0;
  skipped = 0;
  truncated = false;
  /** The lstat of the name being looked at (one object for the whole walk). */
  readonly #st = lstatOut();

  constructor(
    private readonly real: readonly ScanRoot[],
    private readonly maxFiles: number,
    readonly part: PartBuilder,
    private readonly lookup: CacheLookup | undefined,
  ) {}

  /** Keeps the folder's files, queues its subfolders on `stack`, counts what it skips (`inDir`: the folder is already in the part as that number). */
  folder(job: Dir, names: readonly string[], stack: Dir[], inDir?: number): void {
    const d = this.#st;
    const dir = inDir ?? this.part.dir(job.path, job.rel, job.root);
    const prefix = job.path.endsWith(sep) ? job.path : job.path + sep;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      if (notShared(name)) {
        this.skipped++;
        continue;
      }
      const path = prefix + name;
      let found: boolean;
      try {
        found = lstatInto(path, d);
      } catch {
        found = false; // unreadable (a folder we may list but not enter, a path too long): skipped, not fatal
      }
      if (!found) this.skipped++; // gone since the readdir, or unreadable
      else if (d.kind === KIND_FILE) this.#keep(dir, path, d.size, d.mtimeMs, d.ctimeMs, d.ino);
      else if (d.kind === KIND_DIR) this.#subfolder(job, name, path, stack);
      else if (d.kind === KIND_SYMLINK) this.#symlink(dir, path);
      else this.skipped++; // sockets, FIFOs, devices
    }
  }

  /**
   * folder() for a listing walk: the types come with the names, so a regular
   * file is kept unstat'ed (NOT_STATED) and a folder is walked without a
   * stat; symlinks and entries of unknown type go through the lstat as in
   * folder(). The same names are skipped and counted the same way.
   */
  folderListed(job: Dir, names: readonly string[], types: ArrayLike<number>, stack: Dir[]): void {
    const dir = this.part.dir(job.path, job.rel, job.root);
    const prefix = job.path.endsWith(sep) ? job.path : job.path + sep;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      if (notShared(name)) {
        this.skipped++;
        continue;
      }
      const type = types[i]!;
      if (type === DIRENT_FILE) this.#keep(dir, prefix + name, NOT_STATED, 0, 0, 0);
      else if (type === DIRENT_DIR) this.#subfolder(job, name, prefix + name, stack);
      else if (type === DIRENT_LINK) this.#symlink(dir, prefix + name);
      else if (type === DIRENT_UNKNOWN) this.folder(job, [name], stack, dir);
      else this.skipped++; // sockets, FIFOs, devices
    }
  }

  /** A subfolder is walked next unless it is deeper than MAX_SCAN_DEPTH (then it is counted as skipped). */
  #subfolder(job: Dir, name: string, path: string, stack: Dir[]): void {
    if (job.depth + 1 > MAX_SCAN_DEPTH) this.skipped++;
    else stack.push({ root: job.root, path, rel: job.rel === '' ? name : `${job.rel}/${name}`, depth: job.depth + 1 });
  }

  /** A symlinked file is kept when its target is a regular file inside a shared root; a symlinked folder is never followed. */
  #symlink(dir: number, path: string): void {
    try {
      const target = realpathSync(path);
      const st = statSync(target);
      if (st.isFile() && this.real.some((r) => isInside(r.rootReal, target))) this.#keep(dir, path, st.size, st.mtimeMs, st.ctimeMs, st.ino);
      else this.skipped++;
    } catch {
      this.skipped++;
    }
  }

  #keep(dir: number, path: string, size: number, mtimeMs: number, ctimeMs: number, ino: number): void {
    if (this.files >= this.maxFiles) {
      this.truncated = true;
      this.skipped++;
      return;
    }
    this.files++;
    const lookup = this.lookup;
    this.part.file(dir, path, size, mtimeMs, ctimeMs, ino, lookup ? lookup(path, size, mtimeMs, ctimeMs, ino) ?? NOT_CACHED : undefined);
  }
}

/**
 * The part of a walk being filled: sizes, mtimes, ctimes, inodes and folders in
 * typed arrays written in place (issue 9: arrays that began empty for every
 * part took doubles after small integers, and each change of kind threw the
 * walking worker's optimized code away, several times a walk).
 */
class PartBuilder {
  #dirs = 0;
  #firstDir = 0;
  #dirPaths = boxedArray<string>();
  #dirRels = boxedArray<string>();
  #dirRoots: number[] = [];
  #paths = boxedArray<string>();
  #cached = boxedArray<string>();
  #n = 0;
  /** Files in the part being filled: FIRST_PART_FILES at first, doubling up to partFiles. */
  #limit: number;
  #fileDir: Int32Array;
  #sizes: Float64Array;
  #mtimes: Float64Array;
  #ctimes: Float64Array;
  #inos: Float64Array;

  constructor(
    private readonly roots: ScanRoot[],
    private readonly partFiles: number,
    private readonly withCache: boolean,
    private readonly emit: (part: ScanPart) => void,
  ) {
    [this.#fileDir, this.#sizes, this.#mtimes, this.#ctimes, this.#inos] = this.#columns();
    this.#limit = Math.min(FIRST_PART_FILES, partFiles);
  }

  /** A folder whose files come next; returns its number in the walk. */
  dir(path: string, rel: string, root: number): number {
    this.#dirPaths.push(path);
    this.#dirRels.push(rel);
    this.#dirRoots.push(root);
    return this.#dirs++;
  }

  /** A file kept; a full part is sent. */
  file(dir: number, path: string, size: number, mtimeMs: number, ctimeMs: number, ino: number, cached: string | undefined): void {
    const i = this.#n++;
    this.#fileDir[i] = dir;
    this.#sizes[i] = size;
    this.#mtimes[i] = mtimeMs;
    this.#ctimes[i] = ctimeMs;
    this.#inos[i] = ino;
    this.#paths.push(path);
    if (cached !== undefined) this.#cached.push(cached);
    if (this.#n >= this.#limit) {
      this.#flush();
      this.#limit = Math.min(this.#limit * 2, this.partFiles);
    }
  }

  /** The walk is over: sends what is left (folders without files too). */
  end(): void {
    if (this.#n > 0 || this.#dirPaths.length > 0) this.#flush();
  }

  #flush(): void {
    const n = this.#n;
    // A full part's arrays go as they are (new ones are made for the next); a short one's are cut to size.
    const cut = <T extends Int32Array | Float64Array>(a: T): T => (n === a.length ? a : (a.slice(0, n) as T));
    this.emit({
      roots: this.roots,
      firstDir: this.#firstDir,
      dirPaths: this.#dirPaths,
      dirRels: this.#dirRels,
      dirRoots: Int32Array.from(this.#dirRoots),
      fileDir: cut(this.#fileDir),
      paths: this.#paths.join(NAME_SEPARATOR),
      sizes: cut(this.#sizes),
      mtimes: cut(this.#mtimes),
      ctimes: cut(this.#ctimes),
      inos: cut(this.#inos),
      ...(this.withCache ? { cached: this.#cached.join('') } : {}),
    });
    this.#firstDir = this.#dirs;
    this.#dirPaths = boxedArray();
    this.#dirRels = boxedArray();
    this.#dirRoots = [];
    this.#paths = boxedArray();
    this.#cached = boxedArray();
    if (n === this.partFiles) [this.#fileDir, this.#sizes, this.#mtimes, this.#ctimes, this.#inos] = this.#columns();
    this.#n = 0;
  }

  #columns(): [Int32Array, Float64Array, Float64Array, Float64Array, Float64Array] {
    const n = this.partFiles;
    return [new Int32Array(n), new Float64Array(n), new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  }
}

