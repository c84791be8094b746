import { describe, expect, it } from 'vitest';
import { formatClock, formatDuration, formatEta, formatRate, formatSize, progressBar } from '../../tui/format.js';
import { NICK_PALETTE, fnv1a, nickColor } from '../../tui/nick-color.js';

describe('format', () => {
  it('formats sizes, rates, ETAs and durations', () => {
    expect([formatSize(0), formatSize(1023), formatSize(1536), formatSize(10 * 1024 * 1024), formatSize(-1)]).toEqual(['0 B', '1023 B', '1.5 KiB', '10 MiB', '?']);
    expect(formatRate(2048)).toBe('2.0 KiB/s');
    expect([formatEta(null), formatEta(42), formatEta(185), formatEta(7380), formatEta(1e7)]).toEqual(['--', '42s', '3m05s', '2h03m', '>99h']);
    expect([formatDuration(5_000), formatDuration(240_000), formatDuration(3 * 3600_000 + 12 * 60_000), formatDuration(2 * 86400_000 + 4 * 3600_000)]).toEqual(['5s', '4m00s', '3h12m', '2d04h']);
    // One formatter with headless /peers (the TUI said `4m` where headless said `4m05s`).
    expect(formatDuration(245_000)).toBe('4m05s');
  });
  it('stamps HH:MM in local time', () => {
    expect(formatClock(new Date(2026, 0, 2, 7, 4).getTime())).toBe('07:04');
  });
  it('draws progress bars of a fixed width', () => {
    expect(progressBar(0, 7)).toBe('[·····]');
    expect(progressBar(0.5, 12)).toBe('[█████·····]');
    expect(progressBar(2, 7)).toBe('[█████]');
    expect(progressBar(null, 7)).toBe('[?????]');
  });
});

describe('nickColor', () => {
  it('is stable and case-insensitive', () => {
    expect(nickColor('Alice')).toBe(nickColor('alice'));
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
  });
  it('spreads nicks over the palette', () => {
    const used = new Set(Array.from({ length: 200 }, (_, i) => nickColor(`user${i}`)));
    expect(used.size).toBe(NICK_PALETTE.length);
  });
});
