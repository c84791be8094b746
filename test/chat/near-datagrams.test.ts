/**
 * People Near Me reads datagrams anyone on the LAN can send (README "People Near Me"): any
 * bytes give no throw, and the people and invitations it keeps stay within their caps
 * however many arrive. The datagrams a real node sends are made by a second NearMe.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Contacts } from '../../protocols/chat/contacts.js';
import { ephemeralIdentity } from '../../protocols/chat/identity.js';
import { INVITE_BURST, INVITES_PER_SEC, MAX_INVITATIONS, NEAR_TELL_BURST, NEAR_TELLS_PER_SEC, MAX_NEAR_DATAGRAM, MAX_PEOPLE, NearMe, NEAR_TAG, INVITE_TAG, REPLY_TAG, type NearMeOptions } from '../../protocols/chat/near-me.js';
import { ManualClock } from '../../src/clock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerdeck-near-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A NearMe whose datagrams, notices and events are recorded. */
function near(node: string, nick: string, extra: Partial<NearMeOptions> = {}): { me: NearMe; sent: string[]; notices: string[]; events: unknown[]; clock: ManualClock } {
  const sent: string[] = [];
  const notices: string[] = [];
  const events: unknown[] = [];
  const clock = new ManualClock(1_000_000);
  const me = new NearMe({
    identity: ephemeralIdentity(),
    contacts: new Contacts(dir),
    clock,
    node,
    nick: () => nick,
    friendly: `${nick} upstairs`,
    protocols: () => ['chat'],
    endpoints: () => ['chat@127.0.0.1:6350'],
    acceptFrom: 'anyone',
    expireMs: 15_000,
    send: (d) => sent.push(d),
    notice: (t) => notices.push(t),
    event: (e) => events.push(e),
    run: () => Promise.resolve([]),
    ...extra,
  });
  return { me, sent, notices, events, clock };
}

const word = fc.oneof(fc.constantFrom(NEAR_TAG, INVITE_TAG, REPLY_TAG, 'in', 'out', 'mesh', '-', 'a'.repeat(40)), fc.stringMatching(/^[A-Za-z0-9_,@:.-]{0,48}$/), fc.string({ maxLength: 8 }));

describe('People Near Me datagrams from a hostile LAN', () => {
  it('any bytes, or words of ours in any order, give no throw; what is kept stays capped (property)', () => {
    const { me } = near('me0001', 'me');
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: MAX_NEAR_DATAGRAM + 64 }).map((b) => Buffer.from(b)), fc.array(word, { maxLength: 10 }).map((w) => Buffer.from(w.join(' ')))), { maxLength: 30 }), (datagrams) => {
        for (const d of datagrams) me.receive(d, '10.0.0.7');
        expect(me.people().length).toBeLessThanOrEqual(MAX_PEOPLE);
        expect(me.invitations().length).toBeLessThanOrEqual(MAX_INVITATIONS);
      }),
      { numRuns: 300 },
    );
  });

  it(`remembers at most ${MAX_PEOPLE} people, and a newcomer past that is not one of them`, () => {
    const { me, events, clock } = near('me0001', 'me');
    for (let i = 0; i < MAX_PEOPLE + 50; i++) {
      clock.advance(1_000 / NEAR_TELLS_PER_SEC); // within the rate (below)
      const p = near(`node${i}`, `p${i}`).me.presence()!;
      expect(me.receive(Buffer.from(p), `10.0.${i >> 8}.${i & 255}`)).toBe(true);
    }
    expect(me.people()).toHaveLength(MAX_PEOPLE);
    expect(events).toHaveLength(MAX_PEOPLE);
    expect(me.people().some((p) => p.node === `node${MAX_PEOPLE}`)).toBe(false);
  });

  it(`keeps the newest ${MAX_INVITATIONS} invitations of a sender that sends hundreds, each told once even when sent again`, () => {
    const bob = near('bob0001', 'bob');
    const mallory = near('mal0001', 'mallory');
    mallory.me.receive(Buffer.from(bob.me.presence()!), '10.0.0.2');
    for (let i = 0; i < MAX_INVITATIONS * 3; i++) mallory.me.invite('bob', 'mesh', `come ${i}`);
    // One a second: within the rate (below).
    for (const d of mallory.sent) {
      bob.clock.advance(1_000);
      bob.me.receive(Buffer.from(d), '10.0.0.3');
    }
    for (const d of mallory.sent) bob.me.receive(Buffer.from(d), '10.0.0.3'); // every one again
    const kept = bob.me.invitations();
    expect(kept).toHaveLength(MAX_INVITATIONS);
    expect(kept.at(-1)!.text).toBe(`come ${MAX_INVITATIONS * 3 - 1}`);
    // Sent again, the ones the list dropped used to come back as new invitations.
    expect(bob.events.filter((e) => (e as { type: string }).type === 'near.invitation')).toHaveLength(MAX_INVITATIONS * 3);
  });

  it('tells an answer once, only from the one invited', () => {
    const bob = near('bob0001', 'bob');
    const alice = near('ali0001', 'alice');
    const eve = near('eve0001', 'eve');
    alice.me.receive(Buffer.from(bob.me.presence()!), '10.0.0.2');
    alice.me.invite('bob', 'mesh', '');
    bob.me.receive(Buffer.from(alice.sent.at(-1)!), '10.0.0.1');
    bob.me.decline(1);
    const answer = bob.sent.at(-1)!;
    expect(answer.startsWith(`${REPLY_TAG} `)).toBe(true);
    // Eve sends the same answer as if it were hers, then bob's comes twice.
    alice.me.receive(Buffer.from(answer.replace(bob.me.presence()!.split(' ')[3]!, eve.me.presence()!.split(' ')[3]!)), '10.0.0.5');
    alice.me.receive(Buffer.from(answer), '10.0.0.2');
    alice.me.receive(Buffer.from(answer), '10.0.0.2');
    expect(alice.notices).toEqual(['bob declined your invitation']);
  });

  // Each invitation costs a signature check and a notice; keys and ids cost a sender nothing.
  it(`checks ${INVITE_BURST} invitations at once and ${INVITES_PER_SEC} a second after, however many senders send them`, () => {
    const bob = near('bob0001', 'bob');
    const sent: string[] = [];
    for (let i = 0; i < 100; i++) {
      const m = near(`m${i}`, `m${i}`);
      m.me.receive(Buffer.from(bob.me.presence()!), '10.0.0.2');
      m.me.invite('bob', 'mesh', 'hi');
      sent.push(m.sent.at(-1)!);
    }
    const told = (): number => bob.events.filter((e) => (e as { type: string }).type === 'near.invitation').length;
    for (const d of sent.slice(0, 50)) bob.me.receive(Buffer.from(d), '10.0.0.3');
    expect(told()).toBe(INVITE_BURST);
    expect(bob.me.throttled).toBe(50 - INVITE_BURST);
    bob.clock.advance(5_000);
    for (const d of sent.slice(50)) bob.me.receive(Buffer.from(d), '10.0.0.3');
    expect(told()).toBe(INVITE_BURST + 5 * INVITES_PER_SEC);
  });

  // Presence is not signed: one node id saying a new friendly name, or signing out and in
  // again, in every datagram was an event (and a notice) each.
  it(`tells ${NEAR_TELL_BURST} comings, changes and goings at once and ${NEAR_TELLS_PER_SEC} a second after; a dropped change comes with the next announcement`, () => {
    const { me, events, clock } = near('me0001', 'me');
    const auth = 'd'.repeat(40);
    const say = (friendly: string): boolean => me.receive(Buffer.from(`${NEAR_TAG} in flap0001 ${auth} flap chat ${Buffer.from(friendly).toString('base64url')}`), '10.0.0.9');
    for (let i = 0; i < 500; i++) {
      say(`name ${i}`);
      if (i % 3 === 0) me.receive(Buffer.from(`${NEAR_TAG} out flap0001`), '10.0.0.9');
    }
    expect(events).toHaveLength(NEAR_TELL_BURST);
    expect(me.throttled).toBeGreaterThan(500 - NEAR_TELL_BURST);
    clock.advance(1_000);
    say('settled');
    expect(me.people().find((p) => p.node === 'flap0001')?.friendly).toBe('settled');
    expect(events.length).toBe(NEAR_TELL_BURST + 1);
  });
});
