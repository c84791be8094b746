/**
 * The Transfers and Results windows on the real TUI (blessed on fake streams,
 * read back through @xterm/headless): queued downloads with their place in
 * the queue and host, unknown sizes, finished rows with average speed and
 * time, cancelled apart from failed, unverified downloads, clearing finished
 * rows; searches grouped under their query, closed, cleared, a search that
 * reached nobody, the name column at 60 columns; and the whole message
 * scrollback of a table window reachable (Ctrl-O) while PgUp still moves the table.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppEvent } from '../../src/app-api.js';
import { systemClock, type Clock } from '../../src/clock.js';
import { FakeApi } from './fake-api.js';
import { VirtualTerminal } from './virtual-terminal.js';

let vt: VirtualTerminal | undefined;
afterEach(async () => {
  await vt?.quit();
  vt = undefined;
});

/** Real timers, a `now` the test can move forward. */
class SteppedClock implements Clock {
  offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
  setTimeout(fn: () => void, ms: number): ReturnType<Clock['setTimeout']> {
    return systemClock.setTimeout(fn, ms);
  }
  setInterval(fn: () => void, ms: number): ReturnType<Clock['setInterval']> {
    return systemClock.setInterval(fn, ms);
  }
}

async function setup(cols = 100, rows = 20): Promise<{ vt: VirtualTerminal; api: FakeApi; clock: SteppedClock }> {
  const api = new FakeApi('alice');
  const clock = new SteppedClock();
  vt = new VirtualTerminal(cols, rows);
  await vt.start(api, { clock });
  await vi.waitFor(() => expect(vt?.line(0)).toContain('1:chat'));
  return { vt, api, clock };
}

function body(v: VirtualTerminal): string {
  return v.screen().slice(1, v.term.rows - 2).join('\n');
}

function rowOf(v: VirtualTerminal, needle: string): number {
  return v.screen().findIndex((l) => l.includes(needle));
}

const MiB = 1024 * 1024;

describe('Transfers window', () => {
  it('shows queued downloads with their place and host, unknown sizes as bytes and rate, finished rows with average speed and time', async () => {
    const { vt, api, clock } = await setup();
    const down = { direction: 'down', protocol: 'gnutella' } as const;
    api.emit({ type: 'transfer.queued', id: 1, name: 'song.mp3', ...down, peer: '10.0.0.5:6346', total: 4 * MiB, position: 1 });
    api.emit({ type: 'transfer.queued', id: 2, name: 'film.avi', ...down, peer: 'bob', total: null, position: 2 });
    vt.type('\x1b2');
    await vi.waitFor(() => expect(vt.text()).toMatch(/1 ↓\s+song\.mp3\s+10\.0\.0\.5:6346\s+queued #1\s+4\.0 MiB/));
    expect(vt.text()).toMatch(/2 ↓\s+film\.avi\s+bob\s+queued #2\s+\?/);
    expect(vt.line(1)).toMatch(/^\s+id\s+name\s+host\s+progress\s+size\s+rate\s+time/);

    api.emit({ type: 'transfer.progress', id: 1, name: 'song.mp3', direction: 'down', peer: '10.0.0.5:6346', bytes: 2 * MiB, total: 4 * MiB, rate: 512 * 1024, eta: 4 });
    api.emit({ type: 'transfer.progress', id: 2, name: 'film.avi', direction: 'down', peer: 'bob', bytes: 3 * MiB, total: null, rate: 100 * 1024, eta: null });
    await vi.waitFor(() => expect(vt.text()).toMatch(/song\.mp3\s+10\.0\.0\.5:6346\s+\[█{6}·{5}\]\s*50%\s+4\.0 MiB\s+512 KiB\/s\s+4s/));
    // Unknown size: what has arrived and how fast, not a bar of question marks.
    expect(vt.text()).toMatch(/film\.avi\s+bob\s+3\.0 MiB so far\s+\?\s+100 KiB\/s\s+--/);
    expect(vt.text()).not.toContain('???');

    clock.offset += 8_000; // the download took 8 s
    api.emit({ type: 'transfer.done', id: 1, name: 'song.mp3', direction: 'down', path: '/tmp/song.mp3', bytes: 4 * MiB, sha1: null, verified: true, peer: '10.0.0.5:6346' });
    api.emit({ type: 'transfer.done', id: 2, name: 'film.avi', direction: 'down', path: '/tmp/film.avi', bytes: 3 * MiB, sha1: null, verified: false, peer: 'bob' });
    // 8 s on the stepped clock plus the real time the test took to get here (under load, up to
    // a second): 4 MiB in 8-9 s is 455-512 KiB/s.
    await vi.waitFor(() => expect(vt.text()).toMatch(/song\.mp3\s+10\.0\.0\.5:6346\s+done\s+4\.0 MiB\s+avg \d+ KiB\/s\s+[89]s/));
    const avg = Number(/song\.mp3.*avg (\d+) KiB\/s/.exec(vt.text())?.[1]);
    expect(avg).toBeGreaterThanOrEqual(455);
    expect(avg).toBeLessThanOrEqual(512);
    expect(vt.text()).toMatch(/film\.avi\s+bob\s+done, unverified\s+3\.0 MiB\s+avg/);
    const y = rowOf(vt, 'done, unverified');
    expect(vt.term.buffer.active.getLine(y)?.getCell(vt.line(y).indexOf('unverified'))?.getFgColor()).toBe(3); // yellow
    expect(body(vt)).toContain('done: film.avi -> /tmp/film.avi (unverified');
  });

  it("shows a running upload's host before it is done (uploads have no queued event), through the rule for remote text", async () => {
    const { vt, api } = await setup();
    api.emit({ type: 'transfer.progress', id: 7, name: 'song.mp3', direction: 'up', peer: 'bob\u202e\x1b[31m', bytes: MiB, total: 4 * MiB, rate: 256 * 1024, eta: 12 });
    vt.type('\x1b2');
    await vi.waitFor(() => expect(vt.text()).toMatch(/7 ↑\s+song\.mp3\s+bob\[31m\s+\[█{3}·{8}\]\s*25%/));
    expect(vt.text()).not.toContain('\u202e');
  });

  it('a cancelled transfer is not a failure: no red, no error line', async () => {
    const { vt, api } = await setup();
    api.emit({ type: 'transfer.progress', id: 3, name: 'a.bin', direction: 'down', peer: '10.0.0.2:7000', bytes: 10, total: 100, rate: 1, eta: 90 });
    api.emit({ type: 'transfer.failed', id: 3, name: 'a.bin', direction: 'down', reason: 'CLOSED: cancelled', state: 'cancelled' });
    api.emit({ type: 'transfer.progress', id: 4, name: 'b.bin', direction: 'down', peer: '10.0.0.2:7000', bytes: 10, total: 100, rate: 1, eta: 90 });
    api.emit({ type: 'transfer.failed', id: 4, name: 'b.bin', direction: 'down', reason: 'peer reset the connection', state: 'failed' });
    vt.type('\x1b2');
    await vi.waitFor(() => expect(vt.text()).toMatch(/a\.bin\s+10\.0\.0\.2:7000\s+cancelled/));
    const cancelled = rowOf(vt, 'a.bin');
    const failed = rowOf(vt, 'b.bin');
    const fg = (y: number, needle: string): number | undefined => vt.term.buffer.active.getLine(y)?.getCell(vt.line(y).indexOf(needle))?.getFgColor();
    expect(fg(cancelled, 'cancelled')).not.toBe(1);
    expect(fg(failed, 'failed')).toBe(1);
    expect(body(vt)).toContain('-!- cancelled: a.bin');
    expect(body(vt)).not.toContain('!!! cancelled');
    expect(body(vt)).toContain('!!! failed: b.bin');
  });

  it('/clear in Transfers drops finished rows and keeps running ones', async () => {
    const { vt, api } = await setup();
    api.emit({ type: 'transfer.progress', id: 5, name: 'running.bin', direction: 'down', peer: '10.0.0.2:7000', bytes: 1, total: 10, rate: 1, eta: 9 });
    api.emit({ type: 'transfer.done', id: 6, name: 'finished.bin', direction: 'down', path: '/tmp/finished.bin', bytes: 10, sha1: null, verified: true, peer: 'x' });
    vt.type('\x1b2');
    await vi.waitFor(() => expect(vt.text()).toMatch(/finished\.bin\s+x\s+done/));
    vt.type('/clear\r');
    await vi.waitFor(() => expect(vt.text()).not.toMatch(/finished\.bin\s+x\s+done/));
    expect(vt.text()).toContain('running.bin');
    expect(body(vt)).toContain('cleared 1 finished transfer');
  });

  it('keeps the whole /downloads output reachable, and PgUp still scrolls the table', async () => {
    const { vt, api } = await setup(100, 20);
    api.handlers.set('files.downloads', () => Array.from({ length: 60 }, (_, i) => `#${i + 1} down 50% line-${i + 1}`));
    api.groups.push({ plugin: 'files', commands: [{ name: 'downloads', args: '', help: 'list transfers' }] });
    for (let id = 1; id <= 40; id++) api.emit({ type: 'transfer.progress', id, name: `file-${id}.bin`, direction: 'down', peer: '10.0.0.2:7000', bytes: 1, total: 10, rate: 1, eta: 9 });
    vt.type('\x1b2');
    await vi.waitFor(() => expect(vt.text()).toContain('file-1.bin'));
    vt.type('\x1b[6~'); // PgDn moves the table
    await vi.waitFor(() => expect(vt.text()).not.toContain('file-1.bin '));
    vt.type('\x1b[5~');
    await vi.waitFor(() => expect(vt.text()).toContain('file-1.bin'));
    vt.type('/downloads\r');
    // Long output turns the window to its messages, newest at the bottom.
    await vi.waitFor(() => expect(body(vt)).toContain('line-60'));
    expect(vt.line(1)).toContain('Transfers: messages');
    for (let i = 0; i < 6; i++) vt.type('\x1b[5~');
    await vi.waitFor(() => expect(body(vt)).toMatch(/line-1$/m));
    vt.type('\x0f'); // Ctrl-O: back to the table
    await vi.waitFor(() => expect(vt.text()).toContain('file-1.bin'));
    expect(body(vt)).toMatch(/messages · Ctrl-O: read them all/);
  });
});

describe('Results window', () => {
  const hit = (search: string, n: number, name: string): AppEvent => ({ type: 'search.hit', search, n, name, size: 1024 * n, source: '10.0.0.1:6346', protocol: 'gnutella' });

  it('groups hits under their search with the query shown; /close drops one, /clear all', async () => {
    const { vt, api } = await setup(100, 24);
    api.emit({ type: 'search.started', search: 's1', query: 'beatles', protocols: ['gnutella'] });
    api.emit(hit('s1', 1, 'help.mp3'));
    api.emit({ type: 'search.started', search: 's2', query: 'abba', protocols: ['gnutella'] });
    api.emit(hit('s2', 2, 'waterloo.mp3'));
    api.emit(hit('s1', 3, 'yesterday.mp3'));
    api.emit({ type: 'search.done', search: 's1', protocol: 'gnutella', hits: 2, peers: 3 });
    vt.type('\x1b4');
    await vi.waitFor(() => expect(vt.text()).toContain('waterloo.mp3'));
    const rows = vt.screen();
    const s1 = rows.findIndex((l) => l.includes('search s1 "beatles"'));
    const s2 = rows.findIndex((l) => l.includes('search s2 "abba"'));
    expect(rows[s1]).toContain('2 hits · done');
    expect(rows[s2]).toContain('searching…');
    expect(rowOf(vt, 'help.mp3')).toBe(s1 + 1);
    expect(rowOf(vt, 'yesterday.mp3')).toBe(s1 + 2);
    expect(rowOf(vt, 'waterloo.mp3')).toBe(s2 + 1);
    vt.type('/close s1\r');
    await vi.waitFor(() => expect(vt.text()).not.toContain('help.mp3'));
    expect(vt.text()).toContain('waterloo.mp3');
    api.emit(hit('s1', 9, 'late.mp3')); // a closed search stays closed
    vt.type('/clear\r');
    await vi.waitFor(() => expect(vt.text()).not.toContain('waterloo.mp3'));
    expect(vt.text()).toContain('no search results yet');
    expect(vt.text()).not.toContain('late.mp3');
  });

  it('says when a search reached no peer at all', async () => {
    const { vt, api } = await setup(100, 24);
    api.emit({ type: 'search.started', search: 's7', query: 'nothing', protocols: ['gnutella', 'pplus2'] });
    api.emit({ type: 'search.done', search: 's7', protocol: 'gnutella', hits: 0, peers: 0 });
    await new Promise((r) => setTimeout(r, 30));
    expect(body(vt)).not.toContain('reached no peer'); // P+2 has not answered yet
    api.emit({ type: 'search.done', search: 's7', protocol: 'pplus2', hits: 0, peers: 0 });
    // With each protocol's own command to link a peer (it said chat's `/connect host:port` for all).
    await vi.waitFor(() => expect(body(vt)).toContain('search s7 "nothing" reached no peer: no gnutella or pplus2 peer answered'));
    expect(body(vt).replace(/\n\s+/g, ' ')).toContain('(/gconnect host:port or /addpeer ip:p, or wait for links)');
    vt.type('\x1b4');
    await vi.waitFor(() => expect(vt.text()).toContain('search s7 "nothing" · gnutella, pplus2 · 0 hits · reached no peer'));
  });

  it('a P+2 search that reached no peer says to add one, not to wait for links (P+2 makes none)', async () => {
    const { vt, api } = await setup(100, 24);
    api.emit({ type: 'search.started', search: 's8', query: 'song', protocols: ['pplus2'] });
    api.emit({ type: 'search.done', search: 's8', protocol: 'pplus2', hits: 0, peers: 0 });
    await vi.waitFor(() => expect(body(vt)).toContain('search s8 "song" reached no peer: no pplus2 peer answered (/addpeer ip:p links one)'));
    expect(body(vt)).not.toContain('wait for links');
  });

  it('at 60 columns the name gets the width; the source column shrinks first', async () => {
    const { vt, api } = await setup(60, 12);
    api.emit({ type: 'search.hit', search: 's1', n: 1, name: 'a-rather-long-file-name.ogg', size: 5 * MiB, source: '192.168.100.200:6346', protocol: 'gnutella', speed: 300 });
    vt.type('\x1b4');
    await vi.waitFor(() => expect(vt.text()).toContain('a-rather-long-file'));
    const row = vt.screen().find((l) => l.includes('a-rather')) ?? '';
    const name = /a-rather[^ …]*…?/.exec(row)?.[0] ?? '';
    expect(name.length).toBeGreaterThanOrEqual(24);
    const header = vt.line(1);
    expect(header.indexOf('size') - header.indexOf('name')).toBeGreaterThan(header.indexOf('via') - header.indexOf('source'));
  });
});
