/**
 * Human formatting of times, sizes, rates and ETAs for the TUI's lines and
 * tables. Pure; the local time zone comes from the Date object.
 */

/** Counts in words (src/words.ts): the TUI says them as headless mode does. */
export { plural } from '../src/words.js';

/** `HH:MM` in local time, the timestamp on every chat line. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** Binary units, named as such (IEC): a MiB is 1024 KiB, as the numbers are computed. */
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** 1536 -> `1.5 KiB` (binary multiples, one decimal under 10). */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${Math.round(v)} B`;
  return `${v < 10 ? v.toFixed(1) : Math.round(v).toString()} ${UNITS[u] ?? '?'}`;
}

/** A transfer rate, `64 KiB/s`. */
export function formatRate(bytesPerSec: number): string {
  return `${formatSize(bytesPerSec)}/s`;
}

/** Seconds left as `42s`, `3m05s`, `2h03m`; `--` when unknown. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(s / 3600);
  if (h >= 100) return '>99h';
  return `${h}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Uptime as `5s`, `4m`, `3h12m`, `2d04h`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${String(Math.floor((s % 86400) / 3600)).padStart(2, '0')}h`;
}

/** A progress bar of `width` cells: `[#####.....]` style with block characters. */
export function progressBar(fraction: number | null, width: number): string {
  const inner = Math.max(1, width - 2);
  if (fraction === null || !Number.isFinite(fraction)) return `[${'?'.repeat(inner)}]`.slice(0, Math.max(0, width));
  const f = Math.min(1, Math.max(0, fraction));
  const full = Math.round(f * inner);
  return `[${'█'.repeat(full)}${'·'.repeat(inner - full)}]`;
}
