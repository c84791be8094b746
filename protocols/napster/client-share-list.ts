import type { ShareEntry } from '../../src/share/share-entry.js';
import { MAX_PAYLOAD, MAX_SHARES, NO_MD5 } from './constants.js';
import { fromWire, toWire } from './messages.js';
import type { AudioInfo } from './mp3-info.js';
import { hasIndexedWord } from './words.js';

/** One file as we announce it: the wire path (what downloaders send back) and its 100 payload. */
export interface SharedFile {
  /** The path on the wire (latin-1 string of the UTF-8 `\\`-separated relative path). */
  wirePath: string;
  /** The type-100 payload: `"<path>" <md5> <size> <bitrate> <freq> <seconds>`. */
  line: string;
  /** The library entry it comes from. */
  entry: ShareEntry;
}

/** The share list for one server, and why some files are not on it. */
export interface ShareList {
  files: Map<string, SharedFile>;
  /** Files left out because the server takes at most MAX_SHARES. */
  overCap: number;
  /** Files that cannot be announced (a `"` or `\\` in the path, a path too long for a frame). */
  unshareable: number;
  /** Files whose path leaves no word to index (`-.mp3`): OpenNap answers `Sorry, unable to parse`. */
  nameless: number;
}

/**
 * The path a Napster peer sees for a shared file: its path under the share
 * root, Windows style, `\\sub\\file.mp3` (§3.1: paths are opaque to the
 * server, which indexes the last two components; real clients share `\\`
 * paths and show the part after the last `\\`, so TekNap lists a `/` path as
 * "(null)"). It is what comes back in 607, GET and SEND; `relPathOfWire`
 * turns it back into what the share library's resolver takes.
 */
export function wirePathOf(entry: ShareEntry): string {
  return toWire(`\\${entry.relPath.replaceAll('/', '\\')}`);
}

/**
 * The library path a wire path names: ours (`\\sub\\file`) back to
 * `sub/file`; anything else as it is. The resolver's guard then judges it like
 * any remote name (`..`, absolute paths and the rest are refused there).
 */
export function relPathOfWire(wirePath: string): string {
  const text = fromWire(wirePath);
  return text.startsWith('\\') ? text.slice(1).replaceAll('\\', '/') : text;
}

/**
 * Builds the §4.1 share list from the library: md5 of the first 300,000 bytes
 * where hashed (`NOMD5COMPUTED` until then, as TekNap sends), the size, and
 * the audio fields `audio` knows (bitrate, frequency, seconds; 0 where it does
 * not). At most `cap` files (the server's 5,000), lowest library index first
 * so the choice is stable across rescans.
 */
export function buildShareList(entries: Iterable<ShareEntry>, cap = MAX_SHARES, audio: (e: ShareEntry) => AudioInfo | undefined = () => undefined): ShareList {
  const sorted = [...entries].sort((a, b) => a.index - b.index);
  const files = new Map<string, SharedFile>();
  let overCap = 0;
  let unshareable = 0;
  let nameless = 0;
  for (const e of sorted) {
    const wirePath = wirePathOf(e);
    const a = audio(e);
    const line = `"${wirePath}" ${e.md5 ?? NO_MD5} ${e.size} ${a ? `${a.bitrate} ${a.freq} ${a.seconds}` : '0 0 0'}`;
    // A `\\` in a name would come back as a separator: such a file could not be resolved.
    if (wirePath.includes('"') || e.relPath.includes('\\') || line.length > MAX_PAYLOAD) {
      unshareable++;
      continue;
    }
    if (!hasIndexedWord(wirePath)) {
      nameless++;
      continue;
    }
    if (files.size >= cap) {
      overCap++;
      continue;
    }
    files.set(wirePath, { wirePath, line, entry: e });
  }
  return { files, overCap, unshareable, nameless };
}

/** What to tell a server to go from the list it has to the list we want (§4.1: 102 unshare, 100 share). */
export interface ShareDelta {
  /** Wire paths to unshare (gone, or changed: unshared then shared again). */
  remove: string[];
  /** 100 payloads to send. */
  add: string[];
}

/** The delta between two share lists; a file whose line changed (size, md5) is removed and added again. */
export function diffShares(had: ReadonlyMap<string, SharedFile>, want: ReadonlyMap<string, SharedFile>): ShareDelta {
  const remove: string[] = [];
  const add: string[] = [];
  for (const [path, f] of had) {
    const w = want.get(path);
    if (!w || w.line !== f.line) remove.push(path);
  }
  for (const [path, f] of want) {
    const h = had.get(path);
    if (!h || h.line !== f.line) add.push(f.line);
  }
  return { remove, add };
}
