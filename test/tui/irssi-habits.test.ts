/**
 * irssi and weechat habits on the real TUI (blessed on fake streams, read back
 * through @xterm/headless): window numbers that never shift, /window and a
 * bare /win, a mentioned tab that does not look active, one line per event,
 * and plurals.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppEvent } from '../../src/app-api.js';
import { FakeApi } from './fake-api.js';
import { VirtualTerminal } from './virtual-terminal.js';

let vt: VirtualTerminal | undefined;
afterEach(async () => {
  await vt?.quit();
  vt = undefined;
});

async function setup(opts: { earlier?: AppEvent[]; cols?: number } = {}): Promise<{ vt: VirtualTerminal; api: FakeApi }> {
  const api = new FakeApi('alice');
  vt = new VirtualTerminal(opts.cols ?? 80, 24);
  await vt.start(api, opts.earlier ? { earlier: opts.earlier } : {});
  await vi.waitFor(() => expect(vt?.line(0)).toContain('1:chat'));
  return { vt, api };
}

function body(v: VirtualTerminal): string {
  return v.screen().slice(1, v.term.rows - 2).join('\n');
}

describe('windows keep their numbers', () => {
  it('Results appearing does not shift Transfers and Log; /window is /win; /win alone lists', async () => {
    const { vt, api } = await setup();
    expect(vt.line(0)).toMatch(/1:chat\s+2:Transfers\s+3:Log/);
    api.emit({ type: 'search.hit', search: 's1', n: 1, name: 'a.txt', size: 1, source: 'x:1', protocol: 'chat' });
    await vi.waitFor(() => expect(vt.line(0)).toMatch(/1:chat\s+2:Transfers\s+3:Log\s+4:Results/));
    vt.type('/window 3\r');
    await vi.waitFor(() => expect(vt.inputLine).toBe('[Log]'));
    vt.type('\x1b2');
    await vi.waitFor(() => expect(vt.inputLine).toBe('[Transfers]'));
    vt.type('/win\r');
    await vi.waitFor(() => expect(body(vt)).toContain('windows: 1:chat  2:Transfers  3:Log  4:Results'));
    vt.type('/win log\r');
    await vi.waitFor(() => expect(vt.inputLine).toBe('[Log]'));
  });
});

describe('window bar', () => {
  it('a mentioned window is not drawn like the active one', async () => {
    const { vt, api } = await setup();
    vt.type('\x1b3');
    await vi.waitFor(() => expect(vt.inputLine).toBe('[Log]'));
    api.chat('bob', 'alice: look');
    await vi.waitFor(() => expect(vt.line(0)).toContain('1:chat!'));
    const bar = vt.term.buffer.active.getLine(0);
    const mentioned = bar?.getCell(vt.line(0).indexOf('1:chat!'));
    const active = bar?.getCell(vt.line(0).indexOf('3:Log'));
    expect(mentioned?.getBgColor()).not.toBe(active?.getBgColor());
    expect(mentioned?.isInverse()).toBe(active?.isInverse());
  });
});

describe('one line per event', () => {
  it('a clean quit shows `<-- bob left` in the chat window and the link closing only in Log', async () => {
    const { vt, api } = await setup();
    api.emit({ type: 'peer.up', protocol: 'chat', address: '127.0.0.1:7403', direction: 'out', nick: 'bob' });
    api.emit({ type: 'chat.line', protocol: 'chat', kind: 'part', id: 'p1', nick: 'bob', text: 'quit', origin: 'n', at: Date.now(), hops: 1, self: false });
    api.emit({ type: 'peer.down', protocol: 'chat', address: '127.0.0.1:7403', direction: 'out', reason: 'CLOSED: closed by peer' });
    await vi.waitFor(() => expect(body(vt)).toContain('<-- bob left (quit)'));
    await new Promise((r) => setTimeout(r, 50));
    expect(body(vt)).not.toContain('peer down');
    vt.type('\x1b3');
    await vi.waitFor(() => expect(body(vt)).toContain('127.0.0.1:7403'));
  });

  it('a link lost without a part still shows in the chat window', async () => {
    const { vt, api } = await setup();
    api.emit({ type: 'peer.up', protocol: 'chat', address: '127.0.0.1:7404', direction: 'out', nick: 'carol' });
    api.emit({ type: 'peer.down', protocol: 'chat', address: '127.0.0.1:7404', direction: 'out', reason: 'TIMEOUT: idle' });
    await vi.waitFor(() => expect(body(vt)).toMatch(/carol|7404/));
    await vi.waitFor(() => expect(body(vt).split('\n').filter((l) => l.includes('7404') || l.includes('carol')).length).toBe(2));
  });

  it('start-up says where it listens once', async () => {
    const { vt } = await setup({ earlier: [{ type: 'ready', ports: { chat: 6350 } }] });
    vt.type('\x1b3');
    await vi.waitFor(() => expect(body(vt)).toContain('listening on chat 6350'));
    expect(body(vt).match(/listening/g)).toHaveLength(1);
  });
});

describe('errors in words', () => {
  it("names the node by its nick: bob's node is not answering (connection refused)", async () => {
    const { vt, api } = await setup({ cols: 99 });
    api.emit({ type: 'peer.up', protocol: 'chat', address: '127.0.0.1:7403', direction: 'out', nick: 'bob' });
    api.emit({ type: 'peer.down', protocol: 'chat', address: '127.0.0.1:7403', direction: 'out', reason: 'SOCKET: ECONNRESET: read ECONNRESET' });
    // The chat plugin's own wording of a failed redial, exactly as it emits it.
    api.emit({ type: 'error', protocol: 'chat', message: '127.0.0.1:7403: SOCKET: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:7403 (will keep trying)' });
    const unwrapped = (): string => body(vt).replace(/\s*\n\s+/g, ' ');
    await vi.waitFor(() => expect(unwrapped()).toContain("bob's node (127.0.0.1:7403) is not answering (connection refused); will keep trying"));
    expect(unwrapped()).toContain("link down: bob's node (127.0.0.1:7403, outgoing) dropped the connection (connection reset)");
    expect(body(vt)).not.toMatch(/ECONN|SOCKET/);
  });
});

describe('plurals', () => {
  it('says 1 peer, 2 peers, 1 hit', async () => {
    const { vt, api } = await setup({ cols: 100 });
    api.peers = [{ protocol: 'chat', address: '127.0.0.1:1', direction: 'in', uptimeMs: 1, queuedBytes: 0 }];
    api.emit({ type: 'peer.up', protocol: 'chat', address: '127.0.0.1:1', direction: 'in' });
    await vi.waitFor(() => expect(vt.line(vt.term.rows - 2)).toContain('[chat :6350 1 peer]'));
    api.peers = [...api.peers, { protocol: 'chat', address: '127.0.0.1:2', direction: 'in', uptimeMs: 1, queuedBytes: 0 }];
    api.emit({ type: 'peer.up', protocol: 'chat', address: '127.0.0.1:2', direction: 'in' });
    await vi.waitFor(() => expect(vt.line(vt.term.rows - 2)).toContain('[chat :6350 2 peers]'));
    api.emit({ type: 'search.done', search: 's1', protocol: 'chat', hits: 1, peers: 1 });
    await vi.waitFor(() => expect(body(vt)).toMatch(/\b1 hit\b/));
  });
});

describe('nick list and input habits', () => {
  const join = (nick: string, id: string): AppEvent => ({ type: 'chat.line', protocol: 'chat', kind: 'join', id, nick, text: '', origin: nick, at: Date.now(), hops: 1, self: false });

  it('/names lists who is here; a wide terminal shows a nick list beside the chat', async () => {
    const { vt, api } = await setup({ cols: 110 });
    api.emit(join('carol', 'j1'));
    api.emit({ type: 'peer.up', protocol: 'chat', address: '127.0.0.1:7403', direction: 'out', nick: 'bob' });
    api.chat('dave', 'hello');
    api.emit({ type: 'chat.line', protocol: 'chat', kind: 'part', id: 'p', nick: 'dave', text: '', origin: 'd', at: Date.now(), hops: 1, self: false });
    vt.type('/names\r');
    await vi.waitFor(() => expect(body(vt)).toContain('names in chat (3): alice bob carol'));
    const right = vt.screen().slice(1, 6).map((l) => l.slice(93));
    expect(right).toEqual(['│ 3 nicks', '│ alice', '│ bob', '│ carol', '│']);
    vt.resize(80, 24); // too narrow: the text gets the whole width back
    await vi.waitFor(() => expect(vt.screen().some((l) => l.includes('│ alice'))).toBe(false));
  });

  it('Ctrl-Y yanks and Ctrl-T transposes in the terminal', async () => {
    const { vt } = await setup();
    vt.type('hello world');
    await vi.waitFor(() => expect(vt.inputLine).toBe('[chat] hello world'));
    vt.type('\x17'); // Ctrl-W
    await vi.waitFor(() => expect(vt.inputLine).toBe('[chat] hello'));
    vt.type('\x01\x19'); // Ctrl-A, Ctrl-Y
    await vi.waitFor(() => expect(vt.inputLine).toBe('[chat] worldhello'));
    vt.type('\x05\x14'); // Ctrl-E, Ctrl-T
    // At the end of the line the last two characters swap, as in bash.
    await vi.waitFor(() => expect(vt.inputLine).toBe('[chat] worldhell o'));
  });

  it('a line arriving with its Enter in one read is typed: sent once and kept in history', async () => {
    const { vt, api } = await setup();
    vt.type('quick line\r');
    await vi.waitFor(() => expect(api.calls).toEqual([{ plugin: 'chat', command: 'say', args: ['quick line'] }]));
    vt.type('\x1b[A'); // Up brings it back
    await vi.waitFor(() => expect(vt.inputLine).toBe('[chat] quick line'));
  });

  it('/help completes command names; /get N<Tab> offers `again` as the second argument, then nothing', async () => {
    const { vt, api } = await setup();
    vt.type('/help con\t');
    await vi.waitFor(() => expect(vt.inputLine).toBe('[chat] /help connect'));
    vt.type('\x15'); // Ctrl-U
    api.emit({ type: 'search.hit', search: 's1', n: 12, name: 'a', size: 1, source: 'x:1', protocol: 'chat' });
    vt.type('/get 1\t');
    await vi.waitFor(() => expect(vt.inputLine).toBe('[chat] /get 12'));
    vt.type('\t');
    await vi.waitFor(() => expect(vt.inputLine).toBe('[chat] /get 12 again'));
    vt.type('\t');
    await new Promise((r) => setTimeout(r, 50));
    expect(vt.inputLine).toBe('[chat] /get 12 again');
  });

  it('/peers beside the nick list fits the chat column: each link on one row', async () => {
    const { vt, api } = await setup({ cols: 120 });
    api.emit(join('carol', 'j1'));
    api.peers = [{ protocol: 'chat', address: '127.0.0.1:7403', direction: 'out', nick: 'bob', uptimeMs: 6_000, queuedBytes: 0 }];
    vt.type('/peers\r');
    await vi.waitFor(() => expect(body(vt)).toContain('127.0.0.1:7403'));
    const rows = vt.screen().filter((l) => l.includes('127.0.0.1:7403') || l.includes('address'));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/address\s+protocol\s+dir\s+nick\s+uptime\s+queued\s+│/);
    expect(rows[1]).toMatch(/127\.0\.0\.1:7403\s+chat\s+out\s+bob\s+6s\s+0 B\s+│/);
  });
});
