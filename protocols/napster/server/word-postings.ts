/**
 * The word half of the server's file index (specs/napster.md §3.1 words, §11
 * speed and memory): word -> id in an open-addressing table of typed arrays,
 * and per id one posting list of file slots in the order they were indexed.
 *
 * Sharing a million files looks up six or more words per file; a Map keyed by
 * a string sliced out of each path cost a string, a hash and several scattered
 * heap reads per word, and was most of the server's time. Here a word is
 * hashed and compared where it lies in the path, lower-cased on the fly, and
 * never becomes a string; the word texts live in one character arena.
 * The hash is seeded per process, and every hit is confirmed by comparing
 * the characters, so crafted names can slow a probe but never merge words.
 */
import { isWordChar } from '../words.js';

const EMPTY = 0;
const INITIAL_WORDS = 1024;
const INITIAL_CHARS = 8192;
/** Posting lists double while short, then grow by half. */
const DOUBLE_UNTIL = 1024;
const SEED = (Math.random() * 0x7fffffff) | 0;

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
  #hash = new Int32Array(INITIAL_WORDS);
  #textAt = new Int32Array(INITIAL_WORDS);
  #textLen = new Int32Array(INITIAL_WORDS);
  #chars = new Uint16Array(INITIAL_CHARS);
  #charsTop = 0;
  #lists: Int32Array[] = [];
  #lens = new Int32Array(INITIAL_WORDS);
  #lasts = new Int32Array(INITIAL_WORDS);
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

  /** The posting list of a word id (valid up to len(id)); read only, until the next change. */
  list(id: number): Int32Array {
    return this.#lists[id]!;
  }

  len(id: number): number {
    return this.#lens[id]!;
  }

  /**
   * Adds `slot` to the list of every word of `text[start, end)` (runs of word
   * characters, lower-cased like String.prototype.toLowerCase). A slot is
   * added once per word, and slots must come in increasing order of age.
   */
  addWords(text: string, start: number, end: number, slot: number): void {
    if (this.#scan(text, start, end, slot, false) === WIDE) {
      // Not from the wire (payloads are latin-1): lower the way the query side does.
      const lowered = text.slice(start, end).toLowerCase();
      this.#scan(lowered, 0, lowered.length, slot, true);
    }
  }

  /** Returns WIDE, having added only the words before it, at a character above 0xff unless `wide`. */
  #scan(text: string, start: number, end: number, slot: number, wide: boolean): number {
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
      if (this.#lasts[id] !== slot || this.#lens[id] === 0) this.#push(id, slot);
    }
    return 0;
  }

  /** The id of text[from, to), or ~(the empty table index where it would go). */
  #find(text: string, from: number, to: number, h: number): number {
    const table = this.#table;
    const mask = table.length - 1;
    const len = to - from;
    let t = h & mask;
    for (;;) {
      const e = table[t]!;
      if (e === EMPTY) return ~t;
      const id = e - 1;
      if (this.#hash[id] === h && this.#textLen[id] === len) {
        const chars = this.#chars;
        let k = this.#textAt[id]!;
        let j = from;
        while (j < to && chars[k] === lower(text.charCodeAt(j))) {
          j++;
          k++;
        }
        if (j === to) return id;
      }
      t = (t + 1) & mask;
    }
  }

  #insert(text: string, from: number, to: number, h: number, at: number): number {
    const id = this.#count++;
    if (id === this.#hash.length) this.#growWords();
    const len = to - from;
    if (this.#charsTop + len > this.#chars.length) {
      const next = new Uint16Array(Math.max(this.#chars.length * 2, this.#charsTop + len));
      next.set(this.#chars.subarray(0, this.#charsTop));
      this.#chars = next;
    }
    const chars = this.#chars;
    let k = this.#charsTop;
    for (let j = from; j < to; j++) chars[k++] = lower(text.charCodeAt(j));
    this.#textAt[id] = this.#charsTop;
    this.#textLen[id] = len;
    this.#charsTop = k;
    this.#hash[id] = h;
    this.#lists.push(new Int32Array(2));
    this.#lens[id] = 0;
    if (this.#count * 2 > this.#table.length) this.#rehash(this.#table.length * 2);
    else this.#table[at] = id + 1;
    return id;
  }

  #push(id: number, slot: number): void {
    let ids = this.#lists[id]!;
    const n = this.#lens[id]!;
    if (n === ids.length) {
      const next = new Int32Array(n < DOUBLE_UNTIL ? n * 2 : Math.ceil(n * 1.5));
      next.set(ids);
      this.#lists[id] = ids = next;
    }
    ids[n] = slot;
    this.#lens[id] = n + 1;
    this.#lasts[id] = slot;
  }

  #growWords(): void {
    const n = this.#hash.length * 2;
    const grow = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.#hash = grow(this.#hash);
    this.#textAt = grow(this.#textAt);
    this.#textLen = grow(this.#textLen);
    this.#lens = grow(this.#lens);
    this.#lasts = grow(this.#lasts);
  }

  /** Rebuilds the table for the first `count` ids (after growth or a sweep). */
  #rehash(capacity: number): void {
    const table = new Int32Array(capacity);
    const mask = capacity - 1;
    for (let id = 0; id < this.#count; id++) {
      let t = this.#hash[id]! & mask;
      while (table[t] !== EMPTY) t = (t + 1) & mask;
      table[t] = id + 1;
    }
    this.#table = table;
  }

  /**
   * Drops every slot for which `dead` says so from every list; words left
   * with no file are forgotten, and the ids, arena and table are rebuilt
   * compactly (ids change: no caller keeps them across a sweep).
   */
  sweep(dead: (slot: number) => boolean): void {
    let kept = 0;
    let top = 0;
    const chars = this.#chars;
    for (let id = 0; id < this.#count; id++) {
      let ids = this.#lists[id]!;
      const n = this.#lens[id]!;
      let j = 0;
      for (let i = 0; i < n; i++) {
        const s = ids[i]!;
        if (!dead(s)) ids[j++] = s;
      }
      if (j === 0) continue;
      if (ids.length > 64 && j * 4 < ids.length) ids = ids.slice(0, j * 2);
      // Move word `id` down to `kept` (kept <= id, and its characters only move down too).
      const at = this.#textAt[id]!;
      const len = this.#textLen[id]!;
      chars.copyWithin(top, at, at + len);
      this.#textAt[kept] = top;
      this.#textLen[kept] = len;
      top += len;
      this.#hash[kept] = this.#hash[id]!;
      this.#lists[kept] = ids;
      this.#lens[kept] = j;
      this.#lasts[kept] = ids[j - 1]!;
      kept++;
    }
    this.#lists.length = kept;
    this.#count = kept;
    this.#charsTop = top;
    let capacity = INITIAL_WORDS * 2;
    while (kept * 2 > capacity) capacity *= 2;
    this.#rehash(capacity);
  }
}
