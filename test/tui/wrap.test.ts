import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rowText, rowWidth } from '../../tui/styled-text.js';
import { sanitize } from '../../tui/text-width.js';
import { wrapSpans } from '../../tui/wrap.js';

describe('wrapSpans', () => {
  it('breaks at spaces with a hanging indent', () => {
    const rows = wrapSpans([{ text: '12:00 <bob> ' }, { text: 'the quick brown fox jumps over', style: { bold: true } }], 20, 12);
    expect(rows.map(rowText)).toEqual(['12:00 <bob> the', '            quick', '            brown', '            fox', '            jumps', '            over']);
  });

  it('hard-breaks words longer than the row and keeps styles per span', () => {
    const rows = wrapSpans([{ text: 'ab', style: { fg: 'red' } }, { text: 'cdefgh' }], 4);
    expect(rows.map(rowText)).toEqual(['abcd', 'efgh']);
    expect(rows[0]).toEqual([{ text: 'ab', style: { fg: 'red' } }, { text: 'cd' }]);
  });

  it('moves a wide character that would straddle the edge to the next row', () => {
    expect(wrapSpans([{ text: 'abc中文' }], 4).map(rowText)).toEqual(['abc', '中文']);
  });

  it('an empty line is one empty row', () => {
    expect(wrapSpans([], 10)).toEqual([[]]);
  });

  it('rows never exceed the width and keep every non-space character in order', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.integer({ min: 10, max: 80 }), fc.integer({ min: 0, max: 20 }), (raw, width, indent) => {
        const text = sanitize(raw);
        const rows = wrapSpans([{ text }], width, indent);
        for (const r of rows) expect(rowWidth(r)).toBeLessThanOrEqual(width);
        const squash = (s: string): string => Array.from(s).filter((c) => c !== ' ' && !/\p{M}|\p{Cf}/u.test(c)).join('');
        expect(squash(rows.map(rowText).join(''))).toBe(squash(text));
      }),
    );
  });
});
