/**
 * Styled text, the TUI's one intermediate form: views produce rows of spans,
 * cell-paint.ts turns them into blessed's screen cells. Keeping it a plain value makes every
 * view testable without a terminal.
 */
import { clusterWidth, graphemes, strWidth } from './text-width.js';

/** How a span looks; unset fields use the terminal's defaults. */
export interface Style {
  /** A blessed colour: a name ('red', 'light-blue') or '#rrggbb'. */
  fg?: string;
  bg?: string;
  bold?: boolean;
  underline?: boolean;
  inverse?: boolean;
}

/** A run of text in one style. */
export interface Span {
  text: string;
  style?: Style;
}

/** One terminal row (or a line before wrapping). */
export type Row = Span[];

/** A span, leaving `style` out when there is none. */
export function span(text: string, style?: Style): Span {
  return style ? { text, style } : { text };
}

/** Columns the row takes. */
export function rowWidth(row: Row): number {
  let w = 0;
  for (const s of row) w += strWidth(s.text);
  return w;
}

/** The row's text without styles (tests, tables). */
export function rowText(row: Row): string {
  return row.map((s) => s.text).join('');
}

/** Cuts a row to at most `cols` columns and pads it with spaces (in `fill` style) to exactly `cols`. */
export function fitRow(row: Row, cols: number, fill?: Style): Row {
  const out: Row = [];
  let w = 0;
  for (const s of row) {
    if (w >= cols) break;
    let text = '';
    for (const ch of graphemes(s.text)) {
      const cw = clusterWidth(ch);
      if (w + cw > cols) {
        w = cols + 1; // stop: a wide char that does not fit is dropped, padding fills
        break;
      }
      w += cw;
      text += ch;
    }
    if (text) out.push(s.style ? { text, style: s.style } : { text });
    if (w > cols) {
      w = rowWidth(out);
      break;
    }
  }
  if (w < cols) out.push(fill ? { text: ' '.repeat(cols - w), style: fill } : { text: ' '.repeat(cols - w) });
  return out;
}
