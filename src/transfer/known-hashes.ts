/**
 * SHA-1s of files in the download folder that this session has read once (README "Downloads"):
 * `/get N` of a file that is here already hashed a same-size file on every ask, and a file of
 * some GB made `/get` wait seconds each time. A file is known by its path and what a change to
 * it would move: its size, mtime, ctime (any write, even one that puts the mtime back) and
 * inode (a file replaced by another). Capped: the least recently used is forgotten first.
 */
import type { Stats } from 'node:fs';

/** Files remembered at most (a few hundred bytes each). */
export const MAX_KNOWN_HASHES = 1_000;

/** One version of a file, as `stat` tells it. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

/** The stamp of a file as `stat` saw it. */
export function stampOf(st: Pick<Stats, 'size' | 'mtimeMs' | 'ctimeMs' | 'ino'>): FileStamp {
  return { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino };
}

/** Whether two stamps are the same version of a file. */
export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
}

/** Path -> (stamp, SHA-1), for the session; a changed file's SHA-1 is not given back. */
export class KnownHashes {
  readonly #byPath = new Map<string, { stamp: FileStamp; sha1: string }>();

  constructor(readonly max = MAX_KNOWN_HASHES) {}

  get size(): number {
    return this.#byPath.size;
  }

  /** The SHA-1 of `path` as it was when it was remembered, if it has not changed since. */
  get(path: string, stamp: FileStamp): string | undefined {
    const known = this.#byPath.get(path);
    if (!known || !sameStamp(known.stamp, stamp)) return undefined;
    this.#byPath.delete(path);
    this.#byPath.set(path, known); // most recently used last
    return known.sha1;
  }

  /** Remembers the SHA-1 of `path` at `stamp` (replacing what an earlier version had). */
  set(path: string, stamp: FileStamp, sha1: string): void {
    this.#byPath.delete(path);
    this.#byPath.set(path, { stamp, sha1 });
    for (const oldest of this.#byPath.keys()) {
      if (this.#byPath.size <= this.max) break;
      this.#byPath.delete(oldest);
    }
  }
}
