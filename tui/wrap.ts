/**
 * Word wrapping of styled lines into terminal rows. Continuation rows get a
 * hanging indent (the width of the `HH:MM <nick> ` prefix, as irssi does), a
 * wide character never straddles the right edge, and breaks prefer spaces.
 */
import { clusterWidth, graphemes } from './text-width.js';
import type { Row, Span, Style } from './styled-text.js';

interface Cell {
  ch: string;
  w: number;
  style: Style | undefined;
}

function toCells(spans: readonly Span[]): Cell[] {
  const cells: Cell[] = [];
  for (const s of spans) {
    for (const ch of graphemes(s.text)) {
      const w = clusterWidth(ch);
      cells.push({ ch, w, style: s.style });
    }
  }
  return cells;
}

function toRow(cells: readonly Cell[]): Row {
  const row: Row = [];
  let cur: Span | undefined;
  let curStyle: Style | undefined;
  for (const c of cells) {
    if (cur && curStyle === c.style) {
      cur.text += c.ch;
    } else {
      cur = c.style ? { text: c.ch, style: c.style } : { text: c.ch };
      curStyle = c.style;
      row.push(cur);
    }
  }
  return row;
}

/**
 * Wraps `spans` into rows of at most `width` columns. `indent` columns of
 * spaces start every continuation row (clamped so at least 8 columns remain).
 */
export function wrapSpans(spans: readonly Span[], width: number, indent = 0): Row[] {
  const cols = Math.max(1, width);
  const hang = Math.max(0, Math.min(indent, cols - 8));
  const cells = toCells(spans);
  const rows: Row[] = [];
  let i = 0;
  let first = true;
  while (i < cells.length || first) {
    const avail = first ? cols : cols - hang;
    let w = 0;
    let j = i;
    let lastSpace = -1;
    while (j < cells.length) {
      const c = cells[j];
      if (!c) break;
      if (w + c.w > avail) break;
      if (c.ch === ' ') lastSpace = j;
      w += c.w;
      j++;
    }
    let end = j;
    if (j < cells.length && lastSpace > i && cells[j]?.ch !== ' ') end = lastSpace + 1;
    if (end === i && j < cells.length) end = i + 1; // a char wider than the row: emit it alone
    const slice = cells.slice(i, end);
    // Trailing spaces at a break are invisible; drop them so rows stay within width.
    while (end < cells.length && slice.length > 0 && slice[slice.length - 1]?.ch === ' ') slice.pop();
    const row = toRow(slice);
    if (!first && hang > 0) row.unshift({ text: ' '.repeat(hang) });
    rows.push(row);
    i = end;
    while (i < cells.length && cells[i]?.ch === ' ') i++; // spaces at a break vanish
    first = false;
  }
  return rows;
}
