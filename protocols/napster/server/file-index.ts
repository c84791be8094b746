/**
 * The server's one in-memory index over every logged-in user's shares
 * (specs/napster.md §4.1 sharing, §5 matching, §11 memory). A napster-specific
 * compact index rather than the core KeywordIndex: the tokens differ (last two
 * path components, suffix dropped, §3.1) and a Map of Sets per token would cost
 * more than the 360-byte-per-file budget at a million files.
 *
 * Layout: file records live in typed arrays indexed by slot. Each file also
 * gets a sequence number when it is indexed (newer files, higher numbers), and
 * each word has one posting list of sequence numbers in ascending order, so a
 * search walks lists backwards for newest first (§5 "Order") and intersects
 * them by comparing the numbers in the lists alone: only a file that matches
 * every word costs a look at its record (at a million files those scattered
 * reads, one per candidate, were most of a search's time). `#slotOf` maps a
 * sequence number to its slot, or DEAD once removed: a slot is reused at once,
 * and dead numbers are swept from every list in one pass once they are
 * numerous, which also renumbers the live ones densely from 0.
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
/** Sweep dead sequence numbers once this many wait, and they are at least a quarter of all. */
const SWEEP_MIN = 4096;

/** Quantises a value to the first table entry >= it (the last entry if none), §3.1. */
export function quantise(table: readonly number[], value: number): number {
  for (let i = 0; i < table.length; i++) if (table[i]! >= value) return i;
  return table.length - 1;
}

export class FileIndex {
  #owner = new Int32Array(INITIAL_SLOTS).fill(DEAD);
  #seq = new Int32Array(INITIAL_SLOTS);
  /** Sequence number -> slot, DEAD once the file is removed. */
  #slotOf = new Int32Array(INITIAL_SLOTS).fill(DEAD);
  #size = new Float64Array(INITIAL_SLOTS);
  #seconds = new Uint32Array(INITIAL_SLOTS);
  /** bits 0-4 bitrate index, 5-7 freq index, 8-10 type index. */
  #meta = new Uint16Array(INITIAL_SLOTS);
  /** Grown by push only: setting a large array's length would turn it into a slow dictionary. */
  #paths: Array<string | undefined> = [];
  readonly #words = new WordPostings();
  #free: number[] = [];
  /** Removed files whose sequence numbers are still in posting lists. */
  #deadSeqs = 0;
  #top = 0;
  #nextSeq = 0;
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
    if (this.#nextSeq === this.#slotOf.length) this.#slotOf = grown(this.#slotOf, this.#slotOf.length * 2, DEAD);
    const seq = this.#nextSeq++;
    this.#slotOf[seq] = slot;
    this.#owner[slot] = owner;
    this.#seq[slot] = seq;
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
    this.#words.addWords(path, start, end, seq);
    return slot;
  }

  /** Removes a file by slot (its posting entries go at the next sweep; the slot is free at once). */
  remove(slot: number): void {
    if (slot >= this.#top || this.#owner[slot] === DEAD) return;
    this.#owner[slot] = DEAD;
    this.#slotOf[this.#seq[slot]!] = DEAD;
    this.#live--;
    this.#bytes -= this.#size[slot]!;
    this.#paths[slot] = undefined;
    this.#free.push(slot);
    this.#deadSeqs++;
    if (this.#deadSeqs >= this.#sweepMin && this.#deadSeqs * 4 >= this.#live) this.#sweep();
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
    const slotOf = this.#slotOf;
    for (let i = cursors[0]!; i >= 0 && out.length < search.max; i--) {
      const seq = first[i]!;
      let ok = true;
      for (let k = 1; k < lists.length && ok; k++) {
        const at = seek(lists[k]!, cursors[k]!, seq);
        cursors[k] = at;
        if (at < 0) i = -1; // a list ran out: nothing older can match
        ok = at >= 0 && lists[k]![at] === seq;
      }
      for (let k = 0; k < excluded.length && ok; k++) {
        const at = seek(excluded[k]!, exCursors[k]!, seq);
        exCursors[k] = at;
        ok = !(at >= 0 && excluded[k]![at] === seq);
      }
      if (!ok) continue;
      const slot = slotOf[seq]!;
      if (slot === DEAD) continue;
      const owner = this.#owner[slot]!;
      if (owner === owners.self) continue;
      if (wantType >= 0 && ((this.#meta[slot]! >> 8) & 0x7) !== wantType) continue;
      if (owners.hidden(owner)) continue;
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
    this.#seq = grown(this.#seq, n, 0);
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

  /** Drops dead sequence numbers from every list and renumbers the live ones 0, 1, 2... in order. */
  #sweep(): void {
    const old = this.#slotOf;
    const top = this.#nextSeq;
    const renumber = new Int32Array(top);
    const slotOf = new Int32Array(Math.max(INITIAL_SLOTS, this.#live * 2)).fill(DEAD);
    let next = 0;
    for (let seq = 0; seq < top; seq++) {
      const slot = old[seq]!;
      if (slot === DEAD) {
        renumber[seq] = DEAD;
        continue;
      }
      renumber[seq] = next;
      slotOf[next] = slot;
      this.#seq[slot] = next++;
    }
    this.#words.sweep(renumber);
    this.#slotOf = slotOf;
    this.#nextSeq = next;
    this.#deadSeqs = 0;
  }
}

/** A copy of `a` with room for `n` entries, the new ones set to `fill`. */
function grown(a: Int32Array<ArrayBuffer>, n: number, fill: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  if (fill !== 0) b.fill(fill, a.length);
  b.set(a);
  return b;
}

/**
 * From `from` downwards, the index of the last entry of an ascending list
 * that is <= `want` (-1 if none): a galloping search, so walking a list from
 * its end costs O(k log(n/k)) for k candidates.
 */
function seek(ids: Int32Array, from: number, want: number): number {
  if (from < 0 || ids[from]! <= want) return from;
  let step = 1;
  let hi = from; // ids[hi] > want
  let lo = from - step;
  while (lo >= 0 && ids[lo]! > want) {
    hi = lo;
    step *= 2;
    lo = hi - step;
  }
  if (lo < 0) lo = -1; // treat -1 as -infinity
  // invariant: lo == -1 or ids[lo] <= want; ids[hi] > want
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! <= want) lo = mid;
    else hi = mid;
  }
  return lo;
}
