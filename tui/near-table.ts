/**
 * The Near window's table (People Near Me): the people near us (nick, friendly name,
 * authority, address, protocols, how long) and our invitations with their numbers, so
 * `/accept N` and `/decline N` are one glance away. Pure: rows of styled spans.
 */
import { formatDuration, plural } from './format.js';
import type { NearModel } from './near-model.js';
import { span, type Row, type Style } from './styled-text.js';
import { fitToWidth } from './text-width.js';

const STYLE_HEADER: Style = { bold: true, underline: true };
const STYLE_DIM: Style = { fg: 'gray' };
const STYLE_OPEN: Style = { bold: true, fg: 'yellow' };

/** Fixed columns; the last one takes what is left. */
function cells(widths: number[], texts: string[], cols: number, style?: Style): Row {
  const out: Row = [];
  let used = 0;
  texts.forEach((t, i) => {
    const w = i === texts.length - 1 ? Math.max(1, cols - used) : (widths[i] ?? 8);
    if (used >= cols) return;
    out.push(span(fitToWidth(t, Math.min(w, cols - used)) + (i === texts.length - 1 ? '' : ' '), style));
    used += w + 1;
  });
  return out;
}

/** Every row of the Near table at `cols` columns. */
export function nearTable(model: NearModel, cols: number, now: number): Row[] {
  const people = model.people();
  const invitations = model.invitations();
  const pw = [16, 18, 8, 21, 7];
  const rows: Row[] = [
    [span(` People near you: ${people.length === 0 ? 'nobody yet' : `${people.length} ${plural(people.length, 'person', 'people')}`}`, { bold: true })],
    cells(pw, ['nick', 'name', 'key', 'address', 'here', 'protocols'], cols, STYLE_HEADER),
  ];
  for (const p of people) rows.push(cells(pw, [p.nick, p.friendly, p.authority.slice(0, 8), p.address, formatDuration(Math.max(0, now - p.since)), p.protocols.join(' ') || '-'], cols));
  rows.push([]);
  rows.push([span(` Invitations: ${invitations.length === 0 ? 'none' : `${model.open} open`}${model.open > 0 ? ' · /accept N or /decline N' : ''}`, { bold: true })]);
  if (invitations.length > 0) {
    const iw = [4, 9, 16, 8, 21];
    rows.push(cells(iw, ['N', 'state', 'from', 'to', 'at', 'message'], cols, STYLE_HEADER));
    for (const i of invitations) {
      const from = i.contact ? `${i.from} ✓` : `${i.nick} ${i.from}`;
      rows.push(cells(iw, [String(i.n), i.state, from, i.kind, i.endpoint, i.message || '-'], cols, i.state === 'open' ? STYLE_OPEN : STYLE_DIM));
    }
  }
  return rows;
}
