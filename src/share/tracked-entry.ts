/**
 * A shared file as the share table holds it (share-table.ts): the entry
 * protocols see (ShareEntry), plus what the last scan saw of it. Few objects
 * per file (issue 9: a first scan of 100,000 files kept about ten objects a
 * file, an entry, six string slices and three boxed numbers, and the young
 * generation's collector copied every one of them twice before it settled):
 * the name and the path under the root are read from the path, the three
 * hashes from the one record they arrived in (worker-messages.ts), the root
 * from the scan's root, and a size or inode that fits a small integer is
 * kept as one. The fields read as before; reading a name or a hash makes a
 * slice of a string kept anyway.
 */
import type { ShareEntry } from './share-entry.js';
import { HASH_RECORD_CHARS, MD5_HEX_CHARS, SHA1_HEX_CHARS, type ScanRoot } from './worker-messages.js';

/** Largest number V8 keeps as a small integer on 64-bit and 32-bit builds alike (no boxed number per field). */
const SMALL_INT_MAX = 0x3fffffff;

/** One shared file in the table; `gen`, `rowChunk`, `rowAt` and `record` are the table's to change. */
export class Tracked implements ShareEntry {
  /** The number of the last scan that saw it (GONE once it left the table). */
  gen: number;
  /** Where its cache row was encoded while hashing (CacheRowChunks; chunk -1: nowhere, it is formatted when saved). */
  rowChunk = -1;
  rowAt = 0;
  /** SHA-1 hex, md5 hex and SHA-1 base32 in one HASH_RECORD_CHARS string, once hashed. */
  record: string | undefined;
  readonly size: number;
  readonly ino: number;

  /**
   * `nameAt`: where the name starts in `path`; `relAt`: where the path under
   * the root starts in it, or -1 when that is `relText` (a platform whose
   * separator is not `/`).
   */
  constructor(
    readonly index: number,
    readonly path: string,
    private readonly scanRoot: ScanRoot,
    private readonly nameAt: number,
    private readonly relAt: number,
    private readonly relText: string | undefined,
    size: number,
    readonly mtimeMs: number,
    ino: number,
    gen: number,
    record: string | undefined,
  ) {
    this.size = smallInt(size);
    this.ino = smallInt(ino);
    this.gen = gen;
    this.record = record;
  }

  get name(): string {
    return this.path.slice(this.nameAt);
  }

  get relPath(): string {
    return this.relAt >= 0 ? this.path.slice(this.relAt) : this.relText!;
  }

  get root(): string {
    return this.scanRoot.root;
  }

  get rootReal(): string {
    return this.scanRoot.rootReal;
  }

  get sha1(): string | undefined {
    return this.record?.slice(0, SHA1_HEX_CHARS);
  }

  get md5(): string | undefined {
    return this.record?.slice(SHA1_HEX_CHARS, SHA1_HEX_CHARS + MD5_HEX_CHARS);
  }

  get sha1Base32(): string | undefined {
    return this.record?.slice(SHA1_HEX_CHARS + MD5_HEX_CHARS, HASH_RECORD_CHARS);
  }
}

/** The same number, as a small integer when it is one (a number from a Float64Array is stored boxed otherwise). */
function smallInt(n: number): number {
  return n >= 0 && n <= SMALL_INT_MAX && (n | 0) === n ? n | 0 : n;
}
