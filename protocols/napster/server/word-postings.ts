/**
 * The word half of the server's file index (specs/napster.md §3.1 words, §11
 * speed and memory): word -> id in an open-addressing table of typed arrays,
 * and per id one posting list of the files' sequence numbers (ascending).
 *
 * Sharing a million files looks up six or more words per file; a Map keyed by
 * a string sliced out of each path cost a string, a hash and several scattered
 * heap reads per word, and was most of the server's time. Here a word is
 * hashed and compared where it lies in the path, lower-cased on the fly, and
 * never becomes a string; the word texts live in one character arena, what
 * is known of a word sits in one 32-byte record, and every posting list is a
 * run in one shared pool (a list that fills moves to the pool's end; the pool
 * is compacted when it fills), so adding a word touches a few cache lines and
 * allocates nothing. The hash is seeded per process, and every hit is
 * confirmed by comparing the characters, so crafted names can slow a probe
 * but never merge words.
 */
import { isWordChar } from '../words.js';

const EMPTY = 0;
const INITIAL_WORDS = 1024;
const INITIAL_CHARS = 8192;
const INITIAL_POOL = 16384;
/** Posting lists double while short, then grow by half. */
const DOUBLE_UNTIL = 1024;
const SEED = (Math.random() * 0x7fffffff) | 0;

// One word's record in #words: 8 int32s.
const HASH = 0;
const TEXT_AT = 1;
const TEXT_LEN = 2;
const AT = 3;
const LEN = 4;
const CAP = 5;
const LAST = 6;
const STRIDE = 8;

/**
 * A character as String.prototype.toLowerCase lowers it, for every
 * character up to 0xff (ASCII letters and latin-1 À-Þ but ×).
 * Wider characters are lowered by the caller (see addWords).
 */
function lower(c: number): number {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0xc0 && c <= 0xde && c !== 0xd7) ? c + 0x20 : c;
}

/** Marks "a character above 0xff was met": the caller lowers the text as a string and retries. */
const WIDE = -2;

export class WordPostings {
  /** Open addressing: 0 = empty, else word id + 1. */
  #table = new Int32Array(INITIAL_WORDS * 2);
  #words = new Int32Array(INITIAL_WORDS * STRIDE);
  #chars = new Uint16Array(INITIAL_CHARS);
  #charsTop = 0;
  #pool = new Int32Array(INITIAL_POOL);
  #poolTop = 0;
  #count = 0;

  /** Distinct words. */
  get size(): number {
    return this.#count;
  }

  /** A word's id, or -1. `word` is lower-cased already (words() in words.ts). */
  lookup(word: string): number {
    let h = SEED;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ lower(word.charCodeAt(i)), 0x01000193);
    const at = this.#find(word, 0, word.length, h);
    return at >= 0 ? at : -1;
  }

  /** The posting list of a word id, ascending: a view, valid until the next change. */
  list(id: number): Int32Array {
    const m = id * STRIDE;
    const at = this.#words[m + AT]!;
    return this.#pool.subarray(at, at + this.#words[m + LEN]!);
  }

  len(id: number): number {
    return this.#words[id * STRIDE + LEN]!;
  }

  /**
   * Adds `n` to the list of every word of `text[start, end)` (runs of word
   * characters, lower-cased like String.prototype.toLowerCase), once per
   * word; numbers must come in increasing order (lists stay ascending).
   */
  addWords(text: string, start: number, end: number, n: number): void {
    if (this.#scan(text, start, end, n, false) === WIDE) {
      // Not from the wire (payloads are latin-1): lower the way the query side does.
      const lowered = text.slice(start, end).toLowerCase();
      this.#scan(lowered, 0, lowered.length, n, true);
    }
  }

  /** Returns WIDE, having added only the words before it, at a character above 0xff unless `wide`. */
  #scan(text: string, start: number, end: number, n: number, wide: boolean): number {
    let i = start;
    while (i < end) {
      let c = text.charCodeAt(i);
      while (!isWordChar(c)) {
        if (++i >= end) return 0;
        c = text.charCodeAt(i);
      }
      const from = i;
      let h = SEED;
      do {
        if (c > 0xff && !wide) return WIDE;
        h = Math.imul(h ^ lower(c), 0x01000193);
        if (++i >= end) break;
        c = text.charCodeAt(i);
      } while (isWordChar(c));
      let id = this.#find(text, from, i, h);
      if (id < 0) id = this.#insert(text, from, i, h, ~id);
      const m = id * STRIDE;
      const words = this.#words;
      const len = words[m + LEN]!;
      if (len > 0 && words[m + LAST] === n) continue;
      if (len === words[m + CAP]) this.#move(id, len < DOUBLE_UNTIL ? Math.max(2, len * 2) : Math.ceil(len * 1.5));
      this.#pool[this.#words[m + AT]! + len] = n;
      this.#words[m + LEN] = len + 1;
      this.#words[m + LAST] = n;
    }
    return 0;
  }

  /** The id of text[from, to), or ~(the empty table index where it would go). */
  #find(text: string, from: number, to: number, h: number): number {
    const table = this.#table;
    const words = this.#words;
    const mask = table.length - 1;
    const len = to - from;
    let t = h & mask;
    for (;;) {
      const e = table[t]!;
      if (e === EMPTY) return ~t;
      const m = (e - 1) * STRIDE;
      if (words[m + HASH] === h && words[m + TEXT_LEN] === len) {
        const chars = this.#chars;
        let k = words[m + TEXT_AT]!;
        let j = from;
        while (j < to && chars[k] === lower(text.charCodeAt(j))) {
          j++;
          k++;
        }
        if (j === to) return e - 1;
      }
      t = (t + 1) & mask;
    }
  }

  #insert(text: string, from: number, to: number, h: number, at: number): number {
    const id = this.#count++;
    if ((id + 1) * STRIDE > this.#words.length) {
      const next = new Int32Array(this.#words.length * 2);
      next.set(this.#words);
      this.#words = next;
    }
    const len = to - from;
    if (this.#charsTop + len > this.#chars.length) {
      const next = new Uint16Array(Math.max(this.#chars.length * 2, this.#charsTop + len));
      next.set(this.#chars.subarray(0, this.#charsTop));
      this.#chars = next;
    }
    const chars = this.#chars;
    let k = this.#charsTop;
    for (let j = from; j < to; j++) chars[k++] = lower(text.charCodeAt(j));
    const m = id * STRIDE;
    const words = this.#words;
    words[m + HASH] = h;
    words[m + TEXT_AT] = this.#charsTop;
    words[m + TEXT_LEN] = len;
    words[m + AT] = 0;
    words[m + LEN] = 0;
    words[m + CAP] = 0;
    words[m + LAST] = 0;
    this.#charsTop = k;
    if (this.#count * 2 > this.#table.length) this.#rehash(this.#table.length * 2);
    else this.#table[at] = id + 1;
    return id;
  }

  /** Gives word `id` a run of `cap` at the pool's end, compacting or growing the pool first if needed. */
  #move(id: number, cap: number): void {
    if (this.#poolTop + cap > this.#pool.length) this.#repack(cap);
    const m = id * STRIDE;
    const words = this.#words;
    const at = words[m + AT]!;
    const len = words[m + LEN]!;
    this.#pool.copyWithin(this.#poolTop, at, at + len);
    words[m + AT] = this.#poolTop;
    words[m + CAP] = cap;
    this.#poolTop += cap;
  }

  /** Copies every list to a new pool, with room for `spare` more and half again. */
  #repack(spare: number): void {
    const words = this.#words;
    let used = spare;
    for (let m = 0; m < this.#count * STRIDE; m += STRIDE) used += words[m + CAP]!;
    const pool = new Int32Array(Math.max(INITIAL_POOL, Math.ceil(used * 1.5)));
    let top = 0;
    for (let m = 0; m < this.#count * STRIDE; m += STRIDE) {
      const at = words[m + AT]!;
      pool.set(this.#pool.subarray(at, at + words[m + LEN]!), top);
      words[m + AT] = top;
      top += words[m + CAP]!;
    }
    this.#pool = pool;
    this.#poolTop = top;
  }

  /** Rebuilds the table for the first `count` ids (after growth or a sweep). */
  #rehash(capacity: number): void {
    const table = new Int32Array(capacity);
    const words = this.#words;
    const mask = capacity - 1;
    for (let id = 0; id < this.#count; id++) {
      let t = words[id * STRIDE + HASH]! & mask;
      while (table[t] !== EMPTY) t = (t + 1) & mask;
      table[t] = id + 1;
    }
    this.#table = table;
  }

  /**
   * Rewrites every list through `renumber` (old number -> new, or -1 to
   * drop it; it must keep the order); words left with no file are forgotten,
   * and the ids, arena, pool and table are rebuilt compactly (ids change: no
   * caller keeps them across a sweep).
   */
  sweep(renumber: Int32Array): void {
    const words = this.#words;
    const pool = this.#pool;
    const chars = this.#chars;
    let kept = 0;
    let top = 0;
    for (let id = 0; id < this.#count; id++) {
      const m = id * STRIDE;
      const at = words[m + AT]!;
      const n = words[m + LEN]!;
      let j = 0;
      for (let i = 0; i < n; i++) {
        const to = renumber[pool[at + i]!]!;
        if (to >= 0) pool[at + j++] = to;
      }
      if (j === 0) continue;
      let cap = words[m + CAP]!;
      if (cap > 64 && j * 4 < cap) cap = j * 2;
      // Move word `id` down to `kept` (kept <= id: its record and characters only move down).
      const k = kept * STRIDE;
      const textAt = words[m + TEXT_AT]!;
      const textLen = words[m + TEXT_LEN]!;
      chars.copyWithin(top, textAt, textAt + textLen);
      words[k + HASH] = words[m + HASH]!;
      words[k + TEXT_AT] = top;
      words[k + TEXT_LEN] = textLen;
      words[k + AT] = at;
      words[k + LEN] = j;
      words[k + CAP] = cap;
      words[k + LAST] = pool[at + j - 1]!;
      top += textLen;
      kept++;
    }
    this.#count = kept;
    this.#charsTop = top;
    this.#repack(0);
    let capacity = INITIAL_WORDS * 2;
    while (kept * 2 > capacity) capacity *= 2;
    this.#rehash(capacity);
  }
}
