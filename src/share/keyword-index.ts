import { extensionOf, FILE_TYPES, fileTypeOf, type FileType } from './file-type.js';
import { asciiWordEnd, asciiWordStart, foldForMatch, isAscii, MAX_TOKEN_CHARS, splitFolded, WORD_CHARS } from './tokenize.js';

/** How a query matches names: every word as a whole token, or one substring of the folded name. */
export type SearchMode = 'words' | 'substring';

/** What a search may narrow results by, besides the words (`/search -min -max -type -ext`). */
export interface IndexFilters {
  /** Smallest size in bytes; an entry of unknown size (-1) passes, as remote hits do (search-query.ts). */
  minSize?: number;
  maxSize?: number;
  type?: FileType;
  /** Lower case, no dot. */
  extension?: string;
}

/** How an index splits names and which queries it can answer. */
export interface KeywordIndexOptions {
  /**
   * What a token is, as a global regular expression over the folded (NFKC,
   * lower-case) name; everything it does not match splits. Default
   * WORD_CHARS: runs of Unicode letters, digits and marks, so `_`, `.`, `-`
   * and spaces all separate words (what Gnutella's QRP wants too). For
   * white-space-only splitting: `/[^\s]+/gu`. Queries are split the same way.
   */
  tokenPattern?: RegExp;
  /** Keep each folded name for substring queries (default true; off saves ~60 bytes an entry). */
  substring?: boolean;
  /** Removed entries that wait before a compaction (default 4096; they must also be a quarter of the live ones). */
  compactAfter?: number;
}

const DEAD = -1;
const NO_EXTENSION = 0;
const DOT = 0x2e;
const INITIAL_SLOTS = 1024;
/** Token positions of the last ASCII name kept for the next (KeywordIndex.#recent). */
const RECENT_TOKENS = 8;
/** Compact once this many removed entries wait and they are a quarter of the live ones. */
const COMPACT_MIN = 4096;

/**
 * An in-memory inverted index from name tokens to entry ids, built for a
 * million-file Napster server and a 100,000-file Gnutella share (issue 7):
 *
 * - entries live in slots (typed arrays: id, size, extension code) in the order
 *   they were added; each token has a posting list of slots, ascending because
 *   slots only grow. A token with one entry keeps it inline (no array).
 * - a words query walks the shortest list and looks each slot up in the
 *   others by galloping search (no sort, no set building), checks filters on
 *   the slot arrays, and stops at the limit.
 * - removal marks a slot dead; dead slots are compacted away (renumbering,
 *   every list rewritten in one pass) once numerous, so queries skip few.
 *
 * Results come in the order entries were added (a re-added id counts as new).
 * Ids are the caller's (the share library's increasing indices): non-negative
 * integers below 2^31, kept in an id -> slot table sized by the largest id.
 */
export class KeywordIndex {
  readonly #tokenPattern: RegExp;
  readonly #keepNames: boolean;
  readonly #compactAfter: number;
  /** The default tokens (WORD_CHARS): ASCII names are split without the regular expression. */
  readonly #asciiWords: boolean;
  // per slot
  #ids = new Int32Array(INITIAL_SLOTS);
  #sizes = new Float64Array(INITIAL_SLOTS);
  #exts = new Uint16Array(INITIAL_SLOTS);
  #names: Array<string | undefined> = [];
  #top = 0;
  #live = 0;
  #dead = 0;
  // id -> slot + 1 (0: absent)
  #slotOf = new Int32Array(INITIAL_SLOTS);
  // tokens
  #tokenIds = new Map<string, number>();
  #lists: Array<Int32Array | undefined> = [];
  #lens = new Int32Array(INITIAL_SLOTS);
  /** The one slot of a token whose list has a single entry (then `#lists[t]` is undefined). */
  #single = new Int32Array(INITIAL_SLOTS);
  #freeTokens: number[] = [];
  /**
   * The tokens of the last ASCII name indexed, by position, with their ids:
   * the next name's token at the same position is compared in place, with no
   * string made or looked up (`track 17.mp3` after `track 16.mp3`). Cleared
   * when a compaction frees token ids.
   */
  #recent: string[] = [];
  #recentIds: number[] = [];
  // extensions, interned: code -> extension, and the type of each code
  #extCodes = new Map<string, number>([['', NO_EXTENSION]]);
  #extTypes: number[] = [-1];
  /** The extension of the last name coded, as written (no dot), and its code ('': none remembered). */
  #lastTail = '';
  #lastTailCode = NO_EXTENSION;

  constructor(opts: KeywordIndexOptions = {}) {
    this.#tokenPattern = new RegExp(opts.tokenPattern ?? WORD_CHARS); // our own copy: its lastIndex is ours
    if (!this.#tokenPattern.global) throw new TypeError('tokenPattern must be a global (g) regular expression');
    this.#asciiWords = this.#tokenPattern.source === WORD_CHARS.source && this.#tokenPattern.flags === WORD_CHARS.flags;
    this.#keepNames = opts.substring ?? true;
    this.#compactAfter = opts.compactAfter ?? COMPACT_MIN;
  }

  /** Entries indexed now. */
  get size(): number {
    return this.#live;
  }

  /** Distinct tokens. */
  get tokens(): number {
    return this.#tokenIds.size;
  }

  /** Indexes `name` under `id` (replacing what the id had); `size` -1 when unknown. */
  add(id: number, name: string, size = -1): void {
    if (!Number.isInteger(id) || id < 0 || id > 0x7fffffff) throw new RangeError(`index ids are integers 0..2^31-1: ${id}`);
    this.remove(id);
    const slot = this.#allocSlot();
    this.#ids[slot] = id;
    this.#sizes[slot] = size;
    this.#exts[slot] = this.#extCode(name);
    // One ASCII check: an ASCII name's folded form is its lower case, ASCII too.
    const ascii = isAscii(name);
    const folded = ascii ? name.toLowerCase() : foldForMatch(name);
    if (this.#keepNames) this.#names[slot] = folded;
    if (id >= this.#slotOf.length) this.#slotOf = grow(this.#slotOf, id + 1);
    this.#slotOf[id] = slot + 1;
    this.#live++;
    if (this.#asciiWords && ascii) this.#postAsciiWords(folded, slot);
    else for (const t of splitFolded(folded, this.#tokenPattern)) this.#post(t, slot);
  }

  /** Posts the words of an ASCII name (splitAsciiWords), reusing the last name's tokens where they repeat. */
  #postAsciiWords(folded: string, slot: number): void {
    let k = 0;
    for (let start = asciiWordStart(folded, 0); start >= 0; k++) {
      const end = asciiWordEnd(folded, start);
      const len = Math.min(end - start, MAX_TOKEN_CHARS);
      const last = this.#recent[k];
      if (last !== undefined && last.length === len && folded.startsWith(last, start)) this.#append(this.#recentIds[k]!, slot);
      else {
        const token = folded.slice(start, start + len);
        const t = this.#post(token, slot);
        if (k < RECENT_TOKENS) {
          this.#recent[k] = token;
          this.#recentIds[k] = t;
        }
      }
      start = asciiWordStart(folded, end);
    }
  }

  remove(id: number): void {
    const slot = (id >= 0 && id < this.#slotOf.length ? this.#slotOf[id]! : 0) - 1;
    if (slot < 0) return;
    this.#slotOf[id] = 0;
    this.#ids[slot] = DEAD;
    this.#names[slot] = undefined;
    this.#live--;
    this.#dead++;
    if (this.#dead >= this.#compactAfter && this.#dead * 4 >= this.#live) this.#compact();
  }

  /** Ids matching the query, in the order they were added, at most `limit` of them. */
  search(query: string, mode: SearchMode, limit: number, filters: IndexFilters = {}): number[] {
    if (limit <= 0) return [];
    const pass = this.#filter(filters);
    return mode === 'words' ? this.#words(query, limit, pass) : this.#substring(query, limit, pass);
  }

  #words(query: string, limit: number, pass: (slot: number) => boolean): number[] {
    const wanted: number[] = [];
    for (const t of splitFolded(foldForMatch(query), this.#tokenPattern)) {
      const tid = this.#tokenIds.get(t);
      if (tid === undefined) return [];
      if (!wanted.includes(tid)) wanted.push(tid);
    }
    if (wanted.length === 0) return [];
    // The shortest list drives; the others are only probed.
    let driver = 0;
    for (let i = 1; i < wanted.length; i++) if (this.#lens[wanted[i]!]! < this.#lens[wanted[driver]!]!) driver = i;
    const [d] = wanted.splice(driver, 1) as [number];
    const out: number[] = [];
    const cursors = new Int32Array(wanted.length);
    const n = this.#lens[d]!;
    const list = this.#lists[d];
    for (let i = 0; i < n && out.length < limit; i++) {
      const slot = list ? list[i]! : this.#single[d]!;
      const id = this.#ids[slot]!;
      if (id === DEAD || !pass(slot)) continue;
      let all = true;
      for (let k = 0; k < wanted.length && all; k++) {
        const at = this.#seek(wanted[k]!, cursors[k]!, slot);
        cursors[k] = at;
        all = at < this.#lens[wanted[k]!]! && this.#at(wanted[k]!, at) === slot;
      }
      if (all) out.push(id);
    }
    return out;
  }

  #substring(query: string, limit: number, pass: (slot: number) => boolean): number[] {
    if (!this.#keepNames) throw new Error('this index keeps no names for substring queries');
    const q = foldForMatch(query).trim();
    if (q === '') return [];
    const out: number[] = [];
    for (let slot = 0; slot < this.#top && out.length < limit; slot++) {
      const name = this.#names[slot];
      if (name !== undefined && name.includes(q) && pass(slot)) out.push(this.#ids[slot]!);
    }
    return out;
  }

  /** The first index >= `from` in token `t`'s list whose slot is >= `slot` (galloping, then binary search). */
  #seek(t: number, from: number, slot: number): number {
    const n = this.#lens[t]!;
    const list = this.#lists[t];
    if (!list) return from === 0 && this.#single[t]! >= slot ? 0 : 1;
    if (from >= n || list[from]! >= slot) return from;
    let step = 1;
    let lo = from;
    let hi = from + 1;
    while (hi < n && list[hi]! < slot) {
      lo = hi;
      step *= 2;
      hi = lo + step;
    }
    if (hi > n) hi = n;
    // list[lo] < slot; list[hi] >= slot or hi == n
    while (lo + 1 < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]! < slot) lo = mid;
      else hi = mid;
    }
    return hi;
  }

  #at(t: number, i: number): number {
    const list = this.#lists[t];
    return list ? list[i]! : this.#single[t]!;
  }

  #filter(f: IndexFilters): (slot: number) => boolean {
    const { minSize, maxSize, extension } = f;
    const type = f.type === undefined ? undefined : FILE_TYPES.indexOf(f.type);
    if (minSize === undefined && maxSize === undefined && extension === undefined && type === undefined) return () => true;
    const ext = extension === undefined ? undefined : this.#extCodes.get(extension) ?? -2;
    return (slot) => {
      const size = this.#sizes[slot]!;
      if (minSize !== undefined && size >= 0 && size < minSize) return false;
      if (maxSize !== undefined && size >= 0 && size > maxSize) return false;
      const code = this.#exts[slot]!;
      if (ext !== undefined && code !== ext) return false;
      if (type !== undefined && this.#extTypes[code] !== type) return false;
      return true;
    };
  }

  /** Appends `slot` to the list of `token` (a new token gets one); returns the token's id. */
  #post(token: string, slot: number): number {
    let t = this.#tokenIds.get(token);
    if (t === undefined) {
      t = this.#freeTokens.pop() ?? this.#tokenIds.size;
      this.#tokenIds.set(token, t);
      if (t >= this.#lens.length) {
        this.#lens = grow(this.#lens, t + 1);
        this.#single = grow(this.#single, t + 1);
      }
      this.#lens[t] = 1;
      this.#single[t] = slot;
      this.#lists[t] = undefined;
      return t;
    }
    this.#append(t, slot);
    return t;
  }

  /** Appends `slot` to token `t`'s list (slots only grow, so the list stays ascending). */
  #append(t: number, slot: number): void {
    const n = this.#lens[t]!;
    let list = this.#lists[t];
    if (!list) {
      if (this.#single[t] === slot) return; // the same token twice in one name
      list = new Int32Array(4);
      list[0] = this.#single[t]!;
      this.#lists[t] = list;
    } else if (list[n - 1] === slot) {
      return;
    } else if (n === list.length) {
      list = grow(list, n + 1);
      this.#lists[t] = list;
    }
    list[n] = slot;
    this.#lens[t] = n + 1;
  }

  #allocSlot(): number {
    if (this.#top === this.#ids.length) {
      this.#ids = grow(this.#ids, this.#top + 1);
      this.#sizes = grow(this.#sizes, this.#top + 1);
      this.#exts = grow(this.#exts, this.#top + 1);
    }
    return this.#top++;
  }

  #extCode(name: string): number {
    // The extension of the name before, as it was written, and its code: names in a folder
    // mostly share one, and this skips the slice, lower-casing and lookup (issue 9).
    const tail = this.#lastTail;
    const at = name.length - tail.length - 1;
    if (tail !== '' && at > 0 && name.charCodeAt(at) === DOT && name.endsWith(tail)) return this.#lastTailCode;
    const code = this.#extCodeOf(name);
    const dot = name.lastIndexOf('.');
    this.#lastTail = code === NO_EXTENSION || dot <= 0 ? '' : name.slice(dot + 1);
    this.#lastTailCode = code;
    return code;
  }

  #extCodeOf(name: string): number {
    const ext = extensionOf(name);
    let code = this.#extCodes.get(ext);
    if (code === undefined) {
      // Past 65,535 distinct extensions (hostile names), the rest count as none.
      if (this.#extCodes.size > 0xffff) return NO_EXTENSION;
      code = this.#extCodes.size;
      this.#extCodes.set(ext, code);
      const type = fileTypeOf(name);
      this.#extTypes[code] = type === undefined ? -1 : FILE_TYPES.indexOf(type);
    }
    return code;
  }

  /** Drops dead slots: live slots move down in order, every list is rewritten through the new numbers. */
  #compact(): void {
    this.#recent = [];
    this.#recentIds = [];
    const renumber = new Int32Array(this.#top);
    let next = 0;
    for (let slot = 0; slot < this.#top; slot++) {
      const id = this.#ids[slot]!;
      if (id === DEAD) {
        renumber[slot] = DEAD;
        continue;
      }
      renumber[slot] = next;
      this.#ids[next] = id;
      this.#sizes[next] = this.#sizes[slot]!;
      this.#exts[next] = this.#exts[slot]!;
      if (this.#keepNames) this.#names[next] = this.#names[slot];
      this.#slotOf[id] = next + 1;
      next++;
    }
    this.#names.length = this.#keepNames ? next : 0;
    this.#top = next;
    this.#dead = 0;
    for (const [token, t] of this.#tokenIds) {
      const list = this.#lists[t];
      let n = 0;
      if (!list) {
        const s = renumber[this.#single[t]!]!;
        if (s !== DEAD) this.#single[t] = s;
        n = s === DEAD ? 0 : 1;
      } else {
        for (let i = 0; i < this.#lens[t]!; i++) {
          const s = renumber[list[i]!]!;
          if (s !== DEAD) list[n++] = s;
        }
        if (n === 1) {
          this.#single[t] = list[0]!;
          this.#lists[t] = undefined;
        } else if (n > 0 && n * 4 < list.length) {
          this.#lists[t] = list.slice(0, Math.max(4, n * 2));
        }
      }
      this.#lens[t] = n;
      if (n === 0) {
        this.#tokenIds.delete(token);
        this.#lists[t] = undefined;
        this.#freeTokens.push(t);
      }
    }
  }
}

/** A typed array at least `min` long: doubling while small, then +50% (a million-entry list does not double). */
function grow<T extends Int32Array | Float64Array | Uint16Array>(a: T, min: number): T {
  const len = Math.max(min, a.length < 65_536 ? a.length * 2 : Math.ceil(a.length * 1.5));
  const next = new (a.constructor as new (n: number) => T)(len);
  next.set(a);
  return next;
}
