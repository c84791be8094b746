/**
 * Whether a file asked for is on this node already (README "Downloads"): `/get N` of a file
 * downloaded before says where it is instead of fetching it again as `name (1).ext`, unless
 * the file there differs by size or SHA-1 (then it is another file of the same name, and the
 * download goes on under a new name). How the best clients decide: eMule and LimeWire say
 * "you already have this file" by hash; a name alone says nothing of the bytes.
 */
import type { Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { normalizeSha1 } from '../share/base32.js';
import { hashFile } from '../share/file-hasher.js';
import { MAX_NAME_VARIANTS, nameVariant, sanitizeDownloadName } from './file-name.js';
import { sameStamp, stampOf, type KnownHashes } from './known-hashes.js';

/**
 * A file changed this recently is not remembered by its stamp: file times tick coarsely (a
 * jiffy on Linux, 2 s for FAT's mtime), so a rewrite of the same size soon after could keep
 * every field of the stamp (git's "racy" files). It is hashed again on the next ask instead.
 */
export const SETTLED_MS = 3_000;

/** What a request tells of the file it wants: its size and SHA-1 (hex), when its source said them. */
export interface WantedFile {
  name: string;
  size: number | null;
  sha1?: string;
}

/** A file on disk as it is compared with a request: its size, and its SHA-1 (hex) when known. */
export interface HaveFile {
  size: number;
  sha1?: string;
}

/**
 * How a file on disk of the wanted name stands to the request: `same` (size and SHA-1 equal,
 * or the size where no SHA-1 was announced), `differs` (another file of that name), or
 * `unknown` (nothing to compare: the source announced neither size nor SHA-1, as plain P+2).
 * `needsHash`: the SHA-1 decides and the file's is not known yet.
 */
export type CopyVerdict = 'same' | 'differs' | 'unknown' | 'needsHash';

/** Decides what a file on disk is to the request (pure: the caller stats and hashes). */
export function compareCopy(want: Omit<WantedFile, 'name'>, have: HaveFile): CopyVerdict {
  if (want.size !== null && want.size !== have.size) return 'differs';
  const sha1 = want.sha1 === undefined ? undefined : normalizeSha1(want.sha1);
  if (sha1 !== undefined) {
    if (have.sha1 === undefined) return 'needsHash';
    return normalizeSha1(have.sha1) === sha1 ? 'same' : 'differs';
  }
  return want.size !== null ? 'same' : 'unknown';
}

/** A file already here: `same` when size (and SHA-1) say it is the one asked for; `name` when only its name does. */
export interface LocalCopy {
  path: string;
  how: 'same' | 'name';
  /** Which checks said so, for the user: `size and SHA-1`, `size`. */
  by?: string;
}

/**
 * The names `nameVariant` gives `name` (`song.mp3`, `song (1).mp3`, ...) among `entries`,
 * in that order: where an earlier download of the same file was saved.
 */
export function variantsOf(name: string, entries: readonly string[]): string[] {
  const here = new Set(entries);
  const found: string[] = [];
  for (let n = 0; n < MAX_NAME_VARIANTS; n++) {
    const v = nameVariant(name, n);
    if (here.has(v)) found.push(v);
  }
  return found;
}

/** Where findLocalCopy may find a file's SHA-1 without reading it, and whom it tells when it must. */
export interface LocalCopyOptions {
  /** SHA-1s this session read before, by path and stamp (a file read once is not read again while unchanged). */
  known?: KnownHashes;
  /** The SHA-1 another part knows for the file as `st` says it is now (the share library's, when the download folder is shared). */
  sha1Of?: (path: string, st: Stats) => string | undefined;
  /** Told before a file is read for its SHA-1, which takes a while for a big one. */
  onHashing?: (path: string, size: number) => void;
}

/**
 * The file in `dir` that a download of `want` would fetch again, if any: a file saved under
 * the name the download would take (or one of its `name (n).ext` variants) that is the same
 * by size and SHA-1, else one whose content cannot be compared (`how: 'name'`). Files of that
 * name that differ are not it. A file of the announced size is compared by its SHA-1: one known
 * for it as it is now (`opts.known`, `opts.sha1Of`), else read from it (and remembered in
 * `opts.known` when it did not change while it was read and had settled before).
 */
export async function findLocalCopy(dir: string, want: WantedFile, opts: LocalCopyOptions = {}): Promise<LocalCopy | undefined> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return undefined; // no download folder yet: nothing downloaded
  }
  let unknown: LocalCopy | undefined;
  for (const name of variantsOf(sanitizeDownloadName(want.name), entries)) {
    const path = join(dir, name);
    const st = await stat(path).catch(() => undefined);
    if (!st?.isFile()) continue;
    let verdict = compareCopy(want, { size: st.size });
    if (verdict === 'needsHash') {
      const sha1 = await sha1Now(path, st, opts);
      verdict = sha1 === undefined ? 'differs' : compareCopy(want, { size: st.size, sha1 });
    }
    if (verdict === 'same') return { path, how: 'same', by: want.sha1 !== undefined ? 'size and SHA-1' : 'size' };
    if (verdict === 'unknown') unknown ??= { path, how: 'name' };
  }
  return unknown;
}

/** The SHA-1 of the file at `path` as `st` found it: known already, or read now (undefined when it cannot be read). */
async function sha1Now(path: string, st: Stats, opts: LocalCopyOptions): Promise<string | undefined> {
  const stamp = stampOf(st);
  const known = opts.known?.get(path, stamp) ?? opts.sha1Of?.(path, st);
  if (known !== undefined) return known;
  const seen = Date.now();
  opts.onHashing?.(path, st.size);
  const sha1 = await hashFile(path, { size: st.size }).then((h) => h.sha1, () => undefined);
  if (sha1 === undefined || !opts.known) return sha1;
  const after = await stat(path).catch(() => undefined);
  if (after && sameStamp(stampOf(after), stamp) && seen - Math.max(st.mtimeMs, st.ctimeMs) >= SETTLED_MS) opts.known.set(path, stamp, sha1);
  return sha1;
}
