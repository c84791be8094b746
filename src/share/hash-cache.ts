import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../paths.js';
import type { FileHashes } from './file-hasher.js';

/** Bumped when the file layout changes; an unknown version is ignored (everything rehashes). */
export const HASH_CACHE_VERSION = 1;

/** One row on disk: [path, size, mtimeMs, sha1 hex, sha1 base32, md5 hex]. */
type Row = [string, number, number, string, string, string];

function isRow(v: unknown): v is Row {
  return (
    Array.isArray(v) &&
    v.length === 6 &&
    typeof v[0] === 'string' &&
    typeof v[1] === 'number' &&
    typeof v[2] === 'number' &&
    typeof v[3] === 'string' &&
    typeof v[4] === 'string' &&
    typeof v[5] === 'string'
  );
}

/**
 * Remembers file hashes across restarts, keyed by path + size + mtime: a file
 * that kept all three is not read again (issue 4: "a restart with 100,000
 * unchanged files does not rehash"). The file is rewritten atomically, so a
 * crash leaves the previous cache, never a torn one. Entries for files that
 * left the share are dropped by `retain()`; the cache never outgrows the share.
 */
export class HashCache {
  #rows = new Map<string, Row>();
  #dirty = false;

  constructor(readonly file: string) {}

  get size(): number {
    return this.#rows.size;
  }

  get dirty(): boolean {
    return this.#dirty;
  }

  /** Loads the file; a missing, unreadable or malformed cache just starts empty. */
  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof parsed !== 'object' || parsed === null) return;
    const { version, rows } = parsed as { version?: unknown; rows?: unknown };
    if (version !== HASH_CACHE_VERSION || !Array.isArray(rows)) return;
    for (const r of rows) if (isRow(r)) this.#rows.set(r[0], r);
  }

  get(path: string, size: number, mtimeMs: number): FileHashes | undefined {
    const r = this.#rows.get(path);
    if (!r || r[1] !== size || r[2] !== mtimeMs) return undefined;
    return { sha1: r[3], sha1Base32: r[4], md5: r[5], size: r[1] };
  }

  set(path: string, mtimeMs: number, h: FileHashes): void {
    this.#rows.set(path, [path, h.size, mtimeMs, h.sha1, h.sha1Base32, h.md5]);
    this.#dirty = true;
  }

  /** Drops every entry whose path is not in `keep`. */
  retain(keep: { has(path: string): boolean }): void {
    for (const path of this.#rows.keys()) {
      if (!keep.has(path)) {
        this.#rows.delete(path);
        this.#dirty = true;
      }
    }
  }

  /** Writes the cache if it changed since the last save. */
  async save(): Promise<void> {
    if (!this.#dirty) return;
    this.#dirty = false;
    try {
      await writeFileAtomic(this.file, JSON.stringify({ version: HASH_CACHE_VERSION, rows: [...this.#rows.values()] }));
    } catch (err) {
      this.#dirty = true;
      throw err;
    }
  }
}
