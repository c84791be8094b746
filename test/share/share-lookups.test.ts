import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeywordIndex, type SearchMode } from '../../src/share/keyword-index.js';
import type { MutableEntry } from '../../src/share/share-entry.js';
import { ShareLookups, UNINDEXED_GONE_MIN } from '../../src/share/share-lookups.js';

function entry(index: number, name: string, size = 100): MutableEntry {
  return { index, name, relPath: name, root: '/r', rootReal: '/r', path: `/r/${name}`, size, mtimeMs: 0 };
}

/** Links, unlinks and searches, as the share table makes them. */
type Op =
  | { op: 'link'; id: number; name: number; size: number }
  | { op: 'relink'; pick: number }
  | { op: 'unlink'; pick: number }
  | { op: 'search'; query: number; mode: SearchMode; limit: number };

const NAMES = ['track 1.mp3', 'track 2.mp3', 'Björk - Jóga.mp3', 'live track.ogg', 'notes.txt', 'track 1 live.flac', '東京 ナイト.flac'];
const QUERIES = ['track', 'mp3', 'track 1', 'live', 'jóga', 'flac', 'ck 1', '.mp3', 'nothing'];

describe('ShareLookups: the keyword index built on the first search', () => {
  it('answers every search exactly as an index kept up to date from the first link (any links, unlinks, links again, reused ids, searches)', () => {
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 5, arbitrary: fc.record({ op: fc.constant('link' as const), id: fc.integer({ min: 1, max: 12 }), name: fc.nat(NAMES.length - 1), size: fc.constantFrom(10, 100, 5000) }) },
      { weight: 2, arbitrary: fc.record({ op: fc.constant('unlink' as const), pick: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('relink' as const), pick: fc.nat() }) },
      {
        weight: 1,
        arbitrary: fc.record({ op: fc.constant('search' as const), query: fc.nat(QUERIES.length - 1), mode: fc.constantFrom<SearchMode>('words', 'substring'), limit: fc.constantFrom(1, 3, 100) }),
      },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const lookups = new ShareLookups(() => []);
        const model = new KeywordIndex();
        // Like the table: an id is linked to one entry at a time (the old one is unlinked first).
        const linked = new Map<number, MutableEntry>();
        // Entries unlinked since: the same object may be linked again (its id free by then).
        const unlinked: MutableEntry[] = [];
        for (const o of ops) {
          if (o.op === 'relink') {
            const free = unlinked.filter((e) => !linked.has(e.index));
            if (free.length === 0) continue;
            const e = free[o.pick % free.length]!;
            linked.set(e.index, e);
            lookups.link(e);
            model.add(e.index, e.name, e.size);
          } else if (o.op === 'link') {
            const old = linked.get(o.id);
            if (old) {
              lookups.unlink(old);
              model.remove(old.index);
              unlinked.push(old);
            }
            const e = entry(o.id, NAMES[o.name]!, o.size);
            linked.set(o.id, e);
            lookups.link(e);
            model.add(e.index, e.name, e.size);
          } else if (o.op === 'unlink') {
            const all = [...linked.values()];
            if (all.length === 0) continue;
            const e = all[o.pick % all.length]!;
            linked.delete(e.index);
            lookups.unlink(e);
            model.remove(e.index);
            unlinked.push(e);
          } else {
            const q = QUERIES[o.query]!;
            expect(lookups.search(q, o.mode, o.limit)).toEqual(model.search(q, o.mode, o.limit));
          }
        }
        for (const q of QUERIES) expect(lookups.search(q, 'words', 1000)).toEqual(model.search(q, 'words', 1000));
        expect(lookups.unindexed).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('indexes nothing until a search, and then everything linked before it', () => {
    const lookups = new ShareLookups(() => []);
    for (let i = 1; i <= 1000; i++) lookups.link(entry(i, `track ${i}.mp3`));
    expect(lookups.unindexed).toBe(1000);
    expect(lookups.search('track 500', 'words', 10)).toEqual([500]);
    expect(lookups.unindexed).toBe(0);
    lookups.link(entry(1001, 'track 1001.mp3'));
    expect(lookups.unindexed).toBe(0); // kept up to date from the first search on
    expect(lookups.search('1001', 'words', 10)).toEqual([1001]);
  });

  it('keeps the entries waiting for the index bounded while files keep changing and nobody searches', () => {
    const lookups = new ShareLookups(() => []);
    const live = 100;
    let current = Array.from({ length: live }, (_, i) => entry(i + 1, `file ${i + 1}.txt`));
    for (const e of current) lookups.link(e);
    // Every file changes 500 times: each change unlinks the old entry and links a new one under the same id.
    for (let round = 0; round < 500; round++) {
      current = current.map((old) => {
        lookups.unlink(old);
        const e = entry(old.index, old.name, round);
        lookups.link(e);
        return e;
      });
      expect(lookups.unindexed).toBeLessThanOrEqual(Math.ceil((live * 4) / 3) + UNINDEXED_GONE_MIN + 1);
    }
    expect(lookups.search('file', 'words', 1000)).toEqual(current.map((e) => e.index));
    expect(lookups.search('file 7', 'words', 10, { minSize: 499 })).toEqual([7]);
  });
});
