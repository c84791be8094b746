/**
 * One shared file as the library knows it. Protocols read these; only the
 * library changes them (hashes arrive in the background after the scan).
 */
export interface ShareEntry {
  /** Stable number while the file stays shared (Gnutella's file index, `byIndex`). */
  readonly index: number;
  /** Last path segment: what P+2 answers and accepts. */
  readonly name: string;
  /** Path under its root with `/` separators. */
  readonly relPath: string;
  /** The shared root it was found under, and that root's real path. */
  readonly root: string;
  readonly rootReal: string;
  /** Absolute path (under `root`). */
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  /**
   * The ctime the last scan saw (the library's entries always carry it): any write moves it, even
   * one that keeps the size and puts the mtime back, so a cache of what a file holds keys by it too.
   */
  readonly ctimeMs?: number;
  /** SHA-1 hex, once hashed. */
  readonly sha1?: string;
  /** SHA-1 base32 (`urn:sha1:` body), once hashed. */
  readonly sha1Base32?: string;
  /** md5 of the first 300,000 bytes (Napster), once hashed. */
  readonly md5?: string;
}

/** A library entry checked against the disk just now: `realPath` is inside its root and a regular file. */
export interface ResolvedEntry extends ShareEntry {
  readonly realPath: string;
}

/** The library's own, writable view of an entry (hashes are filled in later). */
export type MutableEntry = { -readonly [K in keyof ShareEntry]: ShareEntry[K] };

/** The fields protocols read, as a plain object (an entry's name, path under its root and hashes are getters: issue 9). */
export function entryFields(e: ShareEntry): ShareEntry {
  return {
    index: e.index,
    name: e.name,
    relPath: e.relPath,
    root: e.root,
    rootReal: e.rootReal,
    path: e.path,
    size: e.size,
    mtimeMs: e.mtimeMs,
    sha1: e.sha1,
    sha1Base32: e.sha1Base32,
    md5: e.md5,
  };
}
