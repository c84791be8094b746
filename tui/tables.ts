/**
 * The generic table views every file-sharing protocol fills: search results
 * grouped by search (number, name, size, source, speed; sortable) and
 * transfers (host, progress or state, size, rate, ETA or time taken), plus the
 * `/peers` listing. Columns flex with the terminal width: the name column
 * takes what the fixed columns leave, and they shrink before it does. Pure.
 */
import type { PeerInfo, SearchHit } from '../src/app-api.js';
import { formatDuration, formatEta, formatRate, formatSize, plural, progressBar } from './format.js';
import { linkCommand } from '../src/words.js';
import { reachedNobody, searchFinished, type ResultRow, type SearchGroup } from './results-model.js';
import type { TransferRow, TransferState } from './transfers-model.js';
import type { SortKey } from './ui-model.js';
import { span, type Row, type Style } from './styled-text.js';
import { fitToWidth, sanitize } from './text-width.js';
import { NO_LIVE_LINKS, PEER_COLUMNS, peerCells } from '../src/peer-table.js';

/** Table header style. */
export const STYLE_HEADER: Style = { bold: true, underline: true };

/** Columns `/sort` accepts. */
export const SORT_KEYS: readonly SortKey[] = ['n', 'name', 'size', 'source', 'speed'];

/** Guards `/sort` input. */
export function isSortKey(s: string): s is SortKey {
  return (SORT_KEYS as readonly string[]).includes(s);
}

/**
 * Case-insensitive, numbers in names compared as numbers (`track 2` before `track 10`).
 * Made at the first sort by name or source, not when the TUI loads: ICU's collator
 * takes 10-30 ms to make, before the first frame, which sorts nothing.
 */
let collator: Intl.Collator | undefined;
function compareText(a: string, b: string): number {
  return (collator ??= new Intl.Collator(undefined, { sensitivity: 'base', numeric: true })).compare(a, b);
}

/** A sorted copy; ties keep result-number order so the view is stable. */
export function sortHits(hits: readonly SearchHit[], key: SortKey, desc: boolean): SearchHit[] {
  const cmp = (a: SearchHit, b: SearchHit): number => {
    switch (key) {
      case 'n':
        return a.n - b.n;
      case 'name':
        return compareText(a.name, b.name);
      case 'size':
        return a.size - b.size;
      case 'source':
        return compareText(a.source, b.source);
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
  /** Columns may shrink down to this on narrow terminals (default 3). */
  min?: number;
  /** Lower shrinks first (default 5). */
  shrink?: number;
}

/** Minimum width of the flexible column before fixed columns start to shrink. */
const FLEX_MIN = 8;
/** The Results name column keeps at least this share of the width before it gives any up. */
const RESULTS_NAME_SHARE = 0.4;
/** The Transfers name column's share (the host matters there too). */
const TRANSFERS_NAME_SHARE = 0.25;

/**
 * Column widths for `cols`: the flexible column (the file name) takes what
 * the fixed ones leave; on narrow terminals fixed columns shrink first, in
 * their `shrink` order (the source column before the size), so the name
 * keeps `share` of the width as long as the others can give.
 */
function layout(cols: number, fixedCols: Column[], flexTitle: string, flexAt: number, share = 0): Column[] {
  const fixed = fixedCols.map((c) => ({ ...c }));
  let used = fixed.reduce((w, c) => w + c.width + 1, 0);
  const want = Math.max(FLEX_MIN, Math.floor(cols * share));
  const order = [...fixed].sort((a, b) => (a.shrink ?? 5) - (b.shrink ?? 5));
  for (const c of order) {
    while (used + want > cols && c.width > (c.min ?? 3)) {
      c.width--;
      used--;
    }
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

/** A search's heading row style. */
export const STYLE_SEARCH: Style = { fg: 'cyan', bold: true };
const STYLE_NOBODY: Style = { fg: 'yellow', bold: true };

/** `search s3 "beatles" · gnutella, pplus2 · 12 hits · done`, and what it reached. */
export function searchHeading(g: SearchGroup): string {
  const query = g.query ? ` "${g.query}"` : '';
  const via = g.protocols.length > 0 ? ` · ${g.protocols.join(', ')}` : '';
  const state = reachedNobody(g) ? `reached no peer (no links: ${linkCommand(g.protocols)} first)` : searchFinished(g) ? 'done' : 'searching…';
  return `search ${g.id}${query}${via} · ${plural(g.hits, 'hit')} · ${state} · /close ${g.id}`;
}

/**
 * Header plus the rows `[from, from+count)` of the Results window: each
 * search's heading, then its hits (sorted within the search). The rows come
 * grouped and sorted (ResultsModel.rows caches that), so a frame formats only
 * the rows it shows.
 */
export function resultsTable(rows: readonly ResultRow[], cols: number, key: SortKey, desc: boolean, from = 0, count = rows.length): Row[] {
  const columns = layout(
    cols,
    [
      { title: '#', width: 5, align: 'right', min: 3, shrink: 4 },
      { title: 'size', width: 9, align: 'right', min: 7, shrink: 3 },
      { title: 'source', width: 21, align: 'left', min: 6, shrink: 0 },
      { title: 'speed', width: 9, align: 'right', min: 0, shrink: 1 },
      { title: 'via', width: 8, align: 'left', min: 3, shrink: 2 },
    ],
    'name',
    1,
    RESULTS_NAME_SHARE,
  );
  const out: Row[] = [headerRow(columns, SORT_TITLE[key], desc)];
  for (const r of rows.slice(from, from + count)) {
    if (r.kind === 'search') {
      out.push([span(fitToWidth(searchHeading(r.group), cols), reachedNobody(r.group) ? STYLE_NOBODY : STYLE_SEARCH)]);
      continue;
    }
    const h = r.hit;
    out.push(row(columns, [String(h.n), h.name, formatSize(h.size), h.source, h.speed === undefined ? '' : `${h.speed} kb/s`, h.protocol]));
  }
  return out;
}

const STATE_STYLE: Record<TransferState, Style | undefined> = {
  queued: { fg: 'gray' },
  active: undefined,
  done: { fg: 'green' },
  failed: { fg: 'red' },
  cancelled: { fg: 'gray' },
};
const STYLE_UNVERIFIED: Style = { fg: 'yellow' };

/** The progress cell: a bar with a percentage, bytes so far when the size is unknown, or the state. */
function progressCell(t: TransferRow): string {
  switch (t.state) {
    case 'queued':
      return t.position === undefined ? 'queued' : `queued #${t.position}`;
    case 'active': {
      if (!t.total || t.total <= 0) return `${formatSize(t.bytes)} so far`;
      const fraction = t.bytes / t.total;
      return `${progressBar(fraction, 13)}${`${Math.floor(fraction * 100)}%`.padStart(4)}`;
    }
    case 'done':
      return t.verified === false ? 'done, unverified' : 'done';
    case 'failed':
      return t.total ? `failed at ${Math.floor((t.bytes / t.total) * 100)}%` : 'failed';
    case 'cancelled':
      return 'cancelled';
  }
}

/**
 * A transfer's name cell: a finished download by the name it was saved under (what is on disk),
 * with the remote name after it where the two differ (`song (1).mp3 (remote: song.mp3)`), as
 * `/downloads` says `song.mp3 (saved as song (1).mp3)`; the table showed only the remote name.
 */
export function transferName(t: Pick<TransferRow, 'name' | 'saved'>): string {
  return t.saved === undefined || t.saved === t.name ? t.name : `${t.saved} (remote: ${t.name})`;
}

/**
 * Header plus one row per transfer (and a reason row under a failed one).
 * `rate` is the current rate while running and the average once finished;
 * `time` is the ETA while running and the time it took once finished.
 */
export function transfersTable(rows: Iterable<TransferRow>, cols: number): Row[] {
  const columns = layout(
    cols,
    [
      { title: 'id', width: 4, align: 'right', min: 2, shrink: 4 },
      { title: '', width: 2, align: 'left', min: 1, shrink: 5 },
      { title: 'host', width: 21, align: 'left', min: 0, shrink: 0 },
      { title: 'progress', width: 17, align: 'left', min: 9, shrink: 3 },
      { title: 'size', width: 9, align: 'right', min: 7, shrink: 2 },
      { title: 'rate', width: 13, align: 'right', min: 9, shrink: 1 },
      { title: 'time', width: 6, align: 'right', min: 0, shrink: 1 },
    ],
    'name',
    2,
    TRANSFERS_NAME_SHARE,
  );
  const out: Row[] = [headerRow(columns)];
  for (const t of rows) {
    const running = t.state === 'active';
    const finished = t.state === 'done' || t.state === 'failed' || t.state === 'cancelled';
    const rate = running ? formatRate(t.rate) : finished && t.bytes > 0 ? `avg ${formatRate(t.rate)}` : '';
    const time = running ? formatEta(t.eta) : finished && t.endedAt !== undefined ? formatEta((t.endedAt - t.startedAt) / 1000) : '';
    const size = t.total !== null ? formatSize(t.total) : t.state === 'done' ? formatSize(t.bytes) : '?';
    const style = t.state === 'done' && t.verified === false ? STYLE_UNVERIFIED : STATE_STYLE[t.state];
    out.push(row(columns, [String(t.id), t.direction === 'down' ? '↓' : '↑', transferName(t), t.peer ?? '', progressCell(t), size, rate, time], style));
    if (t.state === 'failed' && t.detail) out.push([span(`      ${sanitize(t.detail)}`, { fg: 'red' })]);
    if (t.state === 'queued' && t.detail) out.push([span(`      ${sanitize(t.detail)}`, { fg: 'gray' })]);
  }
  return out;
}

/** The `/peers` listing: address, protocol, direction, nick, uptime, queued bytes; `note` (unlinkedPeersNote) under it. */
export function peersTable(peers: readonly PeerInfo[], cols: number, note?: string): Row[] {
  // The columns of headless /peers (src/peer-table.ts), fitted to the window: the address takes what is left.
  const [address, ...fixed] = PEER_COLUMNS;
  const widths: Record<string, number> = { protocol: 9, dir: 3, nick: 16, uptime: 7, queued: 9 };
  const columns = layout(
    cols,
    fixed.map((c) => ({ title: c.title, width: widths[c.title]!, align: c.align })),
    address.title,
    0,
  );
  const out: Row[] = [headerRow(columns)];
  for (const p of peers) out.push(row(columns, peerCells(p)));
  if (peers.length === 0) out.push([span(NO_LIVE_LINKS, { fg: 'gray' })]);
  if (note !== undefined) out.push([span(note, { fg: 'gray' })]);
  return out;
}
