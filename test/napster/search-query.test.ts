import { describe, expect, it } from 'vitest';
import { parseSearch } from '../../protocols/napster/search-query.js';
import { FileIndex } from '../../protocols/napster/server/file-index.js';
import { forEachPathWord, words } from '../../protocols/napster/words.js';

function pathWords(p: string): string[] {
  const out: string[] = [];
  forEachPathWord(p, (w) => out.push(w));
  return out;
}

describe('word rules (spec §3.1, §5)', () => {
  it('indexes the parent directory and the name without its suffix', () => {
    expect(pathWords('C:\\Music\\Alpha Band - First Song.mp3')).toEqual(['music', 'alpha', 'band', 'first', 'song']);
    expect(pathWords('/home/carol/mp3/Alpha Band - Carol Song.mp3')).toEqual(['mp3', 'alpha', 'band', 'carol', 'song']);
    expect(pathWords('song.mp3')).toEqual(['song']);
    expect(pathWords('\\a.b\\x')).toEqual(['a', 'b', 'x']);
  });
  it('keeps apostrophes and bytes >= 0x80 in words; a dash separates', () => {
    expect(words("Don't caf\xe9 classic-one")).toEqual(["don't", 'caf\xe9', 'classic', 'one']);
  });
});

describe('search grammar (spec §5)', () => {
  it('parses every clause, keywords in any case', () => {
    const r = parseSearch(
      'filename contains "Song -live" FILENAME EXCLUDES "demo" MAX_RESULTS 5 LINESPEED "AT LEAST" 5 BITRATE "at best" "192" FREQ "EQUAL TO" "44100" SIZE "AT LEAST" 10 DURATION "AT BEST" 300 TYPE any LOCAL_ONLY',
    );
    expect(r).toEqual({
      ok: true,
      search: {
        include: ['song'],
        exclude: ['live', 'demo'],
        max: 5,
        filters: [
          { field: 'linespeed', cmp: 'atLeast', value: 5 },
          { field: 'bitrate', cmp: 'atBest', value: 192 },
          { field: 'freq', cmp: 'equal', value: 44100 },
          { field: 'size', cmp: 'atLeast', value: 10 },
          { field: 'duration', cmp: 'atBest', value: 300 },
        ],
        type: 'any',
        localOnly: true,
      },
    });
  });
  it('gives the recorded 404 texts', () => {
    expect(parseSearch('')).toEqual({ ok: false, error: 'search failed: request contained no valid words' });
    expect(parseSearch('FILENAME CONTAINS "-"')).toEqual({ ok: false, error: 'search failed: request contained no valid words' });
    expect(parseSearch('FILENAME CONTAINS')).toEqual({ ok: false, error: 'invalid search request' });
    expect(parseSearch('FILENAME CONTAINS "song" BITRATE "MORE THAN" "128"')).toEqual({ ok: false, error: 'MORE THAN: invalid comparison for search' });
    expect(parseSearch('FILENAME CONTAINS "song" TYPE movie')).toEqual({ ok: false, error: 'movie: invalid type for search' });
    expect(parseSearch('FILENAME CONTAINS "song" MAX_RESULTS lots')).toEqual({ ok: false, error: 'invalid search request' });
    expect(parseSearch('FILENAME CONTAINS "unterminated')).toEqual({ ok: false, error: 'invalid search request' });
    expect(parseSearch('FILENAME CONTAINS "song" MAX_RESULTS 0')).toMatchObject({ ok: true, search: { max: 100 } });
    expect(parseSearch('FILENAME CONTAINS "song" MAX_RESULTS 500')).toMatchObject({ ok: true, search: { max: 100 } });
  });
});

describe('FileIndex', () => {
  const owners = { self: -1, hidden: () => false, speed: () => 7 };
  const q = (text: string) => {
    const r = parseSearch(text);
    if (!r.ok) throw new Error(r.error);
    return r.search;
  };
  const rec = (path: string, bitrate = 128) => ({ path, size: 1000, bitrate, freq: 44100, seconds: 100, type: 'mp3' as const });

  it('returns the newest first, ANDs words, excludes, and stops at max', () => {
    const ix = new FileIndex();
    ix.add(0, rec('C:\\m\\alpha song.mp3'));
    ix.add(1, rec('C:\\m\\beta song.mp3'));
    ix.add(0, rec('C:\\m\\alpha live song.mp3'));
    expect(ix.search(q('FILENAME CONTAINS "song"'), owners).map((f) => f.path)).toEqual([
      'C:\\m\\alpha live song.mp3',
      'C:\\m\\beta song.mp3',
      'C:\\m\\alpha song.mp3',
    ]);
    expect(ix.search(q('FILENAME CONTAINS "alpha song -live"'), owners).map((f) => f.path)).toEqual(['C:\\m\\alpha song.mp3']);
    expect(ix.search(q('FILENAME CONTAINS "song" MAX_RESULTS 1'), owners)).toHaveLength(1);
    expect(ix.search(q('FILENAME CONTAINS "song"'), { ...owners, self: 0 }).map((f) => f.owner)).toEqual([1]);
  });

  it('quantises bitrates (130 -> 144) and filters on the quantised value', () => {
    const ix = new FileIndex();
    ix.add(0, rec('a\\x song.mp3', 130));
    expect(ix.search(q('FILENAME CONTAINS "song" BITRATE "EQUAL TO" "144"'), owners)[0]!.bitrate).toBe(144);
  });

  it('keeps answering correctly through removals, sweeps and slot reuse', () => {
    const ix = new FileIndex();
    const slots: number[] = [];
    for (let i = 0; i < 20_000; i++) slots.push(ix.add(i % 7, rec(`d\\song ${i} ${i % 2 ? 'odd' : 'even'}.mp3`)));
    for (let i = 0; i < 20_000; i += 2) ix.remove(slots[i]!);
    expect(ix.size).toBe(10_000);
    for (let i = 0; i < 5_000; i++) ix.add(1, rec(`d\\song new${i} even.mp3`));
    const even = ix.search(q('FILENAME CONTAINS "song even" MAX_RESULTS 100'), owners);
    expect(even).toHaveLength(100);
    expect(even[0]!.path).toBe('d\\song new4999 even.mp3');
    const odd = ix.search(q('FILENAME CONTAINS "odd song"'), owners);
    expect(odd[0]!.path).toBe('d\\song 19999 odd.mp3');
    expect(ix.search(q('FILENAME CONTAINS "song 4"'), owners)).toEqual([]);
    expect(ix.search(q('FILENAME CONTAINS "song 5"'), owners).map((f) => f.path)).toEqual(['d\\song 5 odd.mp3']);
  });
});
