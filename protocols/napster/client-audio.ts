import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../src/log.js';
import { ensureDir, writeFileAtomic } from '../../src/paths.js';
import type { ShareEntry } from '../../src/share/share-entry.js';
import { audioStart, MP3_PROBE_BYTES, mp3Info, type AudioInfo } from './mp3-info.js';

/** File in the data dir that keeps what we learnt, so a restart reads no MP3 header again. */
export const AUDIO_CACHE_FILE = 'napster-audio.json';
/** Most files remembered (a library can be huge; only the 5,000 shared per server are read). */
export const MAX_AUDIO_CACHE = 200_000;
/** Headers read at once. */
const READ_CONCURRENCY = 8;

/** One remembered file: [size, mtimeMs, ctimeMs, bitrate, freq, seconds]; zeros when the file has no MPEG audio. */
type Row = [number, number, number, number, number, number];

/**
 * The ctime of a row from an older napster-audio.json (no ctime in it): it matches no file,
 * so each of those files is read once more and remembered with its ctime.
 */
const CTIME_UNKNOWN = -1;
/** Fields of a saved row: the path and the Row, or (older files) the path, size, mtime and the three audio fields. */
const SAVED_FIELDS = 7;
const OLD_SAVED_FIELDS = 6;

/** Whether a shared file is one we read audio fields from (the type-100 share is for MP3s, §4.1). */
export function isMp3(name: string): boolean {
  return /\.mp3$/i.test(name);
}

/**
 * The bitrate, frequency and length of shared MP3 files (napster.md §4.1
 * share fields), read from each file's first bytes once and kept by path,
 * size, mtime and ctime (a rewrite that keeps the size and puts the mtime back
 * still moves the ctime) in memory and in `napster-audio.json` (written atomically).
 * A file whose header cannot be read or parsed is remembered as "no info"
 * (zeros on the wire, as before), so it is not read again until it changes.
 */
export class AudioCatalog {
  readonly #rows = new Map<string, Row>();
  readonly #file: string;
  readonly #dir: string;
  readonly #log: Logger;
  #loaded: Promise<void> | undefined;
  #dirty = false;
  /** One prepare at a time: a second one waits, then finds what the first read. */
  #busy: Promise<unknown> = Promise.resolve();
  /** Set by close(): no header is read and no prepare starts after it. */
  #closed = false;

  constructor(dataDir: string, log: Logger) {
    this.#dir = dataDir;
    this.#file = join(dataDir, AUDIO_CACHE_FILE);
    this.#log = log;
  }

  /** The fields of `e` when known and the file has not changed since. */
  get(e: ShareEntry): AudioInfo | undefined {
    const r = this.#rows.get(e.path);
    if (!r || !sameFile(r, e) || r[3] === 0) return undefined;
    return { bitrate: r[3], freq: r[4], seconds: r[5] };
  }

  /** Reads the headers of the MP3s among `entries` not known yet; true when something new was learnt. */
  prepare(entries: readonly ShareEntry[]): Promise<boolean> {
    const run = this.#busy.then(() => this.#prepare(entries));
    this.#busy = run.catch(() => undefined);
    return run;
  }

  /**
   * Stops reading headers and waits for the prepare under way, with its save of what it
   * learnt: once this resolves nothing writes to the data dir any more (a node's stop, and
   * whoever removes the data dir after it, can count on that).
   */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#busy;
  }

  async #prepare(entries: readonly ShareEntry[]): Promise<boolean> {
    if (this.#closed) return false;
    await (this.#loaded ??= this.#load());
    const todo = entries.filter((e) => isMp3(e.name) && !this.#fresh(e));
    if (todo.length === 0) return false;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < todo.length && !this.#closed) {
        const e = todo[next++]!;
        const info = await readAudioInfo(e.path, e.size).catch(() => undefined);
        this.#set(e, info);
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, todo.length) }, worker));
    await this.#save();
    return todo.some((e) => this.get(e) !== undefined);
  }

  #fresh(e: ShareEntry): boolean {
    const r = this.#rows.get(e.path);
    return r !== undefined && sameFile(r, e);
  }

  #set(e: ShareEntry, info: AudioInfo | undefined): void {
    if (!this.#rows.has(e.path) && this.#rows.size >= MAX_AUDIO_CACHE) {
      const oldest = this.#rows.keys().next().value;
      if (oldest !== undefined) this.#rows.delete(oldest);
    }
    this.#rows.set(e.path, [e.size, e.mtimeMs, ctimeOf(e), info?.bitrate ?? 0, info?.freq ?? 0, info?.seconds ?? 0]);
    this.#dirty = true;
  }

  async #load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.#file, 'utf8');
    } catch {
      return;
    }
    try {
      const data: unknown = JSON.parse(text);
      if (!Array.isArray(data)) throw new Error('not a list');
      for (const r of data.slice(0, MAX_AUDIO_CACHE)) {
        const row = savedRow(r);
        if (row) this.#rows.set(row[0], row[1]);
      }
    } catch (err) {
      this.#log.warn(`${AUDIO_CACHE_FILE}: ignored (${err instanceof Error ? err.message : String(err)}); MP3 headers are read again`);
    }
  }

  async #save(): Promise<void> {
    if (!this.#dirty) return;
    this.#dirty = false;
    const rows = [...this.#rows].map(([path, r]) => [path, ...r]);
    try {
      await ensureDir(this.#dir);
      await writeFileAtomic(this.#file, JSON.stringify(rows));
    } catch (err) {
      this.#log.warn(`${AUDIO_CACHE_FILE}: not saved: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/** The ctime a row keeps for `e`: an entry without one (not from the library) counts its mtime. */
function ctimeOf(e: ShareEntry): number {
  return e.ctimeMs ?? e.mtimeMs;
}

/** The row was learnt from this very file: same size, mtime and ctime. */
function sameFile(r: Row, e: ShareEntry): boolean {
  return r[0] === e.size && r[1] === e.mtimeMs && r[2] === ctimeOf(e);
}

/** One saved row, checked (numbers finite and not negative; a ctime may be unknown), or undefined. */
function savedRow(r: unknown): [string, Row] | undefined {
  if (!Array.isArray(r) || typeof r[0] !== 'string') return undefined;
  const nums: unknown[] = r.slice(1);
  if (!nums.every((n): n is number => typeof n === 'number' && Number.isFinite(n))) return undefined;
  if (r.length === SAVED_FIELDS) {
    const [size, mtime, ctime, bitrate, freq, secs] = nums as Row;
    if ([size, mtime, bitrate, freq, secs].some((n) => n < 0) || (ctime < 0 && ctime !== CTIME_UNKNOWN)) return undefined;
    return [r[0], [size, mtime, ctime, bitrate, freq, secs]];
  }
  if (r.length === OLD_SAVED_FIELDS) {
    const [size, mtime, bitrate, freq, secs] = nums as number[];
    if ([size!, mtime!, bitrate!, freq!, secs!].some((n) => n < 0)) return undefined;
    return [r[0], [size!, mtime!, CTIME_UNKNOWN, bitrate!, freq!, secs!]];
  }
  return undefined;
}

/**
 * Reads a file's audio fields: its first bytes, and when an ID3v2 tag (cover
 * art...) is longer than that, the bytes where the audio starts. Two small
 * reads at most, whatever the file's size.
 */
export async function readAudioInfo(path: string, size: number): Promise<AudioInfo | undefined> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(MP3_PROBE_BYTES);
    const first = (await fh.read(buf, 0, buf.length, 0)).bytesRead;
    const head = buf.subarray(0, first);
    const start = audioStart(head, size);
    if (start === undefined) return undefined;
    if (start + MP3_PROBE_BYTES <= first || start + 4 <= first && first === size) return mp3Info(head.subarray(start), start, size);
    const n = (await fh.read(buf, 0, buf.length, start)).bytesRead;
    return mp3Info(buf.subarray(0, n), start, size);
  } finally {
    await fh.close();
  }
}
