/**
 * Scrollback positioning for a tab, measured in wrapped rows at the current
 * width. A tab is either following new lines (anchor null) or anchored to one
 * line, which stays at the bottom of the view while new lines arrive: new
 * lines never yank a scrolled-back view. Pure apart from the per-line wrap cache.
 */
import type { Line } from './line-format.js';
import type { Tab } from './ui-model.js';
import type { Row } from './styled-text.js';
import { wrapSpans } from './wrap.js';

/** The rows of one line at `width` (cached on the line for that width). */
export function lineRows(line: Line, width: number): Row[] {
  const c = line.wrapCache;
  if (c && c.width === width) return c.rows;
  const rows = wrapSpans(line.spans, width, line.indent);
  line.wrapCache = { width, rows };
  return rows;
}

/** Sequence number of the line drawn at the bottom of the view. */
export function bottomSeq(tab: Tab): number {
  const last = tab.lines.endSeq - 1;
  if (tab.anchor === null) return last;
  return Math.min(last, Math.max(tab.lines.firstSeq, tab.anchor));
}

/** Rows to draw (at most `height`), ending with the bottom line's last row. */
export function visibleRows(tab: Tab, width: number, height: number): Row[] {
  const out: Row[][] = [];
  let count = 0;
  for (let seq = bottomSeq(tab); seq >= tab.lines.firstSeq && count < height; seq--) {
    const line = tab.lines.get(seq);
    if (!line) break;
    const rows = lineRows(line, width);
    out.push(rows);
    count += rows.length;
  }
  const flat: Row[] = [];
  for (let i = out.length - 1; i >= 0; i--) flat.push(...(out[i] ?? []));
  return flat.slice(Math.max(0, flat.length - height));
}

/** Lines below the view while scrolled back (for the "more below" marker). */
export function linesBelow(tab: Tab): number {
  if (tab.anchor === null) return 0;
  return Math.max(0, tab.lines.endSeq - 1 - bottomSeq(tab));
}

/**
 * Lowest anchor that still fills the view from the oldest line (earlier anchors
 * would show blank space on top). A scrolled view has one row less: the
 * "more below" marker takes it.
 */
function minAnchor(tab: Tab, width: number, height: number): number {
  const room = Math.max(1, height - 1);
  let rows = 0;
  for (let seq = tab.lines.firstSeq; seq < tab.lines.endSeq; seq++) {
    const line = tab.lines.get(seq);
    if (line) rows += lineRows(line, width).length;
    if (rows >= room) return seq;
  }
  return tab.lines.endSeq - 1;
}

/** Scrolls back by `rows` rows (PgUp: a page less one row of overlap). */
export function scrollUp(tab: Tab, width: number, height: number, rows: number): void {
  if (tab.lines.length === 0) return;
  let seq = bottomSeq(tab);
  let moved = 0;
  while (moved < rows && seq > tab.lines.firstSeq) {
    const line = tab.lines.get(seq);
    moved += line ? lineRows(line, width).length : 1;
    seq--;
  }
  const floor = minAnchor(tab, width, height);
  const next = Math.max(seq, floor);
  tab.anchor = next >= tab.lines.endSeq - 1 ? null : next;
}

/** Scrolls forward by `rows` rows; reaching the newest line follows new lines again. */
export function scrollDown(tab: Tab, width: number, rows: number): void {
  if (tab.anchor === null) return;
  let seq = bottomSeq(tab);
  let moved = 0;
  while (moved < rows && seq < tab.lines.endSeq - 1) {
    seq++;
    const line = tab.lines.get(seq);
    moved += line ? lineRows(line, width).length : 1;
  }
  tab.anchor = seq >= tab.lines.endSeq - 1 ? null : seq;
}

/** Shows the oldest kept lines. */
export function scrollTop(tab: Tab, width: number, height: number): void {
  if (tab.lines.length === 0) return;
  const floor = minAnchor(tab, width, height);
  tab.anchor = floor >= tab.lines.endSeq - 1 ? null : floor;
}

/** Back to the newest lines, following new ones again. */
export function scrollBottom(tab: Tab): void {
  tab.anchor = null;
}
