/**
 * The Near window (People Near Me) on the real TUI (blessed on fake streams, read back
 * through @xterm/headless): it appears with the first person near us, lists who is here
 * and goes live as people come and go, shows invitations with their numbers, and an open
 * invitation is also said in the chat window.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventOf } from '../../src/app-api.js';
import { NearModel, NEAR_PEOPLE_LIMIT } from '../../tui/near-model.js';
import { FakeApi } from './fake-api.js';
import { VirtualTerminal } from './virtual-terminal.js';

let vt: VirtualTerminal | undefined;
afterEach(async () => {
  await vt?.quit();
  vt = undefined;
});

const person = (nick: string, state: EventOf<'near.person'>['state'] = 'here', n = nick.length): EventOf<'near.person'> => ({
  type: 'near.person',
  protocol: 'chat',
  state,
  text: state === 'here' ? `near: ${nick} (${nick} upstairs) is near you` : state === 'left' ? `near: ${nick} left` : `near: ${nick} signed out`,
  node: `node-${nick}`,
  nick,
  friendly: `${nick} upstairs`,
  authority: `${String(n % 10).repeat(8)}${'a'.repeat(32)}`,
  address: `10.77.0.${n}`,
  protocols: ['chat', 'pplus2'],
});

const invitation = (n: number, state: EventOf<'near.invitation'>['state']): EventOf<'near.invitation'> => ({
  type: 'near.invitation',
  protocol: 'chat',
  text: state === 'open' ? `invitation ${n}: bob (bbbbbbbb, not a contact) invites you to pplus2 at 10.77.0.2:6400: films (/accept ${n} or /decline ${n})` : `invitation ${n} ${state}`,
  n,
  from: 'bbbbbbbb',
  nick: 'bob',
  authority: 'b'.repeat(40),
  contact: false,
  kind: 'pplus2',
  endpoint: '10.77.0.2:6400',
  message: 'films',
  state,
});

function body(v: VirtualTerminal): string {
  return v.screen().slice(1, v.term.rows - 2).join('\n');
}

describe('tui: the Near window', () => {
  it('appears with the first person near us; people come and go live; invitations show with their numbers', async () => {
    const api = new FakeApi('alice');
    vt = new VirtualTerminal(100, 22);
    await vt.start(api);
    await vi.waitFor(() => expect(vt!.line(0)).toContain('1:chat'));
    expect(vt.line(0)).not.toContain('Near');
    api.emit(person('bob'));
    api.emit(person('carol'));
    await vi.waitFor(() => expect(vt!.line(0)).toMatch(/\d:Near/));
    const tab = /(\d):Near/.exec(vt.line(0))![1]!;
    vt.type(`\x1b${tab}`);
    await vi.waitFor(() => expect(body(vt!)).toContain('People near you: 2 people'));
    const screen = body(vt);
    expect(screen).toMatch(/bob\s+bob upstairs\s+33333333\s+10\.77\.0\.3\s+\d+s\s+chat pplus2/);
    expect(screen).toContain('carol');
    expect(screen).toContain('Invitations: none');
    // carol signs out: her row goes, and the window says so.
    api.emit(person('carol', 'signed-out'));
    await vi.waitFor(() => expect(body(vt!)).toContain('People near you: 1 person'));
    expect(body(vt)).not.toMatch(/^carol /m);
    expect(body(vt)).toContain('near: carol signed out');
    // An invitation: numbered in the table, said in the chat window too.
    api.emit(invitation(1, 'open'));
    await vi.waitFor(() => expect(body(vt!)).toContain('Invitations: 1 open · /accept N or /decline N'));
    expect(body(vt)).toMatch(/1\s+open\s+bob bbbbbbbb\s+pplus2\s+10\.77\.0\.2:6400\s+films/);
    api.emit(invitation(1, 'accepted'));
    await vi.waitFor(() => expect(body(vt!)).toMatch(/1\s+accepted\s+bob/));
    expect(body(vt)).toContain('Invitations: 0 open');
    vt.type('\x1b1');
    await vi.waitFor(() => expect(body(vt!)).toContain(`(the Near window, Alt+${tab})`));
    expect(body(vt)).toContain('invitation 1: bob');
    expect(body(vt)).not.toContain('near: carol');
    // bob goes silent: gone from the list.
    vt.type(`\x1b${tab}`);
    api.emit(person('bob', 'left'));
    await vi.waitFor(() => expect(body(vt!)).toContain('People near you: nobody yet'));
  });

  it('keeps at most as many people as the node remembers, and ignores the departure of someone unknown', () => {
    const m = new NearModel();
    for (let i = 0; i < NEAR_PEOPLE_LIMIT + 10; i++) m.apply(person(`p${i}`), i);
    expect(m.people()).toHaveLength(NEAR_PEOPLE_LIMIT);
    expect(m.people().some((p) => p.nick === 'p0')).toBe(false);
    expect(m.apply(person('nobody', 'left'), 0)).toBe(false);
  });
});
