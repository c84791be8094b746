/** Who is here (src/presence.ts): the one rule for the TUI's nick list and `/names` in both UIs. */
import { describe, expect, it } from 'vitest';
import type { AppEvent, ChatLineKind, EventOf } from '../../src/app-api.js';
import { namesLine, Presence } from '../../src/presence.js';

const line = (nick: string, kind: ChatLineKind = 'msg', text = '', self = false): EventOf<'chat.line'> =>
  ({ type: 'chat.line', protocol: 'chat', kind, id: 'i', nick, text, origin: 'o', at: 0, hops: 1, self }) as Extract<AppEvent, { type: 'chat.line' }>;

describe('Presence', () => {
  it('takes speakers in, follows parts and nick changes, leaves ours out but lists it', () => {
    const p = new Presence();
    p.line(line('bob'), 'alice');
    p.line(line('carol', 'join'), 'alice');
    p.line(line('bob'), 'alice');
    p.line(line('alice', 'msg', 'hi', true), 'alice');
    expect(p.names('alice')).toEqual(['alice', 'bob', 'carol']);
    p.line(line('carol', 'nick', 'Caro'), 'alice');
    p.line(line('bob', 'part', 'bye'), 'alice');
    expect(p.names('alice')).toEqual(['alice', 'Caro']);
    // A speaker who left and speaks again is back (the last speaker is remembered only while present).
    p.line(line('bob'), 'alice');
    expect(p.names('alice')).toEqual(['alice', 'bob', 'Caro']);
    p.leave('127.0.0.1:4000'); // a plain peer's link closing: it spoke under its address
    p.arrive('127.0.0.1:4000', 'alice');
    p.leave('127.0.0.1:4000');
    expect(p.size).toBe(2);
    expect(namesLine('chat', p.names('alice'))).toBe('names in chat (3): alice bob Caro');
  });

  it('is bounded: the one seen longest ago goes first', () => {
    const p = new Presence((n) => n, 3);
    for (const n of ['a', 'b', 'c', 'd']) p.arrive(n, 'me');
    expect(p.names('me')).toEqual(['b', 'c', 'd', 'me']);
  });
});
