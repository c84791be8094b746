import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { charWidth, clusterWidth, fitToWidth, graphemes, sanitize, strWidth, truncateToWidth } from '../../tui/text-width.js';

describe('charWidth', () => {
  it.each([
    ['a', 1],
    ['é', 1],
    ['\u0301', 0], // combining acute
    ['\u200d', 0], // zero-width joiner
    ['\ufe0f', 0], // variation selector 16
    ['中', 2],
    ['한', 2],
    ['ｱ', 1], // halfwidth katakana
    ['Ａ', 2], // fullwidth A
    ['😀', 2],
    ['🚀', 2],
    ['⌚', 2], // emoji presentation in the BMP
    ['☺', 1], // text presentation by default
    ['\u3000', 2], // ideographic space
    ['\u303f', 1],
    ['𠀀', 2], // CJK extension B
    ['\x1b', 0],
    ['\x9b', 0],
    ['\u00ad', 1],
  ])('%j is %i columns', (ch, w) => {
    expect(charWidth(ch.codePointAt(0) ?? 0)).toBe(w);
  });
});

describe('strWidth', () => {
  it('sums cluster widths', () => {
    expect(strWidth('ab中😀e\u0301')).toBe(1 + 1 + 2 + 2 + 1);
    expect(strWidth('')).toBe(0);
  });
  it.each([
    ['🇯🇵', 2], // a regional-indicator pair is one flag, 2 columns (not 4)
    ['🇯🇵🇫🇷', 4],
    ['🇯', 1], // a lone regional indicator
    ['👩‍💻', 2], // ZWJ sequence
    ['👨‍👩‍👧‍👦', 2],
    ['❤️', 2], // VS16 asks for emoji presentation
    ['❤', 1],
    ['1️⃣', 2], // keycap
    ['👍🏽', 2], // skin-tone modifier
    ['🏴‍☠️', 2],
    ['e\u0301', 1],
    ['한국어', 6],
  ])('%j is %i columns, as modern terminals draw it', (s, w) => {
    expect(strWidth(s)).toBe(w);
  });
  it('clusters exactly as Intl.Segmenter does, ASCII fast path included', () => {
    const seg = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    const ascii = fc.string({ unit: fc.constantFrom('a', 'e', '1', ' ', '#', '*') });
    const piece = fc.oneof(ascii, fc.string({ unit: 'grapheme' }), fc.constantFrom('\u0301', '\u200d', '\ufe0f', '\u20e3', '🇯', '🇵', '👩', '💻', '🏽', '\u0915\u094d'));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (parts) => {
        const s = parts.join('');
        expect(graphemes(s)).toEqual(Array.from(seg.segment(s), (x) => x.segment));
      }),
      { numRuns: 500 },
    );
  });
  it('equals the sum over grapheme clusters for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(graphemes(s).join('')).toBe(s);
        expect(strWidth(s)).toBe(graphemes(s).reduce((w, g) => w + clusterWidth(g), 0));
      }),
    );
  });
});

describe('sanitize', () => {
  it('drops C0/C1 controls and lone surrogates, turns tabs into spaces', () => {
    expect(sanitize('a\x1b[2Jb\x07c\x9bd\te')).toBe('a[2Jbcd e');
    expect(sanitize('x\ud800y\udc00z😀')).toBe('xyz😀');
  });
  it('drops bidi overrides, embeddings and isolates, and keeps right-to-left text and its marks', () => {
    expect(sanitize('hi \u202eevil\u202c \u2067x\u2069 \u202ay\u202b')).toBe('hi evil x y');
    expect(sanitize('שלום \u200fעולם\u200e ok')).toBe('שלום \u200fעולם\u200e ok');
  });
  it('never leaves a control character or a bidi override', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(sanitize(s))).toBe(false);
      }),
    );
  });
});

describe('truncate and fit', () => {
  it('never splits a flag or a ZWJ sequence', () => {
    expect(truncateToWidth('ab🇯🇵cd', 3)).toBe('ab');
    expect(truncateToWidth('ab🇯🇵cd', 4)).toBe('ab🇯🇵');
    expect(truncateToWidth('👩‍💻x', 1)).toBe('');
    expect(fitToWidth('🇯🇵🇯🇵🇯🇵', 5)).toBe('🇯🇵🇯🇵…');
  });
  it('never splits a wide character', () => {
    expect(truncateToWidth('中文字', 3)).toBe('中');
    expect(fitToWidth('中文字', 5)).toBe('中文…');
    expect(strWidth(fitToWidth('中文字', 4))).toBe(4);
    expect(fitToWidth('ab', 4, 'right')).toBe('  ab');
  });
  it('fitToWidth always returns exactly the asked width', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.integer({ min: 1, max: 40 }), (s, w) => {
        expect(strWidth(fitToWidth(sanitize(s), w))).toBe(w);
      }),
    );
  });
});
