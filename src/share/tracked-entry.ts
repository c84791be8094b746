/**
 * A shared file as the share table holds it (share-table.ts): the entry
 * protocols see (ShareEntry), plus what the last scan saw of it. Few objects
 * per file (issue 9: a first scan of 100,000 files kept about ten objects a
 * file, an entry, six string slices and three boxed numbers, and the young
 * generation's collector copied every one of them twice before it settled):
 * the name and the path under the root are read from the path (where they
 * start, and the root, from its part: PartFiles), the hashes from the string
 * they arrived in (worker-messages.ts), the mtime, ctime and inode from its part,
 * and a size that fits a small integer is kept as one: an entry and its path
 * are the only objects of its own. The fields read as before; reading a
 * name or a hash makes a slice of a string kept anyway.
 */
import { base32FromHex } from './base32.js';
import type { ShareEntry } from './share-entry.js';
import { MD5_HEX_CHARS, SHA1_HEX_CHARS, type ScanRoot } from './worker-messages.js';

/** Largest number V8 keeps as a small integer on 64-bit and 32-bit builds alike (no boxed number per field). */
const SMALL_INT_MAX = 0x3fffffff;

/**
 * What the entries of one part of a walk read of themselves (ScanPart's
 * arrays, and where each file's name, path under the root and root are):
 * numbers in typed arrays, held outside V8's heap, and shared by the part's
 * entries instead of four fields of each (issue 9: the young generation's
 * collector copies every entry of a first scan twice; 32 bytes less an
 * entry). Only these are kept, not the part (its cached hashes may be a
 * long string of spaces). An entry made on its own (a file a rescan found
 * new or changed) gets one of its own, of one file.
 */
export interface PartFiles {
  readonly mtimes: Float64Array;
  readonly ctimes: Float64Array;
  readonly inos: Float64Array;
  /**
   * Per file, PLACES numbers: where its name starts in its path; where its
   * path under the root starts there (-1: `relTexts` has it, on a platform
   * whose separator is not `/`); its root's number in `roots`.
   */
  readonly places: Int32Array;
  readonly roots: readonly ScanRoot[];
  readonly relTexts: Array<string | undefined> | undefined;
}

/** Numbers per file in PartFiles.places. */
export const PLACES = 3;

/** A PartFiles, always with its fields in this order (one hidden class for every part's and every own entry's). */
export function partFiles(
  mtimes: Float64Array,
  ctimes: Float64Array,
  inos: Float64Array,
  places: Int32Array,
  roots: readonly ScanRoot[],
  relTexts: Array<string | undefined> | undefined,
): PartFiles {
  return { mtimes, ctimes, inos, places, roots, relTexts };
}

/** One shared file in the table; `gen`, `rowChunk`, `rowAt`, `hashText` and `hashAt` are the table's to change. */
export class Tracked implements ShareEntry {
  /** The number of the last scan that saw it (GONE once it left the table). */
  gen: number;
  /** Where its cache row was encoded while hashing (CacheRowChunks; chunk -1: nowhere, it is formatted when saved). */
  rowChunk = -1;
  rowAt = 0;
  /**
   * Once hashed: the string its hashes arrived in (a hash batch's records, or
   * the part's cached records) and where its record is in it (SHA-1 hex, md5
   * hex: HASH_RECORD_CHARS characters). The string is kept by
   * its batch's other files anyway; a slice per file would be one more object.
   * The SHA-1's base32 is not kept: `sha1Base32` works it out from the hex.
   */
  hashText: string | undefined;
  hashAt: number;
  readonly size: number;

  /**
   * `files` and `at`: the part of the walk it came in and its number there
   * (its mtime, ctime, inode, and where its name, path under the root and
   * root are: not fields of its own).
   */
  constructor(
    readonly index: number,
    readonly path: string,
    private readonly files: PartFiles,
    private readonly at: number,
    size: number,
    gen: number,
    hashText: string | undefined,
    hashAt: number,
  ) {
    this.size = smallInt(size);
    this.gen = gen;
    this.hashText = hashText;
    this.hashAt = hashAt;
  }

  get mtimeMs(): number {
    return this.files.mtimes[this.at]!;
  }

  /** The file's ctime when the scan saw it: matched with the size, mtime and inode (a same-size write with its mtime put back moves it). */
  get ctimeMs(): number {
    return this.files.ctimes[this.at]!;
  }

  get ino(): number {
    return this.files.inos[this.at]!;
  }

  get name(): string {
    return this.path.slice(this.files.places[this.at * PLACES]!);
  }

  get relPath(): string {
    const relAt = this.files.places[this.at * PLACES + 1]!;
    return relAt >= 0 ? this.path.slice(relAt) : this.files.relTexts![this.at]!;
  }

  get root(): string {
    return this.files.roots[this.files.places[this.at * PLACES + 2]!]!.root;
  }

  get rootReal(): string {
    return this.files.roots[this.files.places[this.at * PLACES + 2]!]!.rootReal;
  }

  get sha1(): string | undefined {
    const at = this.hashAt;
    return this.hashText?.slice(at, at + SHA1_HEX_CHARS);
  }

  get md5(): string | undefined {
    const at = this.hashAt + SHA1_HEX_CHARS;
    return this.hashText?.slice(at, at + MD5_HEX_CHARS);
  }

  /** Worked out from the SHA-1's hex at every call (a few hundred ns; issue 9: not kept per file). */
  get sha1Base32(): string | undefined {
    const sha1 = this.sha1;
    return sha1 === undefined ? undefined : base32FromHex(sha1);
  }
}

/** The same number, as a small integer when it is one (a number from a Float64Array is stored boxed otherwise). */
function smallInt(n: number): number {
  return n >= 0 && n <= SMALL_INT_MAX && (n | 0) === n ? n | 0 : n;
}
