/**
 * Human formatting of times, sizes, rates and ETAs for the TUI's lines and
 * tables. Pure; the local time zone comes from the Date object.
 */

/** Counts, sizes, rates and times left in words (src/words.ts): the TUI says them as headless mode and `/downloads` do. */
export { formatEta, formatRate, formatSize, plural } from '../src/words.js';

/** `HH:MM` in local time, the timestamp on every chat line. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
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
