import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../../src/app-api.js';
import { rowText, rowWidth } from '../../tui/styled-text.js';
import { ResultsModel } from '../../tui/results-model.js';
import { peersTable, resultsTable, sortHits, transfersTable } from '../../tui/tables.js';
import { TransfersModel } from '../../tui/transfers-model.js';

const hits: SearchHit[] = [
  { search: 's', n: 1, name: 'b.mp3', size: 300, source: 'z:1', protocol: 'gnutella', speed: 10 },
  { search: 's', n: 2, name: 'a 日本.mp3', size: 100, source: 'y:1', protocol: 'napster' },
  { search: 's', n: 3, name: 'c.mp3', size: 300, source: 'x:1', protocol: 'pplus2', speed: 99 },
];

describe('results table', () => {
  it('sorts by any column, ties by number', () => {
    expect(sortHits(hits, 'size', true).map((h) => h.n)).toEqual([1, 3, 2]);
    expect(sortHits(hits, 'name', false).map((h) => h.n)).toEqual([2, 1, 3]);
    const tracks = ['Track 10', 'track 2', 'Track 1'].map((name, i) => ({ ...hits[0]!, n: i + 1, name }));
    expect(sortHits(tracks, 'name', false).map((h) => h.name)).toEqual(['Track 1', 'track 2', 'Track 10']);
    expect(sortHits(hits, 'speed', true).map((h) => h.n)).toEqual([3, 1, 2]);
    expect(sortHits(hits, 'source', false).map((h) => h.n)).toEqual([3, 2, 1]);
  });
  it('every row is exactly the view width, wide names and search headings included', () => {
    const m = new ResultsModel();
    m.started({ type: 'search.started', search: 's', query: 'mp3 日本', protocols: ['gnutella'] });
    for (const h of hits) m.hit(h);
    const rows = m.rows('n', false);
    for (const cols of [40, 60, 80, 133]) {
      const table = resultsTable(rows, cols, 'n', false);
      expect(table).toHaveLength(5);
      for (const r of table) expect(rowWidth(r)).toBe(cols);
    }
    expect(rowText(resultsTable(rows, 80, 'size', true)[0] ?? [])).toContain('size↓');
    expect(rowText(resultsTable(rows, 80, 'n', false)[1] ?? [])).toContain('search s "mp3 日本" · gnutella · 3 hits · searching…');
    // Only the asked window of rows is formatted.
    expect(resultsTable(rows, 80, 'n', false, 2, 1).map(rowText).slice(1)).toEqual([expect.stringContaining('a 日本.mp3')]);
  });
  it('at 60 columns the name keeps 40% of the width; the source gives first', () => {
    const rows = new ResultsModel();
    rows.hit(hits[0]!);
    const header = rowText(resultsTable(rows.rows('n', false), 60, 'n', false)[0] ?? []);
    const nameWidth = header.indexOf('size') - header.indexOf('name');
    expect(nameWidth).toBeGreaterThanOrEqual(24);
    expect(header).toMatch(/source/);
  });
});

describe('transfers table', () => {
  it('shows progress, rate and ETA, and the reason of a failure', () => {
    const base = { peer: '10.0.0.1:6346', protocol: 'gnutella', position: undefined, startedAt: 0, endedAt: undefined, verified: undefined };
    const rows = transfersTable(
      [
        { ...base, id: 7, name: 'x.iso', direction: 'down', bytes: 250, total: 1000, rate: 2048, eta: 61, state: 'active', detail: '' },
        { ...base, id: 8, name: 'y', direction: 'up', bytes: 5, total: null, rate: 5, eta: null, state: 'failed', detail: 'reset', endedAt: 1000 },
      ],
      100,
    ).map(rowText);
    expect(rows[1]).toMatch(/^\s+7 ↓\s+x\.iso\s+10\.0\.0\.1:6346\s+\[███········\] 25%\s+1000 B\s+2\.0 KiB\/s\s+1m01s$/);
    expect(rows[2]).toMatch(/8 ↑\s+y\s+10\.0\.0\.1:6346\s+failed\s+\?\s+avg 5 B\/s\s+1s/);
    expect(rows[3]).toContain('reset');
    for (const cols of [40, 60, 100]) for (const r of transfersTable([], cols)) expect(rowWidth(r)).toBe(cols);
  });
});

describe('a download its source queued (Gnutella PARQ)', () => {
  it('reads queued, with what the source said on the line below', () => {
    const m = new TransfersModel();
    const note = m.apply({ type: 'transfer.queued', id: 3, name: 'song.mp3', direction: 'down', peer: '10.0.0.5:6346', protocol: 'gnutella', total: 100, position: 0, remote: { note: 'queued at gtk-gnutella/1.2.3 (10.0.0.5:6346), position 3 of 12', retryInS: 45 } }, 0);
    expect(note?.text).toBe('queued: song.mp3 at 10.0.0.5:6346: queued at gtk-gnutella/1.2.3 (10.0.0.5:6346), position 3 of 12, next try in 45 s');
    const rows = transfersTable([...m.rows.values()], 120).map(rowText);
    expect(rows[1]).toMatch(/3 ↓\s+song\.mp3\s+10\.0\.0\.5:6346\s+queued\s/);
    expect(rows[2]).toContain('queued at gtk-gnutella/1.2.3 (10.0.0.5:6346), position 3 of 12, next try in 45 s');
  });
});

describe('peers table', () => {
  it('lists links or says there are none', () => {
    // Worded as headless /peers words it (it said `(no peers connected)` here, `no live links` there).
    expect(rowText(peersTable([], 80)[1] ?? [])).toBe('no live links');
    const rows = peersTable([{ protocol: 'chat', address: '127.0.0.1:9', direction: 'out', uptimeMs: 3_000, queuedBytes: 0 }], 80).map(rowText);
    expect(rows[1]).toMatch(/^127\.0\.0\.1:9\s+chat\s+out\s+3s\s+0 B$/);
  });
});
