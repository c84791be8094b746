/**
 * Human formatting of times, sizes, rates and ETAs for the TUI's lines and
 * tables. Pure; the local time zone comes from the Date object.
 */

/** Counts, sizes, rates and times left in words (src/words.ts): the TUI says them as headless mode and `/downloads` do. */
export { formatDuration, formatEta, formatRate, formatSize, plural } from '../src/words.js';

/** `HH:MM` in local time, the timestamp on every chat line. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** A progress bar of `width` cells: `[#####.....]` style with block characters. */
export function progressBar(fraction: number | null, width: number): string {
  const inner = Math.max(1, width - 2);
  if (fraction === null || !Number.isFinite(fraction)) return `[${'?'.repeat(inner)}]`.slice(0, Math.max(0, width));
  const f = Math.min(1, Math.max(0, fraction));
  const full = Math.round(f * inner);
  return `[${'█'.repeat(full)}${'·'.repeat(inner - full)}]`;
}
