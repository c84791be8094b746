import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AppEvent } from '../../src/app-api.js';
import { formatEvent } from '../../src/event-text.js';
import { parseCommandLine } from '../../src/headless.js';

describe('headless text rendering', () => {
  it('renders each event kind as one readable line', () => {
    const at = Date.UTC(2026, 0, 1, 12, 34);
    const base = { protocol: 'chat', id: 'x', origin: 'o', at, hops: 1, self: false } as const;
    const cases: Array<[AppEvent, string]> = [
      [{ type: 'ready', ports: { chat: 6350, pplus2: 7000 } }, 'ready chat=6350 pplus2=7000'],
      [{ type: 'chat.line', kind: 'msg', nick: 'ann', text: 'hi', ...base }, '12:34 <ann> hi'],
      [{ type: 'chat.line', kind: 'action', nick: 'ann', text: 'waves', ...base }, '12:34 * ann waves'],
      [{ type: 'chat.line', kind: 'nick', nick: 'ann', text: 'anna', ...base }, '12:34 --- ann is now known as anna'],
      [{ type: 'chat.line', kind: 'part', nick: 'ann', text: 'quit', ...base }, '12:34 <-- ann left (quit)'],
      [{ type: 'chat.line', kind: 'join', nick: 'ann', text: '', ...base }, '12:34 --> ann joined'],
      // Our own JOIN, flooded with our first link, is ours (it read `--> ann joined` on ann's own node).
      [{ type: 'chat.line', kind: 'join', nick: 'ann', text: '', ...base, hops: 0, self: true }, '12:34 --> you joined the mesh as ann'],
      [{ type: 'peer.down', protocol: 'chat', address: '1.2.3.4:5', direction: 'out', reason: 'IDLE_TIMEOUT: idle' }, 'peer down chat 1.2.3.4:5 (out): the peer was silent for too long'],
      [{ type: 'peer.down', protocol: 'chat', address: '1.2.3.4:5', direction: 'in', reason: 'CLOSED: peer closed the connection' }, 'peer down chat 1.2.3.4:5 (in): the peer closed the connection'],
      [{ type: 'peer.down', protocol: 'chat', address: '1.2.3.4:5', direction: 'in', reason: 'CLOSED: shutting down' }, 'peer down chat 1.2.3.4:5 (in): shutting down'],
      [
        { type: 'error', protocol: 'chat', message: '127.0.0.1:7350: SOCKET: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:7350 (will keep trying)' },
        'error: the node at 127.0.0.1:7350 is not answering (connection refused); will keep trying',
      ],
      [{ type: 'error', message: 'usage: /get <N>' }, 'error: usage: /get <N>'],
      [{ type: 'search.hit', search: 's', n: 3, name: 'a.txt', size: -1, source: '1.2.3.4:7000', protocol: 'pplus2' }, '#3 a.txt (size unknown) from 1.2.3.4:7000 [pplus2]'],
      [{ type: 'search.hit', search: 's', n: 4, name: 'b.txt', size: 12, source: '1.2.3.4:7000', protocol: 'pplus2' }, '#4 b.txt (12 B) from 1.2.3.4:7000 [pplus2]'],
      // In the sizes the TUI's Results window shows (it said `(3000000 bytes)`).
      [{ type: 'search.hit', search: 's', n: 6, name: 'song.mp3', size: 3_000_000, source: '1.2.3.4:7000', protocol: 'pplus2' }, '#6 song.mp3 (2.9 MiB) from 1.2.3.4:7000 [pplus2]'],
      [{ type: 'search.hit', search: 's', n: 5, name: 'c.txt', size: 1, source: '1.2.3.4:7000', protocol: 'pplus2' }, '#5 c.txt (1 B) from 1.2.3.4:7000 [pplus2]'],
      [{ type: 'error', message: 'nope' }, 'error: nope'],
      [
        { type: 'transfer.queued', id: 3, name: 'song.mp3', direction: 'down', peer: '10.0.0.1:7000', protocol: 'pplus2', total: 3, position: 2 },
        'transfer 3 queued: song.mp3 from 10.0.0.1:7000 [pplus2], #2 in the queue',
      ],
      [{ type: 'share.ready', files: 3, bytes: 42 }, 'sharing 3 files (42 B)'],
      [{ type: 'share.ready', files: 1, bytes: 1 }, 'sharing 1 file (1 B)'],
      // In the size /shares and /rescan say (it was `(203000006 bytes)`).
      [{ type: 'share.ready', files: 3, bytes: 203_000_006 }, 'sharing 3 files (194 MiB)'],
      [{ type: 'share.hashed', files: 1, bytes: 1, hashed: 1, unhashed: 0, ms: 3 }, 'hashed the 1 file (1 new) in 3 ms'],
      [{ type: 'share.hashed', files: 3, bytes: 42, hashed: 1, unhashed: 0, ms: 250 }, 'hashed all 3 files (1 new) in 250 ms'],
      [{ type: 'share.hashed', files: 9, bytes: 42, hashed: 9, unhashed: 0, ms: 2140 }, 'hashed all 9 files (9 new) in 2.1 s'],
      [{ type: 'share.hashed', files: 9, bytes: 42, hashed: 9, unhashed: 0, ms: 185_000 }, 'hashed all 9 files (9 new) in 3m05s'],
      [
        { type: 'share.hashed', files: 3, bytes: 42, hashed: 2, unhashed: 1, ms: 9 },
        'hashed 2 of 3 files (2 new) in 9 ms; 1 could not be hashed, /rescan tries again',
      ],
    ];
    for (const [event, line] of cases) expect(formatEvent(event)).toBe(line);
  });

  it('counts in words: one hit, one peer (it said "1 hits from 1 peers")', () => {
    const done = (hits: number, peers: number): AppEvent => ({ type: 'search.done', search: 's1', protocol: 'pplus2', hits, peers });
    expect(formatEvent(done(1, 1))).toBe('search s1 done on pplus2: 1 hit from 1 peer');
    expect(formatEvent(done(0, 2))).toBe('search s1 done on pplus2: 0 hits from 2 peers');
    expect(formatEvent(done(3, 0))).toBe('search s1 done on pplus2: 3 hits from 0 peers');
    // With the command that links a P+2 peer (it named none; the TUI said chat's /connect).
    expect(formatEvent(done(0, 0))).toBe('search s1 done on pplus2: reached no peer (no pplus2 peer answered: /addpeer ip:p links one)');
  });

  it('says a node with no listening ports in words, not as "ready " and nothing after it', () => {
    expect(formatEvent({ type: 'ready', ports: {} })).toBe('ready (no listening ports)');
    expect(formatEvent({ type: 'search.started', search: 's2', query: 'x', protocols: [] })).toBe('search s2 started: "x" on no protocol');
  });

  it('shows transfer progress in sizes and a rate, as /downloads does, and with what is left', () => {
    const p = { type: 'transfer.progress', id: 3, name: 'song.mp3', peer: '10.0.0.1:7000' } as const;
    expect(formatEvent({ ...p, direction: 'down', bytes: 1258291, total: 2726298, rate: 327680, eta: 5 })).toBe(
      'transfer 3 receiving song.mp3 from 10.0.0.1:7000: 1.2 MiB of 2.6 MiB (46%) at 320 KiB/s, 5s left',
    );
    expect(formatEvent({ ...p, direction: 'down', bytes: 20 * 1024 * 1024, total: null, rate: 1024, eta: null })).toBe('transfer 3 receiving song.mp3 from 10.0.0.1:7000: 20 MiB so far at 1.0 KiB/s');
    // The first line of a resumed download has no rate yet: not "at 0 B/s".
    expect(formatEvent({ ...p, direction: 'down', bytes: 60 * 1024 * 1024, total: 191 * 1024 * 1024, rate: 0, eta: null })).toBe('transfer 3 receiving song.mp3 from 10.0.0.1:7000: 60 MiB of 191 MiB (31%)');
  });

  it('says who a running upload is for (it has no queued line), a nick through the rule for remote text', () => {
    const p = { type: 'transfer.progress', id: 3, name: 'song.mp3', direction: 'up' } as const;
    expect(formatEvent({ ...p, peer: '10.0.0.2', bytes: 65536, total: 65536, rate: 5461333, eta: 0 })).toBe('transfer 3 sending song.mp3 to 10.0.0.2: 64 KiB of 64 KiB (100%) at 5.2 MiB/s, 0s left');
    expect(formatEvent({ ...p, peer: 'bob\u202e\x1b[2J', bytes: 1024, total: 4096, rate: 0, eta: null })).toBe('transfer 3 sending song.mp3 to bob[2J: 1.0 KiB of 4.0 KiB (25%)');
  });

  it('tells an upload done from a download done: who got which file', () => {
    const d = { type: 'transfer.done', id: 1, name: 'big.bin', bytes: 3_000_000, sha1: 'ab'.repeat(20) } as const;
    expect(formatEvent({ ...d, direction: 'up', path: '/share/big.bin', verified: true, peer: '10.0.0.2' })).toBe('transfer 1 done: sent big.bin to 10.0.0.2 (2.9 MiB from /share/big.bin)');
    expect(formatEvent({ ...d, direction: 'down', path: '/dl/big.bin', verified: true, peer: '10.0.0.1:7000' })).toBe(
      `transfer 1 done: big.bin from 10.0.0.1:7000 saved as /dl/big.bin (2.9 MiB, sha1 ${'ab'.repeat(20)}, verified)`,
    );
    expect(formatEvent({ ...d, sha1: null, direction: 'down', path: '/dl/big.bin', verified: false, peer: '10.0.0.1:7000' })).toBe(
      'transfer 1 done: big.bin from 10.0.0.1:7000 saved as /dl/big.bin (2.9 MiB, unverified: size and SHA-1 not checked)',
    );
  });

  it('says which file a failed or cancelled transfer was, why in words, and that /retry is there', () => {
    const f = { type: 'transfer.failed', id: 4, name: 'a.bin' } as const;
    expect(formatEvent({ ...f, direction: 'down', state: 'failed', reason: 'SOCKET: ECONNRESET: read ECONNRESET' })).toBe(
      'transfer 4 failed: a.bin: the peer dropped the connection (connection reset); /retry 4 tries again',
    );
    // A reason that names /retry itself is not followed by a second hint.
    expect(formatEvent({ ...f, direction: 'down', state: 'failed', reason: 'INCOMPLETE: the source stopped after 1.2 MiB of 4.0 MiB (part kept for /retry)' })).toBe(
      'transfer 4 failed: a.bin: the source stopped after 1.2 MiB of 4.0 MiB (part kept for /retry)',
    );
    expect(formatEvent({ ...f, direction: 'up', state: 'failed', reason: 'CLOSED: peer closed the connection' })).toBe('transfer 4 failed: sending a.bin: the peer closed the connection');
    expect(formatEvent({ ...f, direction: 'down', state: 'cancelled', reason: 'CLOSED: cancelled' })).toBe('transfer 4 cancelled: a.bin');
    expect(formatEvent({ ...f, direction: 'down', state: 'cancelled', reason: 'CLOSED: shutting down' })).toBe('transfer 4 cancelled: a.bin (shutting down)');
  });

  it("drops a peer's bidi overrides, isolates and controls from every line (the TUI's rule), keeping right-to-left text", () => {
    const at = Date.UTC(2026, 0, 1, 12, 34);
    const line = (nick: string, text: string): AppEvent => ({ type: 'chat.line', kind: 'msg', nick, text, protocol: 'chat', id: 'x', origin: 'o', at, hops: 1, self: false });
    expect(formatEvent(line('bob', 'pay \u202eyrros\u202c now \u2066x\u2069 \u202ay\u202b'))).toBe('12:34 <bob> pay yrros now x y');
    expect(formatEvent(line('bob', 'a\u001b[2Jb\nforged line\tc'))).toBe('12:34 <bob> a[2Jbforged line c');
    expect(formatEvent(line('bo\u202eb', 'שלום \u200fעולם'))).toBe('12:34 <bob> שלום \u200fעולם');
    expect(formatEvent({ type: 'search.hit', search: 's', n: 1, name: 'evil\u202egpj.exe', size: 1, source: '1.2.3.4:7000', protocol: 'pplus2' })).toBe(
      '#1 evilgpj.exe (1 B) from 1.2.3.4:7000 [pplus2]',
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (nick, text) => {
        expect(formatEvent(line(nick, text))).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      }),
    );
  });

  it('splits command lines into a lower-cased command and words', () => {
    expect(parseCommandLine('/CONNECT  127.0.0.1:6350 ')).toEqual({ command: 'connect', args: ['127.0.0.1:6350'] });
    expect(parseCommandLine('/peers')).toEqual({ command: 'peers', args: [] });
    expect(parseCommandLine('/ quit now')).toEqual({ command: '', args: ['quit', 'now'] });
    expect(parseCommandLine('/')).toEqual({ command: '', args: [] });
  });
});
