/**
 * The Roster's two indexes (by node and by nick, issue 9) against a plain model that
 * walks every node: for any sequence of lines, renames and parts, both name the same
 * live holders of every nick (with the eviction order kept exact: reorderMs 0).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Roster, ROSTER_NICKS_PER_ORIGIN } from '../../protocols/chat/roster.js';

/** The obvious implementation: origin -> (folded nick -> last seen), both in LRU order. */
class ModelRoster {
  readonly byOrigin = new Map<string, Map<string, number>>();
  constructor(
    readonly ttlMs: number,
    readonly maxOrigins: number,
  ) {}
  seen(origin: string, nick: string, now: number): void {
    const nicks = this.byOrigin.get(origin) ?? new Map<string, number>();
    this.byOrigin.delete(origin);
    this.byOrigin.set(origin, nicks);
    const key = nick.toLowerCase();
    nicks.delete(key);
    nicks.set(key, now);
    if (nicks.size > ROSTER_NICKS_PER_ORIGIN) nicks.delete(nicks.keys().next().value!);
    if (this.byOrigin.size > this.maxOrigins) this.byOrigin.delete(this.byOrigin.keys().next().value!);
  }
  renamed(origin: string, from: string, to: string, now: number): void {
    this.byOrigin.get(origin)?.delete(from.toLowerCase());
    this.seen(origin, to, now);
  }
  left(origin: string): void {
    this.byOrigin.delete(origin);
  }
  holders(nick: string, now: number, except?: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const [origin, nicks] of this.byOrigin) {
      const at = nicks.get(nick.toLowerCase());
      if (origin !== except && at !== undefined && now - at <= this.ttlMs) out.set(origin, at);
    }
    return out;
  }
}

const origin = fc.constantFrom('aaaa1111', 'bbbb2222', 'cccc3333', 'dddd4444', 'eeee5555', 'ffff6666');
const nick = fc.constantFrom('alice', 'Alice', 'bob', 'BOB', 'carol', 'dave', 'eve', 'mallory');
const op = fc.oneof(
  fc.record({ kind: fc.constant('seen' as const), origin, nick, dt: fc.nat(400) }),
  fc.record({ kind: fc.constant('renamed' as const), origin, from: nick, to: nick, dt: fc.nat(400) }),
  fc.record({ kind: fc.constant('left' as const), origin, dt: fc.nat(400) }),
);

describe('roster indexes', () => {
  it('name the same live holders as a walk over every node, after any sequence of events', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.integer({ min: 1, max: 5 }), (ops, maxOrigins) => {
        const ttl = 1_000;
        const r = new Roster(ttl, maxOrigins, 0);
        const m = new ModelRoster(ttl, maxOrigins);
        let now = 0;
        for (const o of ops) {
          now += o.dt;
          if (o.kind === 'seen') (r.seen(o.origin, o.nick, now), m.seen(o.origin, o.nick, now));
          else if (o.kind === 'renamed') (r.renamed(o.origin, o.from, o.to, now), m.renamed(o.origin, o.from, o.to, now));
          else (r.left(o.origin), m.left(o.origin));
          // How a nick shows (asked twice, so a held answer is checked too), against the walk.
          const self = { node: 'aaaa1111', nick: o.kind === 'left' ? 'Bob' : 'carol' };
          for (const [who, n] of [['bbbb2222', 'alice'], ['bbbb2222', 'alice'], ['cccc3333', 'bob'], [o.origin, 'alice'], [o.origin, 'alice'], ['aaaa1111', 'eve']] as const) {
            const clash = who !== self.node && (n.toLowerCase() === self.nick.toLowerCase() || m.holders(n, now, who).size > 0);
            expect(r.display(who, n, now, self)).toBe(clash ? `${n}~${who.slice(0, 4)}` : n);
          }
          for (const n of ['alice', 'bob', 'carol', 'dave', 'eve', 'mallory']) {
            for (const except of [undefined, 'aaaa1111', 'bbbb2222']) {
              const want = m.holders(n, now, except);
              const got = r.holder(n, now, except);
              if (want.size === 0) expect(got).toBeUndefined();
              else expect(got && want.get(got.origin)).toBe(got?.at);
            }
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('stops showing a shared nick apart once the other node\'s use of it expires, while lines keep coming', () => {
    const r = new Roster(1_000, 10, 0);
    const self = { node: 'aaaa1111', nick: 'me' };
    r.seen('bbbb2222', 'alice', 0);
    r.seen('cccc3333', 'alice', 0);
    expect(r.display('cccc3333', 'alice', 100, self)).toBe('alice~cccc');
    for (let t = 200; t <= 1_000; t += 200) {
      r.seen('cccc3333', 'alice', t);
      expect(r.display('cccc3333', 'alice', t, self)).toBe('alice~cccc');
    }
    r.seen('cccc3333', 'alice', 1_001);
    expect(r.display('cccc3333', 'alice', 1_001, self)).toBe('alice');
    r.seen('bbbb2222', 'alice', 1_002); // back again
    expect(r.display('cccc3333', 'alice', 1_002, self)).toBe('alice~cccc');
  });

  it('shows a shared nick apart again when another node takes back a nick whose use had expired', () => {
    const r = new Roster(1_000, 10, 0);
    const self = { node: 'ffff6666', nick: 'me' };
    r.seen('aaaa1111', 'alice', 0);
    r.seen('aaaa1111', 'eve', 800); // alice is no longer its last nick
    r.seen('bbbb2222', 'alice', 1_001);
    expect(r.display('bbbb2222', 'alice', 1_001, self)).toBe('alice'); // aaaa1111's alice expired
    r.seen('aaaa1111', 'alice', 1_001); // and is in use again
    expect(r.display('bbbb2222', 'alice', 1_001, self)).toBe('alice~bbbb');
  });
});
