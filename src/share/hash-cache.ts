/**
 * The hash cache file: remembers file hashes across restarts, keyed by path,
 * size, mtime, ctime and inode, so a restart with 100,000 unchanged files rehashes
 * none (issue 4) and reads them back in one read (issue 9: the JSON cache
 * took a third of a warm start to parse and look up). One line per file:
 *
 *     peerdeck share hashes 4
 *     <sha1 hex> <md5 hex> <size> <mtime ms> <ctime ms> <inode> <path>
 *
 * The path comes last and runs to the end of the line; a `\` or a newline
 * in it is written `\\` or `\n`. The ctime is `=` when it is the mtime (a
 * file written once and left alone). The ctime is there because any write
 * moves it: a write of the same size whose mtime is put back (`touch -r`,
 * `utimes`, a tool that keeps times) leaves size, mtime and inode as they
 * were, and version 2, which matched on those alone, kept the old hashes of
 * such a file (a download of it then failed its check). Version 2 files are
 * still read: their rows have no ctime, so their files are hashed again
 * once (the next save writes version 4). Versions 2 and 3 had the SHA-1's
 * base32 after the md5; version 4 leaves it out (an entry works it out from
 * the hex when a protocol asks: issue 9, a sixth of the file's bytes) and
 * version 3 files are read as they are, their base32 column skipped, with
 * nothing hashed again. The worker that walks the share reads it
 * (share-worker.ts) and the library writes it atomically, in batches while
 * hashing (share-library.ts). A file that is not this format, or a row that
 * does not parse, is ignored with a reason the library logs, and those files
 * are hashed again. The JSON cache of earlier versions is still read.
 */
import { readFileSync } from 'node:fs';

/** The cache file inside the data dir. */
export const HASH_CACHE_FILE = 'share-hashes.txt';
/** What versions before 2 wrote (JSON), read when HASH_CACHE_FILE is missing and removed after the first save. */
export const LEGACY_HASH_CACHE_FILE = 'share-hashes.json';
/** First line of the file; another first line means another format (everything is hashed again). */
export const HASH_CACHE_HEADER = 'peerdeck share hashes 4';
/** The first line of version 3 (a SHA-1 base32 column after the md5): read as it is. */
export const HASH_CACHE_HEADER_V3 = 'peerdeck share hashes 3';
/** The first line of version 2 (a base32 column, and no ctime): read, and every file in it checked again. */
export const HASH_CACHE_HEADER_V2 = 'peerdeck share hashes 2';
/** A remembered ctime that is not known (a row of version 2 or of the JSON cache): it matches no file. */
export const CTIME_UNKNOWN = -1;
/** The ctime field of a row whose ctime is its mtime. */
const CTIME_IS_MTIME = '=';

/** One remembered file: its size, mtime, ctime and inode when hashed, and its hashes. */
export interface CachedFile {
  path: string;
  size: number;
  mtimeMs: number;
  /** CTIME_UNKNOWN in a row of an earlier format: then the file is hashed again. */
  ctimeMs: number;
  /** -1 when unknown (a row from the JSON cache): then only size and mtime must match. */
  ino: number;
  sha1: string;
  md5: string;
}

/** How a cache load went: rows read, rows that matched a file, and why anything was left out. */
export interface CacheReport {
  rows: number;
  used: number;
  reason?: string;
  legacy?: boolean;
}

/** What the library writes for one hashed file. */
export type CacheRow = CachedFile;

/** The fixed-width start of a row: SHA-1 hex and md5 hex, each followed by a space. */
const ROW_START = /[0-9a-f]{40} [0-9a-f]{32} /y;
const ROW_START_CHARS = 40 + 1 + 32 + 1;
/** The same in versions 2 and 3, with the SHA-1 base32 after the md5. */
const ROW_START_V3 = /[0-9a-f]{40} [0-9a-f]{32} [A-Z2-7]{32} /y;
const ROW_START_CHARS_V3 = ROW_START_CHARS + 32 + 1;
/** A row's layout: this version's, version 3's (with base32), or version 2's (with base32, no ctime). */
const enum RowFormat {
  V4,
  V3,
  V2,
}

/**
 * A loaded cache, looked up file by file as the walk finds them. Rows are
 * parsed lazily in file order: the library writes them in the order the walk
 * found the files, so an unchanged share matches row after row, with no map of
 * 100,000 paths; the first file out of order builds that map from the rows left.
 */
export class HashCacheReader {
  #text: string;
  #pos: number;
  #line = 1;
  #rows = 0;
  #used = 0;
  #bad = 0;
  #firstBad = 0;
  #reason: string | undefined;
  #legacy = false;
  /** The version of the file's rows. */
  #format = RowFormat.V4;
  #map: Map<string, CachedFile> | undefined;

  /** Reads `text` in this version's format, or (`legacy`) the JSON of earlier versions. */
  constructor(text: string, legacy = false) {
    this.#text = text;
    this.#pos = text.length;
    if (legacy) {
      this.#legacy = text !== '';
      const l = text === '' ? { rows: new Map<string, CachedFile>() } : parseLegacyHashCache(text);
      this.#map = l.rows;
      this.#rows = l.rows.size;
      this.#reason = l.reason;
      return;
    }
    const nl = text.indexOf('\n');
    const first = nl < 0 ? text : text.slice(0, nl);
    if (first === HASH_CACHE_HEADER || first === HASH_CACHE_HEADER_V3 || first === HASH_CACHE_HEADER_V2) {
      this.#pos = nl + 1;
      this.#format = first === HASH_CACHE_HEADER ? RowFormat.V4 : first === HASH_CACHE_HEADER_V3 ? RowFormat.V3 : RowFormat.V2;
    } else this.#reason = `not a peerdeck hash cache (first line ${JSON.stringify(first.slice(0, 40))})`;
  }

  /** Marks the whole cache as unusable, saying why. */
  failed(reason: string): void {
    this.#reason = reason;
  }

  /** The remembered hashes of a file if it is unchanged (same size, mtime, ctime and inode). */
  lookup(path: string, size: number, mtimeMs: number, ctimeMs: number, ino: number): CachedFile | undefined {
    let c: CachedFile | undefined;
    if (this.#map === undefined) {
      const row = this.#next();
      if (row === undefined) return undefined;
      if (row.path === path) c = row;
      else {
        this.#map = new Map([[row.path, row]]);
        for (let r = this.#next(); r; r = this.#next()) this.#map.set(r.path, r);
      }
    }
    if (this.#map !== undefined) {
      c = this.#map.get(path);
      if (c) this.#map.delete(path);
    }
    if (!c || c.size !== size || c.mtimeMs !== mtimeMs || c.ctimeMs === CTIME_UNKNOWN || c.ctimeMs !== ctimeMs || (c.ino !== -1 && c.ino !== ino)) return undefined;
    this.#used++;
    return c;
  }

  /** Every row not looked up yet (the tests and parseHashCache). */
  *rest(): Generator<CachedFile> {
    if (this.#map) yield* this.#map.values();
    for (let r = this.#next(); r; r = this.#next()) yield r;
  }

  /** After the walk: rows read (the rest parsed too, to count them), rows used, why rows were left out. */
  report(): CacheReport {
    for (let r = this.#next(); r; r = this.#next());
    const reasons = [this.#reason, this.#bad > 0 ? `${this.#bad} malformed row${this.#bad === 1 ? '' : 's'} skipped (the first on line ${this.#firstBad})` : undefined];
    const reason = reasons.filter((r) => r !== undefined).join('; ');
    return { rows: this.#rows, used: this.#used, ...(reason === '' ? {} : { reason }), ...(this.#legacy ? { legacy: true } : {}) };
  }

  /** The next well-formed row in the text, skipping (and counting) malformed ones. */
  #next(): CachedFile | undefined {
    const text = this.#text;
    while (this.#pos < text.length) {
      const start = this.#pos;
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length; // a file cut short: its last row must still parse
      this.#pos = end + 1;
      this.#line++;
      const row = parseRow(text, start, end, this.#format);
      if (row) {
        this.#rows++;
        return row;
      }
      if (this.#bad++ === 0) this.#firstBad = this.#line;
    }
    return undefined;
  }
}

/** One row of text[start, end) in the file's `format`, or undefined when it does not parse. */
function parseRow(text: string, start: number, end: number, format: RowFormat): CachedFile | undefined {
  const re = format === RowFormat.V4 ? ROW_START : ROW_START_V3;
  const chars = format === RowFormat.V4 ? ROW_START_CHARS : ROW_START_CHARS_V3;
  const v2 = format === RowFormat.V2;
  if (end - start < chars + 7) return undefined;
  re.lastIndex = start;
  if (!re.test(text)) return undefined;
  let at = start + chars;
  const field = (): string | undefined => {
    const sp = text.indexOf(' ', at);
    if (sp < 0 || sp >= end || sp === at) return undefined;
    const f = text.slice(at, sp);
    at = sp + 1;
    return f;
  };
  const sizeText = field();
  const mtimeText = field();
  const ctimeText = v2 ? String(CTIME_UNKNOWN) : field();
  const inoText = field();
  if (sizeText === undefined || mtimeText === undefined || ctimeText === undefined || inoText === undefined || at >= end) return undefined;
  const size = Number(sizeText);
  const mtimeMs = Number(mtimeText);
  const ctimeMs = ctimeText === CTIME_IS_MTIME ? mtimeMs : Number(ctimeText);
  const ino = Number(inoText);
  if (!Number.isSafeInteger(size) || size < 0 || !Number.isFinite(mtimeMs) || !Number.isFinite(ctimeMs) || !Number.isInteger(ino) || ino < 0) return undefined;
  const path = unescapePath(text.slice(at, end));
  if (path === undefined) return undefined;
  return {
    path,
    size,
    mtimeMs,
    ctimeMs,
    ino,
    sha1: text.slice(start, start + 40),
    md5: text.slice(start + 41, start + 73),
  };
}

/** The cache file's text for these rows. */
export function formatHashCache(rows: Iterable<CacheRow>): string {
  return encodeHashCache(rows).toString('utf8');
}

/** Rows per piece while encoding a cache file. */
export const ENCODE_ROWS = 512;

/** One row of the cache file, with its newline (a ctime equal to the mtime, as most are, is `=`: no second number to format). */
export function formatRow(r: CacheRow): string {
  return `${r.sha1} ${r.md5} ${r.size} ${r.mtimeMs} ${r.ctimeMs === r.mtimeMs ? CTIME_IS_MTIME : r.ctimeMs} ${r.ino} ${escapePath(r.path)}\n`;
}

/**
 * The cache file's bytes for these rows: a few hundred rows at a time as
 * one string, encoded in one call (issue 9: a string per row, all joined
 * and then encoded, was a tenth of the main thread's time in a first scan
 * of 100,000 files; a write call per field was no better).
 */
export function encodeHashCache(rows: Iterable<CacheRow>): Buffer {
  const pieces: Buffer[] = [Buffer.from(`${HASH_CACHE_HEADER}\n`, 'latin1')];
  let lines: string[] = [];
  for (const r of rows) {
    lines.push(formatRow(r));
    if (lines.length === ENCODE_ROWS) {
      pieces.push(Buffer.from(lines.join(''), 'utf8'));
      lines = [];
    }
  }
  if (lines.length > 0) pieces.push(Buffer.from(lines.join(''), 'utf8'));
  return Buffer.concat(pieces);
}

/** Parses a whole cache file's text (what the tests and tools want); never throws. */
export function parseHashCache(text: string): { rows: Map<string, CachedFile>; reason?: string } {
  const reader = new HashCacheReader(text);
  const rows = new Map<string, CachedFile>();
  for (const r of reader.rest()) rows.set(r.path, r);
  const { reason } = reader.report();
  return reason === undefined ? { rows } : { rows, reason };
}

/**
 * Parses the JSON cache of earlier versions (`{version: 1, rows: [[path,
 * size, mtimeMs, sha1, base32, md5], ...]}`); never throws.
 */
export function parseLegacyHashCache(text: string): { rows: Map<string, CachedFile>; reason?: string } {
  const rows = new Map<string, CachedFile>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { rows, reason: 'not JSON' };
  }
  const body = typeof parsed === 'object' && parsed !== null ? (parsed as { version?: unknown; rows?: unknown }) : {};
  if (body.version !== 1 || !Array.isArray(body.rows)) return { rows, reason: 'not a version 1 hash cache' };
  let bad = 0;
  for (const r of body.rows as unknown[]) {
    const [path, size, mtimeMs, sha1, sha1Base32, md5] = Array.isArray(r) && r.length === 6 ? (r as unknown[]) : [];
    if (
      typeof path === 'string' &&
      typeof size === 'number' &&
      Number.isSafeInteger(size) &&
      typeof mtimeMs === 'number' &&
      typeof sha1 === 'string' &&
      /^[0-9a-f]{40}$/.test(sha1) &&
      typeof md5 === 'string' &&
      /^[0-9a-f]{32}$/.test(md5) &&
      typeof sha1Base32 === 'string' &&
      /^[A-Z2-7]{32}$/.test(sha1Base32)
    ) {
      rows.set(path, { path, size, mtimeMs, ctimeMs: CTIME_UNKNOWN, ino: -1, sha1, md5 });
    } else bad++;
  }
  return bad === 0 ? { rows } : { rows, reason: `${bad} malformed row${bad === 1 ? '' : 's'} skipped` };
}

/**
 * Opens the cache in one read (the worker, before its first walk): `file`,
 * else the JSON `legacyFile`, else an empty cache (a first start: no reason).
 */
export function readHashCacheSync(file: string, legacyFile?: string): HashCacheReader {
  for (const [path, legacy] of [[file, false] as const, [legacyFile, true] as const]) {
    if (path === undefined) continue;
    try {
      return new HashCacheReader(readFileSync(path, 'utf8'), legacy);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      const r = new HashCacheReader('', true);
      r.failed(`unreadable (${err instanceof Error ? err.message : String(err)})`);
      return r;
    }
  }
  return new HashCacheReader('', true);
}

function escapePath(p: string): string {
  return p.includes('\\') || p.includes('\n') ? p.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') : p;
}

/** Undoes escapePath; undefined for a `\` followed by anything else. */
function unescapePath(p: string): string | undefined {
  if (!p.includes('\\')) return p;
  let bad = false;
  const out = p.replace(/\\(.?)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    bad = true;
    return '';
  });
  return bad ? undefined : out;
}
