import { describe, expect, it } from 'vitest';
import { DEFAULT_COLOR, colorIndex, paintLine, rowCells, styleAttr, type CellLine } from '../../tui/cell-paint.js';
import { fitRow, rowText } from '../../tui/styled-text.js';

describe('cell painting', () => {
  it('converts colours to xterm-256 indexes', () => {
    expect([colorIndex('red'), colorIndex('light-blue'), colorIndex('#ff0000'), colorIndex('#5f87ff'), colorIndex(undefined), colorIndex('nope')]).toEqual([1, 12, 196, 69, DEFAULT_COLOR, DEFAULT_COLOR]);
    expect(styleAttr({ bold: true, fg: 'red', bg: 'blue' })).toBe((1 << 18) | (1 << 9) | 4);
  });

  it('gives a wide character its cell plus a filler, joins combining marks, pads to width', () => {
    const cells = rowCells([{ text: 'a中e\u0301' }], 6);
    expect(cells.map((c) => c[1])).toEqual(['a', '中', ' ', 'e\u0301', ' ', ' ']);
    // A wide character that does not fit at the edge is left out.
    expect(rowCells([{ text: 'abc中' }], 4).map((c) => c[1])).toEqual(['a', 'b', 'c', ' ']);
  });

  it('marks a line dirty only when a cell changed', () => {
    const line: CellLine = Array.from({ length: 4 }, () => [styleAttr(undefined), ' '] as [number, string]);
    paintLine(line, [{ text: 'ab' }]);
    expect(line.dirty).toBe(true);
    line.dirty = false;
    paintLine(line, [{ text: 'ab' }]);
    expect(line.dirty).toBe(false);
  });

  it('paints over the last frame: each span in its attr, a wide character with its filler, blanks after the text', () => {
    const blank = styleAttr(undefined);
    const bold = styleAttr({ bold: true });
    const line: CellLine = Array.from({ length: 8 }, () => [blank, ' '] as [number, string]);
    paintLine(line, [{ text: 'abcdefgh' }]);
    line.dirty = false;
    paintLine(line, [{ text: 'x', style: { bold: true } }, { text: '中y' }]);
    expect(line.dirty).toBe(true);
    expect(line.map((c) => c[1])).toEqual(['x', '中', ' ', 'y', ' ', ' ', ' ', ' ']);
    expect(line.map((c) => c[0])).toEqual([bold, blank, blank, blank, blank, blank, blank, blank]);
    // Text past the width is cut, ASCII or not.
    paintLine(line, [{ text: 'abcdefghij' }]);
    expect(line.map((c) => c[1]).join('')).toBe('abcdefgh');
    paintLine(line, [{ text: 'abcdefg中' }]);
    expect(line.map((c) => c[1]).join('')).toBe('abcdefg ');
  });
});

describe('styled text', () => {
  it('fits rows to width without splitting wide chars', () => {
    expect(rowText(fitRow([{ text: 'ab中文' }], 5))).toBe('ab中 ');
    expect(rowText(fitRow([{ text: 'x' }], 3))).toBe('x  ');
  });
});
