/**
 * `/peers` as one table (README "Commands"): the same columns, in the same order and under the
 * same titles, in the TUI (which fits them to the window, tui/tables.ts) and in headless text
 * (here, as wide as the cells). Headless mode printed `chat in 127.0.0.1:7403 bob up 6s queued
 * 0 B` rows without a header, the TUI an `address protocol dir ...` table.
 */
import type { PeerInfo } from './app-api.js';
import { formatDuration, formatSize } from './words.js';

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

/** One link's cells, in PEER_COLUMNS order. */
export function peerCells(p: PeerInfo): string[] {
  return [p.address, p.protocol, p.direction, p.nick ?? '', formatDuration(p.uptimeMs), formatSize(p.queuedBytes)];
}

/** The table as text lines: a header, then a row per link, each column as wide as its widest cell. */
export function peerTableLines(peers: readonly PeerInfo[]): string[] {
  if (peers.length === 0) return [NO_LIVE_LINKS];
  const rows = [PEER_COLUMNS.map((c) => c.title as string), ...peers.map(peerCells)];
  const widths = PEER_COLUMNS.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows.map((r) =>
    PEER_COLUMNS.map((c, i) => {
      const cell = r[i] ?? '';
      const pad = ' '.repeat(widths[i]! - [...cell].length);
      return c.align === 'right' ? pad + cell : cell + pad;
    })
      .join('  ')
      .trimEnd(),
  );
}
