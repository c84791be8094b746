/**
 * Rows of the hash cache file (hash-cache.ts has the format) encoded as
 * hashes arrive, a batch at a time, and kept while the hashing run lasts,
 * so a save copies them in runs instead of formatting every row at the end
 * (issue 9: encoding 100,000 rows after the last hash of a first scan took
 * 60-90 ms of the event loop while both workers had nothing left to do).
 */
import { ENCODE_ROWS, formatRow, HASH_CACHE_HEADER, type CacheRow } from './hash-cache.js';

/** Rows stop being kept once this many bytes of them are (the rest are formatted when saved): memory stays bounded. */
export const MAX_CHUNK_BYTES = 64 * 1024 * 1024;

/** A row the library can save: its fields, and where its bytes are kept (chunk -1: nowhere). */
export interface ChunkedRow extends CacheRow {
  rowChunk: number;
  rowAt: number;
}

/** A row as `pieces` takes it: its hashes may be missing (not hashed yet: it has no row). A row kept in a chunk always has them. */
export type MaybeRow = Omit<ChunkedRow, 'sha1' | 'md5'> & Partial<Pick<ChunkedRow, 'sha1' | 'md5'>>;

/** The row has both hashes. */
function isRow(r: MaybeRow): r is ChunkedRow {
  return r.sha1 !== undefined && r.md5 !== undefined;
}

/** A batch's rows: row i is `bytes` from `ends[i - 1]` (0 for the first) to `ends[i]`. */
export interface Chunk {
  bytes: Buffer;
  ends: Int32Array;
}

/**
 * The rows encoded during one hashing run, by chunk number, until
 * MAX_CHUNK_BYTES of them are kept; the library drops them when the run has
 * saved. The saves while a long run goes on (every few seconds) copy them
 * instead of formatting every row each time.
 */
export class CacheRowChunks {
  #chunks = new Map<number, Chunk>();
  #next = 0;
  #bytes = 0;

  /**
   * Encodes these rows as one chunk and points each at its row (`rowChunk`,
   * `rowAt`); once MAX_CHUNK_BYTES are kept, they are left to be formatted at a save.
   */
  add(rows: readonly ChunkedRow[]): void {
    if (rows.length === 0 || this.#bytes >= MAX_CHUNK_BYTES) return;
    const { bytes, ends } = encodeRows(rows);
    const id = this.#next++;
    this.#chunks.set(id, { bytes, ends });
    this.#bytes += bytes.length;
    for (let i = 0; i < rows.length; i++) {
      rows[i]!.rowChunk = id;
      rows[i]!.rowAt = i;
    }
  }

  /** Forgets every chunk (rows that pointed into them are formatted from then on). */
  clear(): void {
    this.#chunks.clear();
    this.#bytes = 0;
  }

  /**
   * The cache file for these rows, in this order: runs of rows that lie one
   * after another in a chunk are copied as one piece; any other row is
   * formatted (the same bytes either way).
   */
  encode(rows: readonly ChunkedRow[]): Buffer {
    return Buffer.concat(this.pieces(rows));
  }

  /**
   * encode's bytes in pieces, to be written one after another (most of them
   * views of the rows kept: no copy), for the rows given that have both
   * hashes (the others are left out: the library passes every entry in scan
   * order, with no list of the hashed ones made first). A row that follows
   * the last one in its chunk only extends the run: a save, which runs once
   * at the end of a first scan while both workers wait, does little per row
   * (issue 9).
   */
  pieces(rows: readonly MaybeRow[]): Uint8Array[] {
    const out = new PieceList();
    for (let i = 0; i < rows.length; i++) this.#add(out, rows[i]!);
    out.endRun();
    out.endLines();
    return out.pieces;
  }

  /**
   * pieces' bytes, made in slices: after every SLICE_ROWS rows formatted
   * (not copied from a chunk) the event loop gets a turn (issue 9: a first
   * scan's 100,000 rows are formatted by the save that follows
   * `share.hashed`, 60-100 ms at once, which held back the events of the
   * node's start and would hold a search made right after the event).
   */
  async piecesInSlices(rows: readonly MaybeRow[]): Promise<Uint8Array[]> {
    const out = new PieceList();
    for (let i = 0; i < rows.length; i++) {
      if (this.#add(out, rows[i]!) && ++out.formatted % SLICE_ROWS === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    out.endRun();
    out.endLines();
    return out.pieces;
  }

  /** One row into `out`: extends the run, starts one, or is formatted (then true); a row without hashes is left out. */
  #add(out: PieceList, r: MaybeRow): boolean {
    if (out.runChunk >= 0 && r.rowChunk === out.runChunk && r.rowAt === out.nextAt) {
      out.nextAt++;
      return false;
    }
    const chunk = r.rowChunk < 0 ? undefined : this.#chunks.get(r.rowChunk);
    if (chunk === undefined) {
      if (!isRow(r)) return false; // not hashed: no row, and the run so far goes on after it
      out.endRun();
      out.lines.push(formatRow(r));
      if (out.lines.length === ENCODE_ROWS) out.endLines();
      return true;
    }
    out.endRun();
    out.endLines();
    out.startRun(chunk, r.rowChunk, r.rowAt);
    return false;
  }
}

/**
 * Rows formatted between two turns of the event loop by piecesInSlices (about
 * a millisecond of work on the test machine). Small, because whatever awaits
 * I/O meanwhile waits a slice per step (issue 9: the node's start, which reads
 * its transfer state and lists its downloads folder after the share's first
 * scan, held `ready` and `share.hashed` back 15-45 ms behind slices of 8,192
 * rows; 4-6 ms with 1,024).
 */
export const SLICE_ROWS = 1024;

/**
 * The pieces of a cache file being put together (CacheRowChunks.pieces):
 * the run of rows kept in one chunk, or the rows formatted, that goes next.
 * Methods of a class, not closures made per save, so the save's optimized
 * code stays valid from one save to the next (issue 9).
 */
class PieceList {
  pieces: Uint8Array[] = [Buffer.from(`${HASH_CACHE_HEADER}\n`, 'latin1')];
  lines: string[] = [];
  /** Rows formatted so far (piecesInSlices). */
  formatted = 0;
  run: Chunk | undefined;
  runChunk = -1;
  /** Where the run starts in its chunk's bytes, and its next row there: rows up to nextAt - 1 are in it. */
  from = 0;
  nextAt = 0;

  startRun(chunk: Chunk, id: number, rowAt: number): void {
    this.run = chunk;
    this.runChunk = id;
    this.from = rowAt === 0 ? 0 : chunk.ends[rowAt - 1]!;
    this.nextAt = rowAt + 1;
  }

  endRun(): void {
    const run = this.run;
    if (run && this.nextAt > 0) {
      const to = run.ends[this.nextAt - 1]!;
      if (to > this.from) this.pieces.push(run.bytes.subarray(this.from, to));
    }
    this.run = undefined;
    this.runChunk = -1;
  }

  endLines(): void {
    if (this.lines.length > 0) this.pieces.push(Buffer.from(this.lines.join(''), 'utf8'));
    this.lines = [];
  }
}

/** Bytes of a row at most besides its strings: seven spaces, four numbers (a number's text is at most 25 characters), the newline. */
const ROW_BYTES_BESIDES_STRINGS = 7 + 4 * 32 + 1;
/** UTF-8 bytes per UTF-16 unit at most (an escaped `\\` or newline takes two). */
const MAX_UTF8_PER_UNIT = 3;
/** Rows formatted into one string before it is written (a string per row and a join of them all cost more). */
const ROWS_PER_WRITE = 64;
/** Where rows are written before they are copied out at their size; grown as needed, kept by the event loop's one caller. */
let scratch = Buffer.allocUnsafe(1 << 20);

/**
 * The rows' bytes, exactly formatRow's encoded as UTF-8, and where each
 * ends: a few dozen rows at a time formatted into one string and written
 * straight into a reused buffer, copied out once (issue 9: a string per
 * row, all joined, then encoded, made about 70 MB of strings for 100,000
 * rows during a first scan; writing each byte from JavaScript was slower
 * than either, the hashes being slices of a larger string).
 */
export function encodeRows(rows: readonly CacheRow[]): Chunk {
  let most = 0;
  for (const r of rows) most += ROW_BYTES_BESIDES_STRINGS + MAX_UTF8_PER_UNIT * (r.sha1.length + r.md5.length + r.path.length);
  if (scratch.length < most) scratch = Buffer.allocUnsafe(Math.max(most, 2 * scratch.length));
  const out = scratch;
  const ends = new Int32Array(rows.length);
  let o = 0;
  for (let from = 0; from < rows.length; from += ROWS_PER_WRITE) {
    const to = Math.min(rows.length, from + ROWS_PER_WRITE);
    let text = '';
    for (let i = from; i < to; i++) {
      const line = formatRow(rows[i]!);
      text += line;
      ends[i] = line.length; // characters: the bytes too when the rows are ASCII
    }
    const bytes = out.write(text, o, 'utf8');
    if (bytes !== text.length) for (let i = from; i < to; i++) ends[i] = Buffer.byteLength(formatRow(rows[i]!), 'utf8');
    for (let i = from; i < to; i++) ends[i] = o += ends[i]!;
  }
  return { bytes: Buffer.from(out.subarray(0, o)), ends };
}
