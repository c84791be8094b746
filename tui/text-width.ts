/**
 * Terminal column widths of text, as a modern wcwidth does it (Unicode 15 East
 * Asian Width W/F plus Emoji_Presentation are 2 columns; combining marks and
 * format characters are 0). Every piece of the TUI that lays text out measures
 * with this one function, and the blessed screen is told to use it too
 * (see blessed-width.ts), so CJK and emoji keep columns aligned.
 */

/** East Asian Wide and Fullwidth ranges (merged, emoji handled by the regex below). */
const WIDE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x16fe0, 0x16fe4],
  [0x17000, 0x18cff],
  [0x1b000, 0x1b2ff],
  [0x1f200, 0x1f2ff],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
];

const EMOJI_PRESENTATION = /^\p{Emoji_Presentation}$/u;
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;
const SOFT_HYPHEN = 0xad;

/** Cache for the BMP: 0 = not computed yet, else width + 1. */
const bmpCache = new Uint8Array(0x10000);

function inWide(cp: number): boolean {
  let lo = 0;
  let hi = WIDE_RANGES.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = WIDE_RANGES[mid];
    if (!r) break;
    if (cp < r[0]) hi = mid - 1;
    else if (cp > r[1]) lo = mid + 1;
    else return true;
  }
  return false;
}

function computeWidth(cp: number): 0 | 1 | 2 {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (cp === SOFT_HYPHEN) return 1;
  if (cp >= 0x1160 && cp <= 0x11ff) return 0; // Hangul medial vowels / final consonants join
  const ch = String.fromCodePoint(cp);
  if (ZERO_WIDTH.test(ch)) return 0;
  if (inWide(cp) || EMOJI_PRESENTATION.test(ch)) return 2;
  return 1;
}

/** Columns one code point takes: 0 (controls, combining, format), 1, or 2 (wide, emoji). */
export function charWidth(cp: number): 0 | 1 | 2 {
  if (cp >= 0x20 && cp < 0x7f) return 1;
  if (cp < 0x10000) {
    const cached = bmpCache[cp] ?? 0;
    if (cached !== 0) return (cached - 1) as 0 | 1 | 2;
    const w = computeWidth(cp);
    bmpCache[cp] = w + 1;
    return w;
  }
  return computeWidth(cp);
}

/** Columns a string takes on the terminal. */
export function strWidth(s: string): number {
  let w = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) {
      w += 1;
      continue;
    }
    const cp = s.codePointAt(i) ?? c;
    if (cp > 0xffff) i++;
    w += charWidth(cp);
  }
  return w;
}

/**
 * Removes what must never reach the terminal from remote text: C0/C1 controls
 * (ESC would let a peer move our cursor or retitle the window) and lone
 * surrogates. Tabs become a space.
 */
export function sanitize(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\t/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '');
}

/** The longest prefix of `s` that fits in `cols` columns (never splits a wide char). */
export function truncateToWidth(s: string, cols: number): string {
  let w = 0;
  let i = 0;
  for (const ch of s) {
    const cw = charWidth(ch.codePointAt(0) ?? 0);
    if (w + cw > cols) break;
    w += cw;
    i += ch.length;
  }
  return s.slice(0, i);
}

/** Pads (or truncates, with an ellipsis when it had to cut) `s` to exactly `cols` columns. */
export function fitToWidth(s: string, cols: number, align: 'left' | 'right' = 'left'): string {
  if (cols <= 0) return '';
  let out = s;
  let w = strWidth(s);
  if (w > cols) {
    out = truncateToWidth(s, cols - 1) + '…';
    w = strWidth(out);
  }
  const pad = ' '.repeat(Math.max(0, cols - w));
  return align === 'left' ? out + pad : pad + out;
}
