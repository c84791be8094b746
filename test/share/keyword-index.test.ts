import { describe, expect, it } from 'vitest';
import { KeywordIndex } from '../../src/share/keyword-index.js';
import { tokenize } from '../../src/share/tokenize.js';

describe('tokenize', () => {
  it('lower-cases Unicode letters and splits on everything else', () => {
    expect(tokenize('Björk - Jóga.MP3')).toEqual(['björk', 'jóga', 'mp3']);
    expect(tokenize('ÉTÉ_2024 (live)')).toEqual(['été', '2024', 'live']);
    expect(tokenize('東京 ナイト.flac')).toEqual(['東京', 'ナイト', 'flac']);
    expect(tokenize('e\u0301te\u0301')).toEqual(['été']); // decomposed form folds to the same token
    expect(tokenize('---')).toEqual([]);
  });
});

describe('KeywordIndex', () => {
  const idx = new KeywordIndex();
  idx.add(1, 'Björk - Jóga.mp3');
  idx.add(2, 'bjork live.ogg');
  idx.add(3, 'Jóga (remix).mp3');
  idx.add(4, 'notes.txt');

  it('words mode needs every word as a whole token', () => {
    expect(idx.search('jóga mp3', 'words', 10)).toEqual([1, 3]);
    expect(idx.search('JÓGA björk', 'words', 10)).toEqual([1]);
    expect(idx.search('jog', 'words', 10)).toEqual([]);
    expect(idx.search('  ', 'words', 10)).toEqual([]);
  });

  it('substring mode matches inside names, case-insensitively', () => {
    expect(idx.search('JOR', 'substring', 10)).toEqual([2]);
    expect(idx.search('.mp3', 'substring', 10)).toEqual([1, 3]);
    expect(idx.search('', 'substring', 10)).toEqual([]);
  });

  it('caps results', () => {
    expect(idx.search('mp3', 'words', 1)).toEqual([1]);
    expect(idx.search('o', 'substring', 2)).toHaveLength(2);
  });

  it('forgets removed entries', () => {
    const i2 = new KeywordIndex();
    i2.add(7, 'a b');
    i2.remove(7);
    expect(i2.search('a', 'words', 5)).toEqual([]);
    expect(i2.size).toBe(0);
  });
});
