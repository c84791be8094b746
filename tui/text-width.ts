/**
 * Terminal column widths of text, measured per grapheme cluster (what a user
 * sees as one character) the way modern terminals (kitty, WezTerm, foot, VTE,
 * Windows Terminal, iTerm2) and tmux draw it: a regional-indicator pair (a
 * flag such as 🇯🇵), an emoji ZWJ sequence (👩‍💻) and an emoji with VS16 (❤️)
 * are one cluster two columns wide. Clusters come from `Intl.Segmenter`; the
 * East Asian Width data comes from `get-east-asian-width` (kept current with
 * Unicode by its maintainers) instead of a hand-kept range table. Every piece
 * of the TUI that lays text out measures with these functions, and the blessed
 * screen is told to use them too (see blessed-width.ts), so the screen buffer
 * and the terminal agree on where every cell is.
 */
import { eastAsianWidth } from 'get-east-asian-width';

/**
 * The segmenter and the RGI emoji pattern are made the first time non-ASCII
 * text is measured, not when the TUI loads: making them costs about 35 ms
 * (ICU's segmentation data; the pattern's set of strings), and the first
 * frame, all ASCII, needs neither.
 */
let segmenter: Intl.Segmenter | undefined;
let rgiEmoji: RegExp | undefined;

/** An RGI emoji (flags, keycaps, ZWJ and modifier sequences, VS16 forms): always 2 columns. */
function isRgiEmoji(s: string): boolean {
  return (rgiEmoji ??= new RegExp('^\\p{RGI_Emoji}$', 'v')).test(s);
}
const EXTENDED_PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;
const VS16 = '\ufe0f';
const SOFT_HYPHEN = 0xad;

/** Widths of non-ASCII clusters already measured (bounded: cleared when full). */
const clusterCache = new Map<string, 0 | 1 | 2>();
const CLUSTER_CACHE_LIMIT = 4096;

/**
 * Columns one code point takes on its own: 0 (controls, combining marks,
 * format characters), 1, or 2 (East Asian Wide/Fullwidth, emoji presentation).
 * Text is measured by cluster (`clusterWidth`); this is the first code point's share.
 */
export function charWidth(cp: number): 0 | 1 | 2 {
  if (cp >= 0x20 && cp < 0x7f) return 1;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (cp === SOFT_HYPHEN) return 1;
  if (cp >= 0x1160 && cp <= 0x11ff) return 0; // Hangul medial vowels / final consonants join
  if (cp >= 0xd800 && cp <= 0xdfff) return 0; // a lone surrogate draws nothing we can count on
  const ch = String.fromCodePoint(cp);
  if (ZERO_WIDTH.test(ch)) return 0;
  if (cp >= 0x1f1e6 && cp <= 0x1f1ff) return 1; // a lone regional indicator; a pair is a 2-column flag
  return eastAsianWidth(cp) === 2 || isRgiEmoji(ch) ? 2 : 1;
}

function measureCluster(g: string): 0 | 1 | 2 {
  if (isRgiEmoji(g)) return 2;
  const cp = g.codePointAt(0) ?? 0;
  const base = charWidth(cp);
  // An emoji-capable symbol asked for emoji presentation (☺️ outside the RGI set) is drawn wide.
  if (base === 1 && g.includes(VS16) && EXTENDED_PICTOGRAPHIC.test(g)) return 2;
  if (base === 0 && g.length > String.fromCodePoint(cp).length) {
    // A cluster led by a mark or format character: the widest visible part counts.
    let w: 0 | 1 | 2 = 0;
    for (const ch of g) {
      const cw = charWidth(ch.codePointAt(0) ?? 0);
      if (cw > w) w = cw;
    }
    return w;
  }
  return base;
}

/** Columns one grapheme cluster takes: 0, 1 or 2. */
export function clusterWidth(g: string): 0 | 1 | 2 {
  if (g.length === 1) {
    const c = g.charCodeAt(0);
    if (c >= 0x20 && c < 0x7f) return 1;
  }
  const cached = clusterCache.get(g);
  if (cached !== undefined) return cached;
  const w = measureCluster(g);
  if (clusterCache.size >= CLUSTER_CACHE_LIMIT) clusterCache.clear();
  clusterCache.set(g, w);
  return w;
}

// eslint-disable-next-line no-control-regex
const PLAIN_ASCII = /^[\x20-\x7e]*$/;

function isAsciiPrintable(c: number): boolean {
  return c >= 0x20 && c < 0x7f;
}

/**
 * Calls `each` with the grapheme clusters of `s`, in order. A printable ASCII
 * character followed by another one (or by the end) is a cluster of its own
 * (no ASCII character extends a cluster), so only the stretches around
 * non-ASCII text go through Intl.Segmenter, which costs about a microsecond a
 * cluster: a chat line with a flag in it segments a few characters, not all.
 */
function eachGrapheme(s: string, each: (g: string) => void): void {
  const n = s.length;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j < n && isAsciiPrintable(s.charCodeAt(j))) j++;
    if (j === n) {
      for (; i < n; i++) each(s.charAt(i));
      return;
    }
    // The ASCII character just before non-ASCII text may be the base of its cluster (e + U+0301).
    const start = j > i ? j - 1 : j;
    for (; i < start; i++) each(s.charAt(i));
    let k = j;
    while (k < n && !isAsciiPrintable(s.charCodeAt(k))) k++;
    segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    for (const { segment } of segmenter.segment(s.slice(start, k))) each(segment);
    i = k;
  }
}

/**
 * Segmented non-ASCII strings (bounded: cleared when full). Every frame lays
 * out the same rows again; Intl.Segmenter costs tens of microseconds a call,
 * so each distinct string is segmented once.
 */
const segmentCache = new Map<string, { clusters: readonly string[]; width: number }>();
const SEGMENT_CACHE_LIMIT = 2048;

function segmented(s: string): { clusters: readonly string[]; width: number } {
  const hit = segmentCache.get(s);
  if (hit) return hit;
  const clusters: string[] = [];
  let width = 0;
  eachGrapheme(s, (g) => {
    clusters.push(g);
    width += clusterWidth(g);
  });
  const entry = { clusters, width };
  if (segmentCache.size >= SEGMENT_CACHE_LIMIT) segmentCache.clear();
  segmentCache.set(s, entry);
  return entry;
}

/** The grapheme clusters of `s`, in order. */
export function graphemes(s: string): string[] {
  if (PLAIN_ASCII.test(s)) return s.split('');
  return [...segmented(s).clusters];
}

/** Columns a string takes on the terminal (the sum over its clusters). */
export function strWidth(s: string): number {
  if (PLAIN_ASCII.test(s)) return s.length;
  return segmented(s).width;
}

/**
 * Removes what must never reach the terminal from remote text (controls, bidi
 * embeddings, overrides and isolates, lone surrogates; tabs become a space):
 * the one rule headless text lines and shown nicks follow too (src/shown-text.ts).
 */
export { shownText as sanitize } from '../src/shown-text.js';

/** The longest prefix of `s` that fits in `cols` columns (never splits a wide character or a cluster). */
export function truncateToWidth(s: string, cols: number): string {
  let w = 0;
  let out = '';
  for (const g of graphemes(s)) {
    const cw = clusterWidth(g);
    if (w + cw > cols) break;
    w += cw;
    out += g;
  }
  return out;
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
