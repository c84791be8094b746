import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeywordIndex, type IndexFilters } from '../../src/share/keyword-index.js';
import { extensionOf, fileTypeOf } from '../../src/share/file-type.js';
import { foldForMatch, MAX_TOKEN_CHARS, splitAsciiWords, splitFolded, tokenize, tokenizeWith } from '../../src/share/tokenize.js';

describe('tokenize', () => {
  it('lower-cases Unicode letters and splits on everything else', () => {
    expect(tokenize('Björk - Jóga.MP3')).toEqual(['björk', 'jóga', 'mp3']);
    expect(tokenize('ÉTÉ_2024 (live)')).toEqual(['été', '2024', 'live']);
    expect(tokenize('東京 ナイト.flac')).toEqual(['東京', 'ナイト', 'flac']);
    expect(tokenize('e\u0301te\u0301')).toEqual(['été']); // decomposed form folds to the same token
    expect(tokenize('under_score.and.dots')).toEqual(['under', 'score', 'and', 'dots']);
    expect(tokenize('---')).toEqual([]);
  });

  it('splits ASCII without the regular expression exactly as with it (every ASCII character, long runs)', () => {
    const ascii = fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), maxLength: 200 });
    const runs = fc.array(fc.oneof(ascii, fc.constantFrom('a'.repeat(MAX_TOKEN_CHARS + 5), '9'.repeat(MAX_TOKEN_CHARS), 'Z_z')), { maxLength: 6 }).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.oneof(ascii, runs), (text) => {
        const folded = foldForMatch(text);
        expect(splitAsciiWords(folded)).toEqual(splitFolded(folded));
      }),
      { numRuns: 500 },
    );
  });

  it('takes another splitter', () => {
    const bySpace = tokenizeWith(/[^\s]+/gu);
    expect(bySpace('Under_Score  a.b')).toEqual(['under_score', 'a.b']);
    expect(() => tokenizeWith(/x/)).toThrow(/global/);
    const idx = new KeywordIndex({ tokenPattern: /[^\s]+/gu });
    idx.add(1, 'Under_Score a.b');
    expect(idx.search('under_score', 'words', 5)).toEqual([1]);
    expect(idx.search('under', 'words', 5)).toEqual([]);
    expect(new KeywordIndex().search('x', 'words', 5)).toEqual([]);
  });
});

describe('KeywordIndex', () => {
  const idx = new KeywordIndex();
  idx.add(1, 'Björk - Jóga.mp3', 5_000_000);
  idx.add(2, 'bjork live.ogg', 2_000);
  idx.add(3, 'Jóga (remix).mp3', 900);
  idx.add(4, 'notes.txt', 10);

  it('words mode needs every word as a whole token', () => {
    expect(idx.search('jóga mp3', 'words', 10)).toEqual([1, 3]);
    expect(idx.search('JÓGA björk', 'words', 10)).toEqual([1]);
    expect(idx.search('jog', 'words', 10)).toEqual([]);
    expect(idx.search('  ', 'words', 10)).toEqual([]);
    expect(idx.search('mp3 mp3', 'words', 10)).toEqual([1, 3]);
  });

  it('substring mode matches inside names, case-insensitively', () => {
    expect(idx.search('JOR', 'substring', 10)).toEqual([2]);
    expect(idx.search('.mp3', 'substring', 10)).toEqual([1, 3]);
    expect(idx.search('', 'substring', 10)).toEqual([]);
  });

  it('caps results', () => {
    expect(idx.search('mp3', 'words', 1)).toEqual([1]);
    expect(idx.search('o', 'substring', 2)).toHaveLength(2);
    expect(idx.search('mp3', 'words', 0)).toEqual([]);
  });

  it('filters by size, type and extension in both modes', () => {
    expect(idx.search('jóga', 'words', 10, { minSize: 1000 })).toEqual([1]);
    expect(idx.search('jóga', 'words', 10, { maxSize: 1000 })).toEqual([3]);
    expect(idx.search('.', 'substring', 10, { type: 'audio' })).toEqual([1, 2, 3]);
    expect(idx.search('.', 'substring', 10, { type: 'document' })).toEqual([4]);
    expect(idx.search('.', 'substring', 10, { extension: 'ogg' })).toEqual([2]);
    expect(idx.search('.', 'substring', 10, { extension: 'flac' })).toEqual([]);
  });

  it('forgets removed entries; a re-added id counts as new', () => {
    const i2 = new KeywordIndex();
    i2.add(7, 'a b');
    i2.add(8, 'a c');
    i2.remove(7);
    expect(i2.search('a', 'words', 5)).toEqual([8]);
    i2.add(7, 'a d');
    expect(i2.search('a', 'words', 5)).toEqual([8, 7]);
    expect(i2.search('b', 'words', 5)).toEqual([]);
    expect(i2.size).toBe(2);
  });

  it('can leave names out (words only)', () => {
    const i3 = new KeywordIndex({ substring: false });
    i3.add(1, 'x y');
    expect(i3.search('y', 'words', 5)).toEqual([1]);
    expect(() => i3.search('y', 'substring', 5)).toThrow(/no names/);
  });
});

type Op = { op: 'add'; id: number; name: string; size: number } | { op: 'remove'; id: number } | { op: 'query'; q: string; mode: 'words' | 'substring'; limit: number; filters: IndexFilters };

/** The obvious implementation: every entry scanned, in the order added. */
class NaiveIndex {
  #entries = new Map<number, { name: string; size: number }>();
  add(id: number, name: string, size: number): void {
    this.#entries.delete(id);
    this.#entries.set(id, { name, size });
  }
  remove(id: number): void {
    this.#entries.delete(id);
  }
  search(q: string, mode: 'words' | 'substring', limit: number, f: IndexFilters): number[] {
    const words = tokenize(q);
    const sub = foldForMatch(q).trim();
    const out: number[] = [];
    for (const [id, e] of this.#entries) {
      if (out.length >= limit) break;
      if (mode === 'words') {
        const have = new Set(tokenize(e.name));
        if (words.length === 0 || !words.every((w) => have.has(w))) continue;
      } else if (sub === '' || !foldForMatch(e.name).includes(sub)) continue;
      if (f.minSize !== undefined && e.size >= 0 && e.size < f.minSize) continue;
      if (f.maxSize !== undefined && e.size >= 0 && e.size > f.maxSize) continue;
      if (f.extension !== undefined && extensionOf(e.name) !== f.extension) continue;
      if (f.type !== undefined && fileTypeOf(e.name) !== f.type) continue;
      out.push(id);
    }
    return out;
  }
}

// Extensions in either case, after one another (the index remembers the last name's extension).
const word = fc.constantFrom('a', 'b', 'cc', 'Dd', 'été', 'mp3', 'MP3', 'ogg', 'txt', 'Txt', 'x_y', '7');
const name = fc.tuple(fc.array(word, { minLength: 1, maxLength: 5 }), fc.constantFrom(' ', '.', '_', ' - ')).map(([ws, sep]) => ws.join(sep));
const filters: fc.Arbitrary<IndexFilters> = fc.record(
  { minSize: fc.integer({ min: 0, max: 100 }), maxSize: fc.integer({ min: 0, max: 100 }), type: fc.constantFrom('audio' as const, 'document' as const), extension: fc.constantFrom('mp3', 'ogg', 'y') },
  { requiredKeys: [] },
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('add' as const), id: fc.integer({ min: 0, max: 40 }), name, size: fc.integer({ min: -1, max: 100 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('remove' as const), id: fc.integer({ min: 0, max: 40 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('query' as const),
      q: fc.oneof(name, fc.array(word, { maxLength: 3 }).map((w) => w.join(' '))),
      mode: fc.constantFrom('words' as const, 'substring' as const),
      limit: fc.integer({ min: 1, max: 8 }),
      filters,
    }),
  },
);

describe('KeywordIndex against a naive model', () => {
  it('finds a name added again after a compaction freed its words (no stale word from the name before)', () => {
    const idx = new KeywordIndex({ compactAfter: 1 });
    idx.add(1, 'foo bar.mp3');
    idx.remove(1); // compacts: foo, bar and mp3 leave the index
    idx.add(2, 'baz.txt'); // takes a freed word number
    idx.add(3, 'foo bar.mp3');
    expect(idx.search('foo', 'words', 10)).toEqual([3]);
    expect(idx.search('baz', 'words', 10)).toEqual([2]);
    expect(idx.search('bar mp3', 'words', 10)).toEqual([3]);
  });

  it('gives the same ids in the same order for random adds, removes and queries (compacting often)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), fc.constantFrom(1, 2, 5), (ops, compactAfter) => {
        const idx = new KeywordIndex({ compactAfter });
        const model = new NaiveIndex();
        for (const o of ops) {
          if (o.op === 'add') {
            idx.add(o.id, o.name, o.size);
            model.add(o.id, o.name, o.size);
          } else if (o.op === 'remove') {
            idx.remove(o.id);
            model.remove(o.id);
          } else {
            expect(idx.search(o.q, o.mode, o.limit, o.filters)).toEqual(model.search(o.q, o.mode, o.limit, o.filters));
          }
        }
        // and every single word, unlimited, at the end
        for (const w of ['a', 'b', 'cc', 'dd', 'été', 'mp3', 'x', 'y', '7']) expect(idx.search(w, 'words', 1000)).toEqual(model.search(w, 'words', 1000, {}));
      }),
      { numRuns: 300 },
    );
  });

  it('agrees on long posting lists too (multi-word queries probing lists of thousands)', () => {
    const many = fc.array(fc.record({ id: fc.integer({ min: 0, max: 3000 }), name, size: fc.integer({ min: -1, max: 100 }), drop: fc.boolean() }), { minLength: 500, maxLength: 3000 });
    const queries = fc.array(fc.tuple(fc.array(word, { minLength: 2, maxLength: 3 }), filters, fc.integer({ min: 1, max: 2000 })), { minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(many, queries, (entries, qs) => {
        const idx = new KeywordIndex({ compactAfter: 64 });
        const model = new NaiveIndex();
        for (const e of entries) {
          idx.add(e.id, e.name, e.size);
          model.add(e.id, e.name, e.size);
        }
        for (const e of entries) {
          if (!e.drop) continue;
          idx.remove(e.id);
          model.remove(e.id);
        }
        for (const [words, f, limit] of qs) {
          const q = words.join(' ');
          expect(idx.search(q, 'words', limit)).toEqual(model.search(q, 'words', limit, {}));
          expect(idx.search(q, 'words', limit, f)).toEqual(model.search(q, 'words', limit, f));
        }
      }),
      { numRuns: 30 },
    );
  });
});
