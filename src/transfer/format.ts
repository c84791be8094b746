import type { TransferInfo } from './transfer-types.js';

/** Powers of 1024, named as such (as the TUI's columns): a MiB is not a MB. */
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 -> "1.5 KiB", for listings. */
export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${UNITS[u]}`;
}

/** One `/downloads` line: `#3 down 45% 1.2 MiB/2.6 MiB 320.0 KiB/s active song.mp3 <- 127.0.0.1:6002`. */
export function formatTransfer(t: TransferInfo): string {
  const pct = t.total === null ? '?%' : t.total === 0 ? (t.state === 'done' ? '100%' : '0%') : `${Math.floor((t.bytes / t.total) * 100)}%`;
  const size = `${formatBytes(t.bytes)}/${t.total === null ? '?' : formatBytes(t.total)}`;
  const rate = t.state === 'active' ? ` ${formatBytes(t.rate)}/s` : '';
  const arrow = t.direction === 'down' ? '<-' : '->';
  const why =
    t.reason && t.state !== 'done'
      ? ` (${t.reason})`
      : t.sameAs !== undefined
        ? ` (same content as #${t.sameAs}: copied from it when it is done)`
        : t.state === 'done' && t.verified === false
          ? ' (unverified)'
          : '';
  return `#${t.id} ${t.direction} ${pct} ${size}${rate} ${t.state} ${t.name} ${arrow} ${t.peer} [${t.protocol}]${why}`;
}
