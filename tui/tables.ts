/**
 * The generic table views every file-sharing protocol fills: search results
 * (number, name, size, source, speed; sortable) and transfers (progress bar,
 * rate, ETA), plus the `/peers` listing. Columns flex with the terminal width:
 * the name column takes what the fixed columns leave. Pure.
 */
import type { PeerInfo, SearchHit } from '../src/app-api.js';
import { formatDuration, formatEta, formatRate, formatSize, progressBar } from './format.js';
import type { SortKey, TransferRow } from './ui-model.js';
import { span, type Row, type Style } from './styled-text.js';
import { fitToWidth, sanitize } from './text-width.js';

/** Table header style. */
export const STYLE_HEADER: Style = { bold: true, underline: true };

/** Columns `/sort` accepts. */
export const SORT_KEYS: readonly SortKey[] = ['n', 'name', 'size', 'source', 'speed'];

/** Guards `/sort` input. */
export function isSortKey(s: string): s is SortKey {
  return (SORT_KEYS as readonly string[]).includes(s);
}

/** Case-insensitive, numbers in names compared as numbers (`track 2` before `track 10`). */
const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/** A sorted copy; ties keep result-number order so the view is stable. */
export function sortHits(hits: readonly SearchHit[], key: SortKey, desc: boolean): SearchHit[] {
  const cmp = (a: SearchHit, b: SearchHit): number => {
    switch (key) {
      case 'n':
        return a.n - b.n;
      case 'name':
        return collator.compare(a.name, b.name);
      case 'size':
        return a.size - b.size;
      case 'source':
        return collator.compare(a.source, b.source);
      case 'speed':
        return (a.speed ?? -1) - (b.speed ?? -1);
    }
  };
  const dir = desc ? -1 : 1;
  return [...hits].sort((a, b) => dir * cmp(a, b) || a.n - b.n);
}

interface Column {
  title: string;
  width: number;
  align: 'left' | 'right';
}

/** Minimum width of the flexible column before fixed columns start to shrink. */
const FLEX_MIN = 8;

function layout(cols: number, fixedCols: Column[], flexTitle: string, flexAt: number): Column[] {
  const fixed = fixedCols.map((c) => ({ ...c }));
  let used = fixed.reduce((w, c) => w + c.width + 1, 0);
  // On narrow terminals, take columns from the widest fixed column first.
  while (used + FLEX_MIN > cols) {
    const widest = fixed.reduce((a, b) => (b.width > a.width ? b : a));
    if (widest.width <= 3) break;
    widest.width--;
    used--;
  }
  const flex: Column = { title: flexTitle, width: Math.max(1, cols - used), align: 'left' };
  const all = [...fixed];
  all.splice(flexAt, 0, flex);
  return all;
}

function row(columns: Column[], cells: string[], style?: Style): Row {
  const text = columns.map((c, i) => fitToWidth(sanitize(cells[i] ?? ''), c.width, c.align)).join(' ');
  return [span(text, style)];
}

function headerRow(columns: Column[], sortTitle?: string, desc?: boolean): Row {
  return row(
    columns,
    columns.map((c) => (c.title === sortTitle ? `${c.title}${desc ? '↓' : '↑'}` : c.title)),
    STYLE_HEADER,
  );
}

const SORT_TITLE: Record<SortKey, string> = { n: '#', name: 'name', size: 'size', source: 'source', speed: 'speed' };

/**
 * Header plus one row per hit of `sorted[from .. from+count)`, for a view `cols`
 * wide. The hits come sorted (UiModel.sortedResults caches that), so a frame
 * formats only the rows it shows.
 */
export function resultsTable(sorted: readonly SearchHit[], cols: number, key: SortKey, desc: boolean, from = 0, count = sorted.length): Row[] {
  const columns = layout(
    cols,
    [
      { title: '#', width: 5, align: 'right' },
      { title: 'size', width: 9, align: 'right' },
      { title: 'source', width: 21, align: 'left' },
      { title: 'speed', width: 9, align: 'right' },
      { title: 'via', width: 8, align: 'left' },
    ],
    'name',
    1,
  );
  const out: Row[] = [headerRow(columns, SORT_TITLE[key], desc)];
  for (const h of sorted.slice(from, from + count)) {
    out.push(row(columns, [String(h.n), h.name, formatSize(h.size), h.source, h.speed === undefined ? '' : `${h.speed} kb/s`, h.protocol]));
  }
  return out;
}

const STATE_STYLE: Record<TransferRow['state'], Style | undefined> = {
  active: undefined,
  done: { fg: 'green' },
  failed: { fg: 'red' },
};

/** Header plus one row per transfer (and a reason row under a failed one). */
export function transfersTable(rows: Iterable<TransferRow>, cols: number): Row[] {
  const columns = layout(
    cols,
    [
      { title: 'id', width: 4, align: 'right' },
      { title: '', width: 2, align: 'left' },
      { title: 'progress', width: 18, align: 'left' },
      { title: 'size', width: 9, align: 'right' },
      { title: 'rate', width: 11, align: 'right' },
      { title: 'eta', width: 6, align: 'right' },
    ],
    'name',
    2,
  );
  const out: Row[] = [headerRow(columns)];
  for (const t of rows) {
    const fraction = t.total && t.total > 0 ? t.bytes / t.total : t.state === 'done' ? 1 : null;
    const pct = fraction === null ? '  ?%' : `${Math.floor(fraction * 100)}%`.padStart(4);
    const bar = `${progressBar(fraction, 13)}${pct}`;
    const status = t.state === 'active' ? formatRate(t.rate) : t.state;
    const eta = t.state === 'active' ? formatEta(t.eta) : '';
    out.push(row(columns, [String(t.id), t.direction === 'down' ? '↓' : '↑', t.name, bar, formatSize(t.total ?? t.bytes), status, eta], STATE_STYLE[t.state]));
    if (t.state === 'failed' && t.detail) out.push([span(`      ${sanitize(t.detail)}`, { fg: 'red' })]);
  }
  return out;
}

/** The `/peers` listing: address, protocol, direction, nick, uptime, queued bytes. */
export function peersTable(peers: readonly PeerInfo[], cols: number): Row[] {
  const columns = layout(
    cols,
    [
      { title: 'protocol', width: 9, align: 'left' },
      { title: 'dir', width: 3, align: 'left' },
      { title: 'nick', width: 16, align: 'left' },
      { title: 'uptime', width: 7, align: 'right' },
      { title: 'queued', width: 9, align: 'right' },
    ],
    'address',
    0,
  );
  const out: Row[] = [headerRow(columns)];
  for (const p of peers) {
    out.push(row(columns, [p.address, p.protocol, p.direction, p.nick ?? '', formatDuration(p.uptimeMs), formatSize(p.queuedBytes)]));
  }
  if (peers.length === 0) out.push([span('(no peers connected)', { fg: 'gray' })]);
  return out;
}
