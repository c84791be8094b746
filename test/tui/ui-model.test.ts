import { describe, expect, it } from 'vitest';
import type { AppEvent } from '../../src/app-api.js';
import { rowText } from '../../tui/styled-text.js';
import { Activity, EXTRA_TABS_LIMIT, RESULTS_LIMIT, TRANSFERS_LIMIT, UiModel } from '../../tui/ui-model.js';
import type { Line } from '../../tui/line-format.js';

const AT = new Date(2026, 0, 1, 12, 30).getTime();
const model = (): UiModel => new UiModel('alice', ['chat', 'gnutella'], 100, () => AT);
const chat = (nick: string, text: string, extra: Partial<AppEvent> = {}): AppEvent =>
  ({ type: 'chat.line', protocol: 'chat', kind: 'msg', id: 'i', nick, text, origin: 'o', at: AT, hops: 1, self: false, ...extra }) as AppEvent;
const text = (l: Line | undefined): string => (l ? rowText([...l.spans]) : '');
const lines = (m: UiModel, id: string): string[] => {
  const t = m.tab(id);
  if (!t) return [];
  const out: string[] = [];
  for (let s = t.lines.firstSeq; s < t.lines.endSeq; s++) out.push(text(t.lines.get(s)));
  return out;
};

describe('UiModel', () => {
  it('has a window per plugin, then Transfers and Log', () => {
    expect(model().tabs.map((t) => t.title)).toEqual(['chat', 'gnutella', 'Transfers', 'Log']);
  });

  it("hosts a plugin named like a built-in window (the core's transfers) in that window", () => {
    const m = new UiModel('alice', ['transfers', 'chat'], 100, () => AT);
    expect(m.tabs.map((t) => `${t.title}:${t.plugin ?? '-'}`)).toEqual(['chat:chat', 'Transfers:transfers', 'Log:-']);
    expect(m.activeTab.title).toBe('chat');
    m.apply({ type: 'notice', protocol: 'transfers', text: 'rescanning' });
    expect(lines(m, 'transfers')).toEqual(['12:30 -!- rescanning']);
    // The files service has no window: its lines go to the one being looked at (they opened a `files` window).
    m.apply({ type: 'notice', protocol: 'files', text: '/get 1: reading /dl/film.mkv (2.1 GiB) for its SHA-1' });
    expect(m.tabs.map((t) => t.title)).toEqual(['chat', 'Transfers', 'Log']);
    expect(lines(m, 'chat')).toEqual(['12:30 -!- /get 1: reading /dl/film.mkv (2.1 GiB) for its SHA-1']);
    // Lines naming no plugin (or the core) go to the window being looked at.
    m.setActive(1);
    m.apply({ type: 'error', message: 'no such file' });
    expect(lines(m, 'transfers')).toContain('12:30 !!! no such file');
  });

  it('says in the Log window what was shared, then when it was all hashed, in the words of headless mode', () => {
    const m = model();
    m.apply({ type: 'share.ready', files: 3, bytes: 42 });
    m.apply({ type: 'share.hashed', files: 3, bytes: 42, hashed: 3, unhashed: 0, ms: 1250 });
    m.apply({ type: 'share.hashed', files: 4, bytes: 50, hashed: 1, unhashed: 1, ms: 40 });
    expect(lines(m, 'log').slice(-3)).toEqual([
      '12:30 -!- sharing 3 files (42 B)',
      '12:30 -!- hashed all 3 files (3 new) in 1.3 s',
      '12:30 -!- hashed 3 of 4 files (1 new) in 40 ms; 1 could not be hashed, /rescan tries again',
    ]);
  });

  it('says nothing of hashing when nothing is shared (a chat-only node)', () => {
    const m = model();
    m.apply({ type: 'share.ready', files: 0, bytes: 0, folders: 0 });
    m.apply({ type: 'share.hashed', files: 0, bytes: 0, hashed: 0, unhashed: 0, ms: 0 });
    // Nothing shared is said as such, with how to share (it said `sharing 0 files (0 B)`).
    expect(lines(m, 'log').slice(-1)).toEqual(['12:30 -!- no folder is shared (start peerdeck with --share DIR)']);
    // A shared folder that is empty is not "nothing shared".
    m.apply({ type: 'share.ready', files: 0, bytes: 0, folders: 1 });
    expect(lines(m, 'log').slice(-1)).toEqual(['12:30 -!- sharing 0 files (0 B)']);
  });

  it('says our own join as ours, another node\'s with its nick', () => {
    const m = model();
    m.apply(chat('alice', '', { kind: 'join', self: true, hops: 0 }));
    m.apply(chat('bob', '', { kind: 'join' }));
    // It read `--> alice joined` on alice's own screen, when her first link came up.
    expect(lines(m, 'chat')).toEqual(['12:30 --> you joined the mesh as alice', '12:30 --> bob joined']);
  });

  it('puts chat lines in their protocol window and remembers nicks for completion', () => {
    const m = model();
    m.apply(chat('bob', 'hi'));
    m.apply(chat('carol', 'yo'));
    m.apply(chat('bob', 'again'));
    expect(lines(m, 'chat')).toEqual(['12:30 <bob> hi', '12:30 <carol> yo', '12:30 <bob> again']);
    expect(m.tab('chat')?.nicks).toEqual(['bob', 'carol']);
    expect(m.tab('chat')?.lines.get(0)?.indent).toBe('12:30 <bob> '.length);
  });

  it('marks unread windows: events < messages < mentions, cleared when shown', () => {
    const m = model();
    m.apply({ type: 'peer.up', protocol: 'gnutella', address: '127.0.0.1:1', direction: 'out' });
    expect(m.tab('gnutella')?.unread).toBe(Activity.Event);
    m.apply(chat('bob', 'hello', { protocol: 'gnutella' }));
    expect(m.tab('gnutella')?.unread).toBe(Activity.Message);
    const r = m.apply(chat('bob', 'Alice?', { protocol: 'gnutella' }));
    expect(r.bell).toBe(true);
    expect(m.tab('gnutella')?.unread).toBe(Activity.Mention);
    m.apply(chat('bob', 'later', { protocol: 'gnutella' }));
    expect(m.tab('gnutella')?.unread).toBe(Activity.Mention);
    m.setActive(1);
    expect(m.tab('gnutella')?.unread).toBe(Activity.None);
    // The shown window never gets a marker; our own lines never ring.
    expect(m.apply(chat('alice', 'alice here', { protocol: 'gnutella', self: true })).bell).toBe(false);
    expect(m.tab('gnutella')?.unread).toBe(Activity.None);
  });

  it('does not take a nick inside another word as a mention', () => {
    const m = model();
    expect(m.apply(chat('bob', 'malice aforethought')).bell).toBe(false);
    expect(m.apply(chat('bob', '@alice: hi')).bell).toBe(true);
  });

  it('routes notices, errors, peers and logs', () => {
    const m = model();
    m.apply({ type: 'notice', protocol: 'gnutella', text: 'connected' });
    m.apply({ type: 'error', protocol: 'chat', message: 'boom' });
    m.apply({ type: 'peer.down', protocol: 'chat', address: '1.2.3.4:5', direction: 'in', reason: 'idle' });
    m.apply({ type: 'log', level: 'warn', scope: 'net', message: 'slow peer' });
    m.apply({ type: 'nick', nick: 'al' });
    expect(lines(m, 'gnutella')).toEqual(['12:30 -!- connected']);
    expect(lines(m, 'chat')).toEqual(['12:30 !!! boom', '12:30 -!- link down: the node at 1.2.3.4:5 (incoming): idle']);
    expect(lines(m, 'log')).toEqual(['12:30 WARN  [net] slow peer', '12:30 -!- you are now known as al']);
    expect(m.nick).toBe('al');
  });

  it('creates a window for a protocol that appears later, up to a cap', () => {
    const m = model();
    for (let i = 0; i < EXTRA_TABS_LIMIT + 5; i++) m.apply({ type: 'notice', protocol: `p${i}`, text: 'x' });
    expect(m.tabs).toHaveLength(4 + EXTRA_TABS_LIMIT);
    expect(m.tabs.map((t) => t.title).slice(0, 4)).toEqual(['chat', 'gnutella', 'Transfers', 'Log']); // numbers never shift
    expect(lines(m, 'log')).toHaveLength(5);
  });

  it('collects search hits (bounded) into a Results window after the existing ones', () => {
    const m = model();
    for (let n = 1; n <= RESULTS_LIMIT + 3; n++) m.apply({ type: 'search.hit', search: 's', n, name: `f${n}`, size: n, source: 'x', protocol: 'gnutella' });
    expect(m.tabs.map((t) => t.title)).toEqual(['chat', 'gnutella', 'Transfers', 'Log', 'Results']);
    expect(m.results).toHaveLength(RESULTS_LIMIT);
    expect(m.results[0]?.n).toBe(4);
    expect(m.tab('results')?.unread).toBe(Activity.Message);
  });

  it('tracks transfers (bounded, finished ones evicted first) and sums rates', () => {
    const m = model();
    m.apply({ type: 'transfer.progress', id: 1, name: 'a', direction: 'down', peer: '10.0.0.2:7000', bytes: 1, total: 10, rate: 100, eta: 9 });
    m.apply({ type: 'transfer.progress', id: 2, name: 'b', direction: 'up', peer: '10.0.0.2:7000', bytes: 1, total: 10, rate: 50, eta: 9 });
    expect(m.rates()).toEqual({ down: 100, up: 50 });
    m.apply({ type: 'transfer.done', id: 1, name: 'a', direction: 'down', path: '/x/a', bytes: 10, sha1: null, verified: true, peer: '127.0.0.1:1' });
    expect(m.rates()).toEqual({ down: 0, up: 50 });
    expect(m.transfers.get(1)?.state).toBe('done');
    for (let id = 3; id < TRANSFERS_LIMIT + 2; id++) m.apply({ type: 'transfer.progress', id, name: 'x', direction: 'down', peer: 'p', bytes: 0, total: null, rate: 0, eta: null });
    expect(m.transfers.size).toBe(TRANSFERS_LIMIT);
    expect(m.transfers.has(1)).toBe(false);
    expect(m.transfers.has(2)).toBe(true);
  });

  it('says who got which file when an upload is done, unlike a download', () => {
    const m = model();
    m.apply({ type: 'transfer.progress', id: 1, name: 'song.mp3', direction: 'up', peer: '10.0.0.2:7000', bytes: 1, total: 10, rate: 50, eta: 9 });
    m.apply({ type: 'transfer.done', id: 1, name: 'song.mp3', direction: 'up', path: '/share/song.mp3', bytes: 10, sha1: null, verified: true, peer: '10.0.0.2' });
    m.apply({ type: 'transfer.done', id: 2, name: 'film.avi', direction: 'down', path: '/dl/film.avi', bytes: 10, sha1: null, verified: true, peer: '10.0.0.3:7000' });
    expect(lines(m, 'transfers')).toEqual(['12:30 -!- sent: song.mp3 to 10.0.0.2 (/share/song.mp3)', '12:30 -!- done: film.avi -> /dl/film.avi']);
  });

  it('a plain peer (nc) whose link closes leaves the nick list: it sends no part line', () => {
    const m = model();
    m.apply({ type: 'peer.up', protocol: 'chat', address: '127.0.0.1:5555', direction: 'in' });
    m.apply(chat('127.0.0.1:5555', 'hi from nc'));
    m.apply(chat('bob', 'hi'));
    const tab = m.tab('chat')!;
    expect(m.names(tab)).toEqual(['127.0.0.1:5555', 'alice', 'bob']);
    m.apply({ type: 'peer.down', protocol: 'chat', address: '127.0.0.1:5555', direction: 'in', reason: 'CLOSED: peer closed the connection' });
    expect(m.names(tab)).toEqual(['alice', 'bob']);
  });
});
