/**
 * Lays out one frame of the screen as rows of styled text: the window bar on
 * top, the active window's body, the status bar and the input line. Pure: the
 * screen module only converts these rows to blessed content.
 */
import type { AppSnapshot } from '../src/app-api.js';
import { formatClock, formatRate, plural } from './format.js';
import type { EditorState } from './line-editor.js';
import { linesBelow, visibleRows } from './scroll.js';
import { fitRow, span, type Row, type Style } from './styled-text.js';
import { resultsTable, transfersTable } from './tables.js';
import { nearTable } from './near-table.js';
import { clusterWidth, fitToWidth, sanitize, strWidth } from './text-width.js';
import { Activity, isTableKind, type Tab, type UiModel } from './ui-model.js';

/** One screen's worth of rows. */
export interface Frame {
  tabBar: Row;
  body: Row[];
  status: Row;
  input: Row;
  /** Column of the cursor on the input row. */
  cursorCol: number;
}

/** Everything a frame is drawn from. */
export interface FrameInput {
  model: UiModel;
  cols: number;
  rows: number;
  snapshot: AppSnapshot | undefined;
  now: number;
  /** A question replacing the prompt (paste confirmation). */
  question?: string;
}

/** Window bar and status bar colours. */
export const STYLE_BAR: Style = { fg: 'white', bg: 'blue' };
const STYLE_ACTIVE_TAB: Style = { fg: 'black', bg: 'white', bold: true };
const STYLE_MORE: Style = { fg: 'black', bg: 'yellow' };
const ACTIVITY_STYLE: Record<Activity, Style> = {
  [Activity.None]: STYLE_BAR,
  [Activity.Event]: { fg: 'white', bg: 'blue', bold: true },
  [Activity.Message]: { fg: 'yellow', bg: 'blue', bold: true },
  // Not white like the active window: a mention is loud, but never looks selected.
  [Activity.Mention]: { fg: 'light-magenta', bg: 'blue', bold: true, underline: true },
};
/** A marker that survives monochrome terminals: `*` unread, `!` mention. */
const ACTIVITY_MARK: Record<Activity, string> = { [Activity.None]: '', [Activity.Event]: '', [Activity.Message]: '*', [Activity.Mention]: '!' };

function tabLabel(t: Tab, i: number): string {
  return ` ${i + 1}:${t.title}${ACTIVITY_MARK[t.unread]} `;
}

/** ` 1:chat  2:Transfers* ` with the active window inverted and unread ones coloured. */
export function tabBar(model: UiModel, cols: number): Row {
  const row: Row = model.tabs.map((t, i) => span(tabLabel(t, i), i === model.active ? STYLE_ACTIVE_TAB : ACTIVITY_STYLE[t.unread]));
  return fitRow(row, cols, STYLE_BAR);
}

/** Index of the window whose label covers column `x` of the window bar. */
export function tabAt(model: UiModel, x: number): number | undefined {
  let at = 0;
  for (let i = 0; i < model.tabs.length; i++) {
    const t = model.tabs[i];
    if (!t) break;
    const w = strWidth(tabLabel(t, i));
    if (x >= at && x < at + w) return i;
    at += w;
  }
  return undefined;
}

/**
 * Clock, nick, ports and linked peers per protocol (fw = firewalled; a protocol that keeps no
 * links, P+2, says how many peers it knows: `3 known`), transfer rates, and the more-below count.
 */
export function statusBar(model: UiModel, snapshot: AppSnapshot | undefined, cols: number, now: number, more: number): Row {
  const parts: string[] = [`[${formatClock(now)}]`, `[${model.nick}]`];
  if (snapshot) {
    for (const [name, st] of Object.entries(snapshot.status)) {
      const ports = Object.values(st.ports).map((p) => `:${p}`).join(',');
      parts.push(`[${sanitize(name)}${ports ? ' ' + ports : ''} ${st.linkless ? `${st.peers} known` : plural(st.peers, 'peer')}${st.role ? ' ' + sanitize(st.role) : ''}${st.firewalled ? ' fw' : ''}]`);
    }
  }
  const { down, up } = model.rates();
  if (down > 0 || up > 0) parts.push(`[↓${formatRate(down)} ↑${formatRate(up)}]`);
  const row: Row = [span(' ' + parts.join(' '), STYLE_BAR)];
  if (more > 0) row.push(span(` -- more: ${more} below --`, { fg: 'yellow', bg: 'blue', bold: true }));
  return fitRow(row, cols, STYLE_BAR);
}

/** The input row scrolled horizontally so the cursor stays visible, and the cursor column. */
export function inputRow(prompt: string, editor: EditorState, cols: number): { row: Row; cursorCol: number } {
  const promptW = strWidth(prompt);
  const avail = Math.max(1, cols - promptW - 1);
  const chars = editor.chars;
  const widths: number[] = chars.map((c) => clusterWidth(c));
  const cursorX = widths.slice(0, editor.cursor).reduce((a, b) => a + b, 0);
  // Scroll in steps of half the field so the view does not jump on every key.
  const step = Math.max(1, Math.floor(avail / 2));
  const offset = cursorX < avail ? 0 : Math.floor((cursorX - avail) / step + 1) * step;
  let start = 0;
  let x = 0;
  while (start < chars.length && x < offset) x += widths[start++] ?? 0;
  let text = '';
  let w = 0;
  for (let i = start; i < chars.length; i++) {
    const cw = widths[i] ?? 0;
    if (w + cw > avail) break;
    text += chars[i];
    w += cw;
  }
  return { row: fitRow([span(prompt, { bold: true }), span(text)], cols), cursorCol: promptW + (cursorX - x) };
}

const STYLE_PANE: Style = { fg: 'black', bg: 'cyan' };

/** The window's own lines, bottom-aligned in `height` rows, with a "more below" marker when scrolled back. */
function textRows(tab: Tab, cols: number, height: number): { rows: Row[]; more: number } {
  const more = linesBelow(tab);
  const room = more > 0 ? height - 1 : height;
  const rows = visibleRows(tab, cols, Math.max(0, room));
  if (more > 0) rows.push(fitRow([span(`-- more below: ${plural(more, 'line')} (PgDn, End) --`, STYLE_MORE)], cols, STYLE_MORE));
  return { rows, more };
}

/**
 * A table window (Results, Transfers) has two panes: the table, and the
 * window's messages (command output such as the whole `/downloads` listing,
 * errors, "done" lines) with its full scrollback. The table pane shows the
 * last messages in a strip under a divider; Ctrl-O turns the body over to
 * the messages, where PgUp/PgDn scroll them, and back.
 */
function tableWindowRows(tab: Tab, input: FrameInput, height: number): { rows: Row[]; more: number } {
  const { model, cols } = input;
  const count = tab.lines.length;
  if (tab.pane === 'messages') {
    const bar = fitRow([span(` ${tab.title}: messages (${plural(count, 'line')}) · PgUp/PgDn scroll · Ctrl-O: back to the table`, STYLE_PANE)], cols, STYLE_PANE);
    const { rows, more } = textRows(tab, cols, height - 1);
    return { rows: [bar, ...rows], more };
  }
  const stripRows = count > 0 ? Math.max(1, Math.min(Math.floor(height / 4), height - 3)) : 0;
  const strip = count > 0 ? visibleRows({ ...tab, anchor: null }, cols, stripRows) : [];
  const divider = count > 0 ? [fitRow([span(` ${plural(count, 'message')} · Ctrl-O: read them all`, STYLE_PANE)], cols, STYLE_PANE)] : [];
  const room = Math.max(0, height - 1 - strip.length - divider.length);
  let table: Row[];
  let total: number;
  if (tab.kind === 'near') {
    const all = nearTable(model.near, cols, input.now);
    total = all.length;
    tab.tableOffset = Math.max(0, Math.min(tab.tableOffset, total - room));
    table = all.slice(tab.tableOffset, tab.tableOffset + room);
  } else if (tab.kind === 'transfers') {
    const all = transfersTable(model.transfers.values(), cols);
    total = all.length - 1;
    tab.tableOffset = Math.max(0, Math.min(tab.tableOffset, total - room));
    table = [all[0] ?? [], ...all.slice(1 + tab.tableOffset, 1 + tab.tableOffset + room)];
    if (total === 0) table.push([span('no transfers yet: /get N downloads search result N', { fg: 'gray' })]);
  } else {
    const rows = model.resultRows();
    total = rows.length;
    tab.tableOffset = Math.max(0, Math.min(tab.tableOffset, total - room));
    table = resultsTable(rows, cols, model.sort.key, model.sort.desc, tab.tableOffset, room);
    if (total === 0) table.push([span('no search results yet: /search words', { fg: 'gray' })]);
  }
  const out = [...table];
  while (out.length < height - strip.length - divider.length) out.push([]);
  return { rows: [...out.slice(0, height - strip.length - divider.length), ...divider, ...strip], more: Math.max(0, total - tab.tableOffset - room) };
}

/** A nick list is shown beside a chat window at least this wide (columns). */
export const NICKLIST_MIN_COLS = 100;
/** Width of the nick list, its divider included. */
export const NICKLIST_WIDTH = 17;
const STYLE_NICKLIST: Style = { fg: 'gray' };

/** Whether window `tab` shows a nick list at this width (a chat window where someone is present). */
export function hasNickList(tab: Tab, cols: number): boolean {
  return tab.kind === 'protocol' && cols >= NICKLIST_MIN_COLS && tab.present.size > 0;
}

/** Columns the window's text wraps at (the nick list takes its share). */
export function textCols(tab: Tab, cols: number): number {
  return hasNickList(tab, cols) ? cols - NICKLIST_WIDTH : cols;
}

function bodyRows(tab: Tab, input: FrameInput, height: number): { rows: Row[]; more: number } {
  if (isTableKind(tab.kind)) return tableWindowRows(tab, input, height);
  if (!hasNickList(tab, input.cols)) return textRows(tab, input.cols, height);
  // weechat's nick list: the text keeps the left, the names the right.
  const width = textCols(tab, input.cols);
  const { rows, more } = textRows(tab, width, height);
  const names = input.model.names(tab) ?? [];
  const list: Row[] = [[span(fitToWidth(` ${plural(names.length, 'nick')}`, NICKLIST_WIDTH - 1), { bold: true })]];
  const room = height - 1;
  for (const n of names.slice(0, names.length > room ? room - 1 : room)) list.push([span(fitToWidth(` ${n}`, NICKLIST_WIDTH - 1), n === input.model.nick ? { bold: true } : STYLE_NICKLIST)]);
  if (names.length > room) list.push([span(fitToWidth(` +${names.length - room + 1} more (/names)`, NICKLIST_WIDTH - 1), STYLE_NICKLIST)]);
  const padded: Row[] = [...rows, ...Array.from({ length: Math.max(0, height - rows.length) }, (): Row => [])];
  const out = padded.map((r, y) => [...fitRow(r, width), span('│', STYLE_NICKLIST), ...(list[y] ?? [])]);
  return { rows: out, more };
}

/** Lays out the whole screen for the active window. */
export function composeFrame(input: FrameInput): Frame {
  const { model, cols } = input;
  const height = Math.max(1, input.rows - 3);
  const tab = model.activeTab;
  const { rows, more } = bodyRows(tab, input, height);
  const body = rows.map((r) => fitRow(r, cols));
  while (body.length < height) body.push(fitRow([], cols));
  const prompt = input.question ?? `[${tab.title}] `;
  const editor = input.question ? { ...tab.editor, chars: [], cursor: 0 } : tab.editor;
  const { row, cursorCol } = inputRow(prompt, editor, cols);
  return { tabBar: tabBar(model, cols), body, status: statusBar(model, input.snapshot, cols, input.now, more), input: row, cursorCol };
}

