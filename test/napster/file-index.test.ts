import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSearch, type NapSearch } from '../../protocols/napster/search-query.js';
import { FileIndex } from '../../protocols/napster/server/file-index.js';
import { forEachPathWord, indexedRange } from '../../protocols/napster/words.js';

/**
 * The server's index against the plainest model of spec §5 matching: every
 * live file, newest first, whose indexed words (words.ts, the rules the
 * client filters results by) hold every wanted word and no excluded one.
 */
interface ModelFile {
  owner: number;
  path: string;
  words: Set<string>;
}

function modelSearch(files: ModelFile[], s: NapSearch, self: number): string[] {
  const out: string[] = [];
  for (let i = files.length - 1; i >= 0 && out.length < s.max; i--) {
    const f = files[i]!;
    if (f.owner === self) continue;
    if (s.include.every((w) => f.words.has(w)) && !s.exclude.some((w) => f.words.has(w))) out.push(f.path);
  }
  return out;
}

// Few distinct words so that searches hit; upper case, latin-1 letters and apostrophes included.
const WORDS = ['song', 'Song', 'SONG', 'live', 'caf\xe9', 'CAF\xc9', "don't", 'a1', 'x', '\xd7', 'live\xd7mix', 'mi\xdfx', '\xfe\xde', 'VOIL\xc0'];
const wordArb = fc.constantFrom(...WORDS);
const pathArb = fc
  .tuple(fc.array(wordArb, { minLength: 1, maxLength: 3 }), fc.array(wordArb, { minLength: 1, maxLength: 4 }), fc.constantFrom(' ', '-', '_', ' - ', '.'))
  .map(([dir, name, sep]) => `C:\\Music\\${dir.join(sep)}\\${name.join(sep)}.mp3`);
const opArb = fc.oneof(
  fc.record({ op: fc.constant('add' as const), owner: fc.integer({ min: 0, max: 3 }), path: pathArb }),
  fc.record({ op: fc.constant('remove' as const), pick: fc.nat() }),
  fc.record({
    op: fc.constant('search' as const),
    self: fc.integer({ min: -1, max: 3 }),
    want: fc.array(wordArb, { minLength: 1, maxLength: 3 }),
    not: fc.array(wordArb, { maxLength: 2 }),
    max: fc.integer({ min: 1, max: 20 }),
  }),
);

describe('FileIndex against a model (spec §5 matching, §3.1 words)', () => {
  it('finds what a scan of every live file finds, in the same order, through removals and sweeps', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 8 }), (ops, sweepMin) => {
        const ix = new FileIndex({ sweepMin });
        const live: Array<ModelFile & { slot: number }> = [];
        for (const o of ops) {
          if (o.op === 'add') {
            const words = new Set<string>();
            forEachPathWord(o.path, (w) => words.add(w));
            const slot = ix.add(o.owner, { path: o.path, size: 1, bitrate: 128, freq: 44100, seconds: 1, type: 'mp3' });
            live.push({ owner: o.owner, path: o.path, words, slot });
          } else if (o.op === 'remove') {
            if (live.length === 0) continue;
            const [f] = live.splice(o.pick % live.length, 1);
            ix.remove(f!.slot);
          } else {
            const text = `FILENAME CONTAINS "${o.want.join(' ')}${o.not.map((w) => ` -${w}`).join('')}" MAX_RESULTS ${o.max}`;
            const r = parseSearch(text);
            if (!r.ok) continue;
            const owners = { self: o.self, hidden: () => false, speed: () => 0 };
            expect(ix.search(r.search, owners).map((f) => f.path)).toEqual(modelSearch(live, r.search, o.self));
          }
        }
        expect(ix.size).toBe(live.length);
      }),
      { numRuns: 200 },
    );
  });

  it('forgets words whose files are all gone, and a sweep keeps every survivor findable', () => {
    const ix = new FileIndex();
    const slots: number[] = [];
    // Enough removals to trigger sweeps (4,096 at a time), each with words of its own.
    for (let i = 0; i < 12_000; i++) slots.push(ix.add(i % 5, { path: `d\\gone${i} keep${i % 3}.mp3`, size: 1, bitrate: 128, freq: 44100, seconds: 1, type: 'mp3' }));
    const wordsBefore = ix.words;
    for (let i = 0; i < 12_000; i++) if (i % 10 !== 0) ix.remove(slots[i]!);
    expect(ix.words).toBeLessThan(wordsBefore / 2);
    const q = (t: string): NapSearch => {
      const r = parseSearch(t);
      if (!r.ok) throw new Error(r.error);
      return r.search;
    };
    const owners = { self: -1, hidden: () => false, speed: () => 0 };
    expect(ix.search(q('FILENAME CONTAINS "gone11990"'), owners).map((f) => f.path)).toEqual(['d\\gone11990 keep2.mp3']);
    expect(ix.search(q('FILENAME CONTAINS "gone11991"'), owners)).toEqual([]);
    expect(ix.search(q('FILENAME CONTAINS "keep0" MAX_RESULTS 100'), owners)).toHaveLength(100);
    // Slots freed by the sweep are reused, and new words still land where searches find them.
    const again = ix.add(0, { path: 'd\\fresh Word.mp3', size: 1, bitrate: 128, freq: 44100, seconds: 1, type: 'mp3' });
    expect(slots).toContain(again);
    expect(ix.search(q('FILENAME CONTAINS "WORD fresh"'), owners).map((f) => f.path)).toEqual(['d\\fresh Word.mp3']);
  });

  it('indexes a name with characters above latin-1 the way the query side lowers them', () => {
    const ix = new FileIndex();
    ix.add(0, { path: 'd\\Ünï ΣΟΦΙΑ Song.mp3', size: 1, bitrate: 128, freq: 44100, seconds: 1, type: 'mp3' });
    const owners = { self: -1, hidden: () => false, speed: () => 0 };
    for (const t of ['σοφια', 'ΣΟΦΙΑ', 'ünï song', 'SONG']) {
      const r = parseSearch(`FILENAME CONTAINS "${t}"`);
      if (!r.ok) throw new Error(r.error);
      expect(ix.search(r.search, owners)).toHaveLength(1);
    }
  });
});

describe('indexedRange (spec §3.1 index_path_depth 2)', () => {
  /** The rule as first written: lastIndexOf for the suffix and the two last separators. */
  function reference(path: string): [number, number] {
    let end = path.length;
    const dot = path.lastIndexOf('.');
    const lastSep = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
    if (dot > lastSep) end = dot;
    let start = 0;
    if (lastSep > 0) start = Math.max(path.lastIndexOf('\\', lastSep - 1), path.lastIndexOf('/', lastSep - 1)) + 1;
    return [start, end];
  }
  it('finds the parent directory and the name without its suffix, for any path', () => {
    const chars = fc.constantFrom('a', '.', '\\', '/', ' ');
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 12 }).map((a) => a.join('')), (path) => {
        expect(indexedRange(path)).toEqual(reference(path));
      }),
      { numRuns: 2000 },
    );
  });
});
