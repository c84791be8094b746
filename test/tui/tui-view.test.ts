/**
 * The real TUI on fake streams, read back through @xterm/headless: windows,
 * scrollback, resize, wide characters, mentions, the results, transfers and
 * peers views, and giving the terminal back on quit.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { strWidth } from '../../tui/text-width.js';
import { FakeApi } from './fake-api.js';
import { VirtualTerminal } from './virtual-terminal.js';

let vt: VirtualTerminal | undefined;
afterEach(async () => {
  await vt?.quit();
  vt = undefined;
});

async function setup(cols = 80, rows = 24, nick = 'alice', opts: { scrollback?: number } = {}): Promise<{ vt: VirtualTerminal; api: FakeApi }> {
  const api = new FakeApi(nick);
  vt = new VirtualTerminal(cols, rows);
  await vt.start(api, opts);
  await vi.waitFor(() => expect(vt?.line(0)).toContain('1:chat'));
  return { vt, api };
}

describe('windows', () => {
  it('switches with Alt+n, Ctrl-N/Ctrl-P and /win n, marking unread windows', async () => {
    const { vt, api } = await setup();
    expect(vt.line(0)).toMatch(/1:chat\s+2:Transfers\s+3:Log/);
    vt.type('\x1b3');
    await vi.waitFor(() => expect(vt.inputLine).toBe('[Log]'));
    api.chat('bob', 'are you there?');
    await vi.waitFor(() => expect(vt.line(0)).toContain('1:chat*'));
    api.chat('bob', 'alice: ping');
    await vi.waitFor(() => expect(vt.line(0)).toContain('1:chat!'));
    vt.type('\x0e'); // Ctrl-N wraps to window 1
    await vi.waitFor(() => expect(vt.inputLine).toBe('[chat]'));
    expect(vt.line(0)).not.toContain('1:chat!');
    vt.type('\x10'); // Ctrl-P back to Log
    await vi.waitFor(() => expect(vt.inputLine).toBe('[Log]'));
    vt.type('/win 2\r');
    await vi.waitFor(() => expect(vt.inputLine).toBe('[Transfers]'));
    vt.type('/win 9\r');
    await vi.waitFor(() => expect(vt.text()).toContain('no window 9'));
    vt.type('hello\r');
    await vi.waitFor(() => expect(vt.text()).toContain('nothing to send to in this window'));
    expect(api.calls).toHaveLength(0);
  });

  it('highlights and rings the bell when our nick is mentioned', async () => {
    const { vt, api } = await setup();
    let bells = 0;
    const write = vt.output.write.bind(vt.output);
    vt.output.write = ((chunk: unknown, ...rest: never[]) => {
      if (String(chunk).includes('\x07')) bells++;
      return write(chunk as string, ...rest);
    }) as typeof vt.output.write;
    api.chat('bob', 'nothing here');
    api.chat('bob', 'hey ALICE, look');
    await vi.waitFor(() => expect(vt.text()).toContain('<bob> hey ALICE, look'));
    await vi.waitFor(() => expect(bells).toBe(1));
    // The mention is drawn bold yellow (xterm colour 3 / 11).
    const y = vt.screen().findIndex((l) => l.includes('hey ALICE'));
    const x = vt.line(y).indexOf('hey ALICE');
    const cell = vt.term.buffer.active.getLine(y)?.getCell(x);
    expect(cell?.isBold()).toBeTruthy();
    expect(cell?.getFgColor()).toBe(3);
  });

  it('shows join, part, nick and action lines with HH:MM stamps and a stable nick colour', async () => {
    const { vt, api } = await setup();
    const base = { protocol: 'chat', id: 'x', origin: 'o', at: new Date(2026, 0, 1, 9, 5).getTime(), hops: 1, self: false } as const;
    api.emit({ type: 'chat.line', kind: 'join', nick: 'carol', text: '', ...base, id: 'j' });
    api.emit({ type: 'chat.line', kind: 'action', nick: 'carol', text: 'waves', ...base, id: 'a' });
    api.emit({ type: 'chat.line', kind: 'nick', nick: 'carol', text: 'caz', ...base, id: 'n' });
    api.emit({ type: 'chat.line', kind: 'part', nick: 'caz', text: 'bye', ...base, id: 'p' });
    await vi.waitFor(() => {
      const t = vt.text();
      expect(t).toContain('09:05 --> carol joined');
      expect(t).toContain('09:05  * carol waves');
      expect(t).toContain('09:05 -- carol is now known as caz');
      expect(t).toContain('09:05 <-- caz left (bye)');
    });
    const colours = vt.screen().flatMap((l, y) => {
      const x = l.indexOf('carol');
      return x < 0 ? [] : [vt.term.buffer.active.getLine(y)?.getCell(x)?.getFgColor()];
    });
    expect(new Set(colours).size).toBe(1);
  });

  it('strips escape sequences a peer sends', async () => {
    const { vt, api } = await setup();
    api.chat('mallory', 'evil\x1b[2J\x1b]0;pwned\x07 text');
    await vi.waitFor(() => expect(vt.text()).toContain('<mallory> evil[2J]0;pwned text'));
    expect(vt.line(0)).toContain('1:chat');
  });
});

describe('scrollback', () => {
  it('pages with PgUp/PgDn, does not yank a scrolled view, shows a more-below marker, End returns', async () => {
    const { vt, api } = await setup(60, 12);
    for (let i = 1; i <= 50; i++) api.chat('bob', `line ${i}`);
    await vi.waitFor(() => expect(vt.text()).toContain('<bob> line 50'));
    vt.type('\x1b[5~'); // PgUp
    await vi.waitFor(() => expect(vt.text()).toContain('more below'));
    expect(vt.text()).not.toContain('line 50');
    const before = vt.screen().slice(1, 8).join('\n');
    api.chat('bob', 'line 51');
    await vi.waitFor(() => expect(vt.text()).toMatch(/more below: \d+ lines/));
    expect(vt.screen().slice(1, 8).join('\n')).toBe(before);
    vt.type('\x1b[H'); // Home on an empty input line: oldest lines
    await vi.waitFor(() => expect(vt.line(1)).toContain('peerdeck: type /help'));
    vt.type('\x1b[6~'); // PgDn
    await vi.waitFor(() => expect(vt.line(1)).not.toContain('peerdeck: type /help'));
    vt.type('\x1b[F'); // End: back to the newest lines
    await vi.waitFor(() => expect(vt.text()).toContain('line 51'));
    expect(vt.text()).not.toContain('more below');
  });

  it('/clear empties the window', async () => {
    const { vt, api } = await setup(60, 12);
    api.chat('bob', 'soon gone');
    await vi.waitFor(() => expect(vt.text()).toContain('soon gone'));
    vt.type('/clear\r');
    await vi.waitFor(() => expect(vt.text()).not.toContain('soon gone'));
    expect(vt.text()).not.toContain('peerdeck: type /help');
  });

  it('scrolls long tables with PgUp/PgDn', async () => {
    const { vt, api } = await setup(80, 12);
    for (let n = 1; n <= 40; n++) api.emit({ type: 'search.hit', search: 's', n, name: `file-${n}.txt`, size: n, source: 'x:1', protocol: 'p' });
    vt.type('\x1b4');
    await vi.waitFor(() => expect(vt.line(3)).toContain('file-1.txt'));
    expect(vt.line(2)).toContain('search s · 40 hits');
    vt.type('\x1b[6~');
    await vi.waitFor(() => expect(vt.line(3)).not.toContain('file-1.txt'));
    expect(vt.line(1)).toContain('name');
    vt.type('\x1b[5~');
    await vi.waitFor(() => expect(vt.line(3)).toContain('file-1.txt'));
  });

  it('keeps at most `scrollback` lines per window', async () => {
    const { vt, api } = await setup(60, 12, 'alice', { scrollback: 20 });
    for (let i = 1; i <= 100; i++) api.chat('bob', `line ${i}`);
    await vi.waitFor(() => expect(vt.text()).toContain('line 100'));
    vt.type('\x1b[H');
    await vi.waitFor(() => expect(vt.line(1)).toContain('<bob> line 81'));
  });
});

describe('layout', () => {
  it('re-lays out everything on resize', async () => {
    const { vt, api } = await setup(80, 24);
    api.chat('bob', 'a fairly long line of chat text that will need wrapping when the terminal gets narrow');
    await vi.waitFor(() => expect(vt.text()).toContain('gets narrow'));
    vt.resize(40, 10);
    await vi.waitFor(() => {
      expect(vt.inputLine).toBe('[chat]');
      expect(vt.line(8)).toContain('[alice]');
      expect(vt.line(0)).toContain('1:chat');
    });
    const rows = vt.screen();
    expect(rows.every((r) => strWidth(r) <= 40)).toBe(true);
    expect(rows.join('\n')).toContain('narrow');
    vt.resize(100, 30);
    await vi.waitFor(() => expect(vt.line(28)).toContain('[alice]'));
    // At 100 columns the nick list takes the right side; the text wraps beside it.
    expect(vt.text()).toContain('a fairly long line of chat text that will need wrapping when the');
    expect(vt.line(1)).toMatch(/│ 2 nicks$/);
    expect(vt.line(2)).toMatch(/│ alice$/);
    expect(vt.line(3)).toMatch(/│ bob$/);
  });

  it('keeps columns aligned with CJK and emoji', async () => {
    const { vt, api } = await setup(40, 10);
    api.chat('bob', '日本語テキスト😀ok');
    await vi.waitFor(() => expect(vt.text()).toContain('日本語テキスト😀ok'));
    const y = vt.screen().findIndex((l) => l.includes('日本語'));
    const line = vt.term.buffer.active.getLine(y);
    const x = vt.line(y).indexOf('日');
    // Each wide character takes two cells; the ASCII after the emoji lands where widths say.
    const col = strWidth(vt.line(y).slice(0, x));
    expect(line?.getCell(col + 14)?.getChars()).toBe('😀');
    expect(line?.getCell(col + 16)?.getChars()).toBe('o');
    // The status bar on the next rows is intact (nothing shifted past the edge).
    expect(vt.line(8)).toMatch(/^ \[\d\d:\d\d\] \[alice\]/);
    // Typing wide characters: the cursor moves two columns each.
    vt.type('中文😀');
    await vi.waitFor(() => expect(vt.inputLine).toBe('[chat] 中文😀'));
    await vi.waitFor(() => expect(vt.cursor.x).toBe('[chat] '.length + 6));
    // Wrapping never splits a wide character across the edge.
    api.chat('bob', '字'.repeat(40));
    await vi.waitFor(() => expect(vt.text()).toContain('字字字'));
    for (const r of vt.screen()) expect(strWidth(r)).toBeLessThanOrEqual(40);
  });
});

describe('tables', () => {
  it('fills a sortable results window from search.hit events', async () => {
    const { vt, api } = await setup(90, 20);
    const hit = { type: 'search.hit', search: 's1', protocol: 'gnutella', source: '10.0.0.1:6346' } as const;
    api.emit({ ...hit, n: 1, name: 'small.mp3', size: 1024, speed: 56 });
    api.emit({ ...hit, n: 2, name: 'big.iso', size: 700 * 1024 * 1024, speed: 1000 });
    api.emit({ ...hit, n: 3, name: 'medium.ogg', size: 5 * 1024 * 1024 });
    api.emit({ type: 'search.done', search: 's1', protocol: 'chat', hits: 3, peers: 2 });
    await vi.waitFor(() => expect(vt.line(0)).toMatch(/1:chat\*?\s+2:Transfers\s+3:Log\s+4:Results\*/));
    await vi.waitFor(() => expect(vt.text()).toContain('search s1 done: 3 hits from 2 peers'));
    vt.type('\x1b4');
    await vi.waitFor(() => expect(vt.line(1)).toMatch(/#↑\s+name\s+size\s+source\s+speed\s+via/));
    expect(vt.line(2)).toContain('search s1 · 3 hits · done');
    expect(vt.line(3)).toMatch(/^\s+1 small\.mp3\s+1\.0 KiB 10\.0\.0\.1:6346\s+56 kb\/s gnutella/);
    vt.type('/sort size\r');
    await vi.waitFor(() => expect(vt.line(3)).toContain('big.iso'));
    expect(vt.line(3)).toContain('700 MiB');
    expect(vt.line(5)).toContain('small.mp3');
    vt.type('/sort name asc\r');
    await vi.waitFor(() => expect(vt.line(3)).toContain('big.iso'));
    expect(vt.line(4)).toContain('medium.ogg');
  });

  it('/peers lists live links as a table', async () => {
    const { vt, api } = await setup(100, 20);
    api.peers = [{ protocol: 'chat', address: '127.0.0.1:40000', direction: 'in', nick: 'bob', uptimeMs: 65_000, queuedBytes: 2048 }];
    vt.type('/peers\r');
    await vi.waitFor(() => {
      expect(vt.text()).toMatch(/address\s+protocol\s+dir\s+nick\s+uptime\s+queued/);
      expect(vt.text()).toMatch(/127\.0\.0\.1:40000\s+chat\s+in\s+bob\s+1m05s\s+2\.0 KiB/);
    });
  });
});

describe('terminal lifecycle', () => {
  it('restores the terminal and resolves on /quit', async () => {
    const { vt: v } = await setup();
    let out = '';
    const write = v.output.write.bind(v.output);
    v.output.write = ((chunk: unknown, ...rest: never[]) => {
      out += String(chunk);
      return write(chunk as string, ...rest);
    }) as typeof v.output.write;
    v.type('/quit\r');
    await v.done;
    expect(out).toContain('\x1b[?1049l'); // left the alternate screen
    expect(out).toContain('\x1b[?25h'); // cursor visible again
    expect(out).toContain('\x1b[?2004l'); // bracketed paste off
    v.term.dispose();
    vt = undefined;
  });

  it('/quit reason hands the reason to the core (the PART the other nodes see)', async () => {
    const { vt: v, api } = await setup();
    v.type('/quit gone fishing\r');
    await v.done;
    expect(api.calls).toContainEqual({ plugin: 'core', command: 'quit', args: ['gone fishing'] });
    v.term.dispose();
    vt = undefined;
  });

  it('quits on Ctrl-C and on SIGTERM', async () => {
    const first = await setup();
    first.vt.type('\x03');
    await first.vt.done;
    first.vt.term.dispose();
    const before = process.listenerCount('SIGTERM');
    const second = new VirtualTerminal(80, 24);
    vt = second;
    await second.start(new FakeApi());
    expect(process.listenerCount('SIGTERM')).toBeGreaterThan(before);
    process.emit('SIGTERM', 'SIGTERM');
    await second.done;
    expect(process.listenerCount('SIGTERM')).toBe(before);
    second.term.dispose();
    vt = undefined;
  });
});
