/**
 * `/peers` as one table (README "Commands"): the same columns, in the same order and under the
 * same titles, in the TUI (which fits them to the window, tui/tables.ts) and in headless text
 * (here, as wide as the cells). Headless mode printed `chat in 127.0.0.1:7403 bob up 6s queued
 * 0 B` rows without a header, the TUI an `address protocol dir ...` table.
 */
import type { PeerInfo, PluginStatus } from './app-api.js';
import { formatDuration, formatSize, plural } from './words.js';

/** The columns of `/peers`, left to right: title and alignment. */
export const PEER_COLUMNS = [
  { title: 'address', align: 'left' },
  { title: 'protocol', align: 'left' },
  { title: 'dir', align: 'left' },
  { title: 'nick', align: 'left' },
  { title: 'uptime', align: 'right' },
  { title: 'queued', align: 'right' },
] as const;

/** What `/peers` says when there is no link. */
export const NO_LIVE_LINKS = 'no live links';

/**
 * What `/peers` says under its table while P+2 runs, whose peers are not links: it connects to
 * a peer only to ask it one thing (pplus2.md) and closes, so `/peers` said `no live links` while
 * the status bar read `[pplus2 :7000 3 peers]`. Undefined when P+2 is not running.
 */
export function unlinkedPeersNote(status: Readonly<Record<string, PluginStatus>>): string | undefined {
  const p2 = status['pplus2'];
  if (!p2) return undefined;
  return `pplus2 keeps no links: it knows ${plural(p2.peers, 'peer')} and connects to one only to ask it something (/known lists them)`;
}

/** One link's cells, in PEER_COLUMNS order. */
export function peerCells(p: PeerInfo): string[] {
  return [p.address, p.protocol, p.direction, p.nick ?? '', formatDuration(p.uptimeMs), formatSize(p.queuedBytes)];
}

/** The table as text lines: a header, then a row per link, each column as wide as its widest cell; `note` (unlinkedPeersNote) last. */
export function peerTableLines(peers: readonly PeerInfo[], note?: string): string[] {
  if (peers.length === 0) return note === undefined ? [NO_LIVE_LINKS] : [NO_LIVE_LINKS, note];
  const rows = [PEER_COLUMNS.map((c) => c.title as string), ...peers.map(peerCells)];
  const widths = PEER_COLUMNS.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  const lines = rows.map((r) =>
    PEER_COLUMNS.map((c, i) => {
      const cell = r[i] ?? '';
      const pad = ' '.repeat(widths[i]! - [...cell].length);
      return c.align === 'right' ? pad + cell : cell + pad;
    })
      .join('  ')
      .trimEnd(),
  );
  return note === undefined ? lines : [...lines, note];
}
