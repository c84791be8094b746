/**
 * Paints a frame straight into blessed's cell buffer (`screen.lines`). We do
 * our own layout with our own width table (text-width.ts), so a wide
 * character occupies its cell plus a filler cell that blessed's draw skips
 * (see blessed-width.ts). A cell holds one whole grapheme cluster (a flag,
 * a ZWJ emoji, a letter with its marks), so a cluster is never torn apart. Only changed rows are marked dirty; blessed's draw then
 * sends the minimal update. Pure over the given arrays.
 */
import type { Row, Style } from './styled-text.js';
import { clusterWidth, graphemes } from './text-width.js';

/** blessed's cell: [attr, text]. attr = flags << 18 | fg << 9 | bg. */
export type Cell = [number, string];
/** One row of blessed's screen buffer; `dirty` tells its draw loop to look at the row. */
export type CellLine = Cell[] & { dirty?: boolean };

/** Default colour index in blessed's attr encoding. */
export const DEFAULT_COLOR = 0x1ff;
const FLAG_BOLD = 1;
const FLAG_UNDERLINE = 2;
const FLAG_INVERSE = 8;

const NAMED: Record<string, number> = {
  black: 0, red: 1, green: 2, yellow: 3, blue: 4, magenta: 5, cyan: 6, white: 7,
  gray: 8, grey: 8, 'light-black': 8, 'light-red': 9, 'light-green': 10, 'light-yellow': 11,
  'light-blue': 12, 'light-magenta': 13, 'light-cyan': 14, 'light-white': 15,
};

const CUBE = [0, 95, 135, 175, 215, 255];

function nearestCube(v: number): number {
  let best = 0;
  for (let i = 1; i < CUBE.length; i++) if (Math.abs((CUBE[i] ?? 0) - v) < Math.abs((CUBE[best] ?? 0) - v)) best = i;
  return best;
}

/** A colour name or `#rrggbb` as an xterm-256 index (blessed reduces further for smaller palettes). */
export function colorIndex(color: string | undefined): number {
  if (color === undefined) return DEFAULT_COLOR;
  const named = NAMED[color];
  if (named !== undefined) return named;
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!m) return DEFAULT_COLOR;
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => nearestCube(parseInt(h ?? '0', 16)));
  return 16 + 36 * (r ?? 0) + 6 * (g ?? 0) + (b ?? 0);
}

/** A Style in blessed's packed attribute form (bold 1, underline 2, inverse 8 in the flag bits). */
export function styleAttr(style: Style | undefined): number {
  if (!style) return (DEFAULT_COLOR << 9) | DEFAULT_COLOR;
  const flags = (style.bold ? FLAG_BOLD : 0) | (style.underline ? FLAG_UNDERLINE : 0) | (style.inverse ? FLAG_INVERSE : 0);
  return (flags << 18) | (colorIndex(style.fg) << 9) | colorIndex(style.bg);
}

// eslint-disable-next-line no-control-regex
const PLAIN_ASCII = /^[\x20-\x7e]*$/;

/** The cells of one row, exactly `cols` long. */
export function rowCells(row: Row, cols: number): Cell[] {
  const cells: CellLine = Array.from({ length: cols }, (): Cell => [-1, '']);
  paintLine(cells, row);
  return cells;
}

/**
 * Writes `row` into `line` cell by cell, left to right, marking it dirty when
 * anything changed: a wide cluster's filler cell is a space of the same attr,
 * and the cells after the text are blanks. Printable ASCII (most of a frame)
 * is one cell a character and skips the grapheme walk, and no cell is made:
 * a frame is 4,800 cells at 120x40, and the first one is drawn before any of
 * this is compiled.
 */
export function paintLine(line: CellLine, row: Row): void {
  const cols = line.length;
  let x = 0;
  let dirty = false;
  const put = (attr: number, ch: string): void => {
    const have = line[x++];
    if (!have || (have[0] === attr && have[1] === ch)) return;
    have[0] = attr;
    have[1] = ch;
    dirty = true;
  };
  for (const s of row) {
    const attr = styleAttr(s.style);
    const text = s.text;
    if (PLAIN_ASCII.test(text)) {
      const n = Math.min(text.length, cols - x);
      for (let i = 0; i < n; i++) put(attr, text.charAt(i));
    } else {
      for (const ch of graphemes(text)) {
        const w = clusterWidth(ch);
        if (w === 0) continue;
        if (x + w > cols) break;
        put(attr, ch);
        if (w === 2) put(attr, ' ');
      }
    }
    if (x >= cols) break;
  }
  const blank = styleAttr(undefined);
  for (; x < cols; x++) {
    const have = line[x];
    if (!have || (have[0] === blank && have[1] === ' ')) continue;
    have[0] = blank;
    have[1] = ' ';
    dirty = true;
  }
  if (dirty) line.dirty = true;
}
