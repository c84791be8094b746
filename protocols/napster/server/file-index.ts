/**
 * The server's one in-memory index over every logged-in user's shares
 * (specs/napster.md §4.1 sharing, §5 matching, §11 memory). A napster-specific
 * compact index rather than the core KeywordIndex: the tokens differ (last two
 * path components, suffix dropped, §3.1) and a Map of Sets per token would cost
 * more than the 360-byte-per-file budget at a million files.
 *
 * Layout: file records live in typed arrays indexed by slot; each word has one
 * posting list (an Int32Array of slots in the order they were indexed, so the
 * newest files come last and a search walks lists backwards, §5 "Order").
 * Removal marks a slot dead; dead entries are swept from every list in one
 * pass once they are numerous, and only then are their slots reused, so every
 * list stays ordered by `seq` and membership is a binary search.
 */
import { BITRATES, FREQUENCIES, type FileType, FILE_TYPES } from '../constants.js';
import { passes, type NapSearch } from '../search-query.js';
import { indexedRange } from '../words.js';
import { WordPostings } from './word-postings.js';

/** What a share says about a file (100/870/10300). */
export interface ShareRecord {
  path: string;
  size: number;
  bitrate: number;
  freq: number;
  seconds: number;
  type: FileType;
}

/** A file as results and browse lists report it (bitrate and freq quantised, §3.1). */
export interface IndexedFile {
  slot: number;
  owner: number;
  path: string;
  size: number;
  bitrate: number;
  freq: number;
  seconds: number;
  type: FileType;
}

/** Decides per candidate whether the searcher may see this owner's files. */
export interface OwnerFilter {
  /** Owner slot to skip (the searcher's own files). */
  self: number;
  /** When the searcher is firewalled: true for owners that are too. */
  hidden(owner: number): boolean;
  /** The owner's link speed (LINESPEED filters). */
  speed(owner: number): number;
}

const DEAD = -1;
const INITIAL_SLOTS = 1024;
/** Sweep dead postings once this many removed files wait, and they are at least a quarter of all. */
const SWEEP_MIN = 4096;

/** Quantises a value to the first table entry >= it (the last entry if none), §3.1. */
export function quantise(table: readonly number[], value: number): number {
  for (let i = 0; i < table.length; i++) if (table[i]! >= value) return i;
  return table.length - 1;
}

export class FileIndex {
  #owner = new Int32Array(INITIAL_SLOTS).fill(DEAD);
  #seq = new Float64Array(INITIAL_SLOTS);
  #size = new Float64Array(INITIAL_SLOTS);
  #seconds = new Uint32Array(INITIAL_SLOTS);
  /** bits 0-4 bitrate index, 5-7 freq index, 8-10 type index. */
  #meta = new Uint16Array(INITIAL_SLOTS);
  /** Grown by push only: setting a large array's length would turn it into a slow dictionary. */
  #paths: Array<string | undefined> = [];
  readonly #words = new WordPostings();
  #free: number[] = [];
  #pendingFree: number[] = [];
  #top = 0;
  #nextSeq = 1;
  #live = 0;
  #bytes = 0;
  readonly #sweepMin: number;

  /** `sweepMin`: removed files that wait before a sweep (tests lower it to reach sweeps quickly). */
  constructor(opts: { sweepMin?: number } = {}) {
    this.#sweepMin = opts.sweepMin ?? SWEEP_MIN;
  }

  /** Files indexed now. */
  get size(): number {
    return this.#live;
  }

  /** Total bytes of the files indexed now. */
  get totalBytes(): number {
    return this.#bytes;
  }

  /** Distinct words. */
  get words(): number {
    return this.#words.size;
  }

  /** Adds a file for an owner; returns its slot. The caller checks duplicates. */
  add(owner: number, rec: ShareRecord): number {
    const slot = this.#alloc();
    this.#owner[slot] = owner;
    this.#seq[slot] = this.#nextSeq++;
    this.#size[slot] = rec.size;
    this.#seconds[slot] = Math.max(0, Math.min(rec.seconds, 0xffffffff));
    this.#meta[slot] =
      quantise(BITRATES, rec.bitrate) | (quantise(FREQUENCIES, rec.freq) << 5) | (FILE_TYPES.indexOf(rec.type) << 8);
    if (slot === this.#paths.length) this.#paths.push(rec.path);
    else this.#paths[slot] = rec.path;
    this.#live++;
    this.#bytes += rec.size;
    const path = rec.path;
    const [start, end] = indexedRange(path);
    this.#words.addWords(path, start, end, slot);
    return slot;
  }

  /** Removes a file by slot (its posting entries go at the next sweep). */
  remove(slot: number): void {
    if (this.#owner[slot] === DEAD || slot >= this.#top) return;
    this.#owner[slot] = DEAD;
    this.#live--;
    this.#bytes -= this.#size[slot]!;
    this.#paths[slot] = undefined;
    this.#pendingFree.push(slot);
    if (this.#pendingFree.length >= this.#sweepMin && this.#pendingFree.length * 4 >= this.#live) this.#sweep();
  }

  get(slot: number): IndexedFile | undefined {
    const owner = this.#owner[slot];
    if (owner === undefined || owner === DEAD) return undefined;
    const meta = this.#meta[slot]!;
    return {
      slot,
      owner,
      path: this.#paths[slot]!,
      size: this.#size[slot]!,
      bitrate: BITRATES[meta & 0x1f] ?? 0,
      freq: FREQUENCIES[(meta >> 5) & 0x7] ?? 0,
      seconds: this.#seconds[slot]!,
      type: FILE_TYPES[(meta >> 8) & 0x7] ?? 'mp3',
    };
  }

  /**
   * Runs a parsed search: newest first, at most `search.max` hits, skipping
   * what `owners` hides. Work is bounded by the shortest wanted word's list.
   */
  search(search: NapSearch, owners: OwnerFilter): IndexedFile[] {
    const words = this.#words;
    const ids: number[] = [];
    for (const w of search.include) {
      const id = words.lookup(w);
      if (id < 0) return [];
      if (!ids.includes(id)) ids.push(id);
    }
    ids.sort((a, b) => words.len(a) - words.len(b));
    const lists = ids.map((id) => words.list(id));
    const excluded: Int32Array[] = [];
    const exCursors: number[] = [];
    for (const w of search.exclude) {
      const id = words.lookup(w);
      if (id < 0) continue;
      excluded.push(words.list(id));
      exCursors.push(words.len(id) - 1);
    }
    const wantType = search.type === 'any' ? -1 : FILE_TYPES.indexOf(search.type);
    const out: IndexedFile[] = [];
    const first = lists[0]!;
    // One cursor per other list: candidates come newest first, so each cursor only moves down.
    const cursors = ids.map((id) => words.len(id) - 1);
    for (let i = cursors[0]!; i >= 0 && out.length < search.max; i--) {
      const slot = first[i]!;
      const owner = this.#owner[slot]!;
      if (owner === DEAD || owner === owners.self) continue;
      if (wantType >= 0 && ((this.#meta[slot]! >> 8) & 0x7) !== wantType) continue;
      const seq = this.#seq[slot]!;
      let ok = true;
      for (let k = 1; k < lists.length && ok; k++) {
        cursors[k] = this.#seek(lists[k]!, cursors[k]!, seq);
        ok = cursors[k]! >= 0 && lists[k]![cursors[k]!] === slot;
        if (cursors[k]! < 0) i = -1; // a list ran out: nothing older can match
      }
      for (let k = 0; k < excluded.length && ok; k++) {
        exCursors[k] = this.#seek(excluded[k]!, exCursors[k]!, seq);
        ok = !(exCursors[k]! >= 0 && excluded[k]![exCursors[k]!] === slot);
      }
      if (ok && owners.hidden(owner)) ok = false;
      if (!ok) continue;
      const file = this.get(slot)!;
      if (!this.#filtersPass(search, file, owners)) continue;
      out.push(file);
    }
    return out;
  }

  #filtersPass(search: NapSearch, f: IndexedFile, owners: OwnerFilter): boolean {
    for (const flt of search.filters) {
      let v: number;
      switch (flt.field) {
        case 'linespeed':
          v = owners.speed(f.owner);
          break;
        case 'bitrate':
          v = f.bitrate;
          break;
        case 'freq':
          v = f.freq;
          break;
        case 'size':
          v = f.size;
          break;
        case 'duration':
          v = f.seconds;
          break;
      }
      if (!passes(flt, v)) return false;
    }
    return true;
  }

  /**
   * From `from` downwards, the index of the last entry whose seq is <= `want`
   * (-1 if none): a galloping search, so walking a list from its end costs
   * O(k log(n/k)) for k candidates.
   */
  #seek(ids: Int32Array, from: number, want: number): number {
    const seq = this.#seq;
    if (from < 0 || seq[ids[from]!]! <= want) return from;
    let step = 1;
    let hi = from; // seq[ids[hi]] > want
    let lo = from - step;
    while (lo >= 0 && seq[ids[lo]!]! > want) {
      hi = lo;
      step *= 2;
      lo = hi - step;
    }
    if (lo < 0) lo = -1; // treat -1 as seq -infinity
    // invariant: lo == -1 or seq[lo] <= want; seq[hi] > want
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (seq[ids[mid]!]! <= want) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  #alloc(): number {
    const reused = this.#free.pop();
    if (reused !== undefined) return reused;
    if (this.#top === this.#owner.length) this.#grow();
    return this.#top++;
  }

  #grow(): void {
    const n = this.#owner.length * 2;
    const owner = new Int32Array(n).fill(DEAD);
    owner.set(this.#owner);
    this.#owner = owner;
    const seq = new Float64Array(n);
    seq.set(this.#seq);
    this.#seq = seq;
    const size = new Float64Array(n);
    size.set(this.#size);
    this.#size = size;
    const secs = new Uint32Array(n);
    secs.set(this.#seconds);
    this.#seconds = secs;
    const meta = new Uint16Array(n);
    meta.set(this.#meta);
    this.#meta = meta;
  }

  /** Drops dead slots from every list, then lets them be reused. */
  #sweep(): void {
    const owner = this.#owner;
    this.#words.sweep((slot) => owner[slot] === DEAD);
    for (const s of this.#pendingFree) this.#free.push(s);
    this.#pendingFree = [];
  }
}
