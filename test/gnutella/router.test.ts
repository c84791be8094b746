import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { route, type RouteInput } from '../../protocols/gnutella/router.js';
import { SeenTable } from '../../protocols/gnutella/seen-table.js';
import { GenerationMap } from '../../protocols/gnutella/generation-map.js';

const base: RouteInput = {
  type: 0x80,
  ttl: 3,
  hops: 0,
  from: { id: 1, role: 'ultrapeer' },
  self: 'leaf',
  seen: 'new',
  ultrapeers: [1, 2, 3],
  matchingLeaves: () => [10, 11],
};

describe('route decisions', () => {
  it('TTL 0 is dropped for every type', () => {
    for (const type of [0x00, 0x01, 0x02, 0x30, 0x31, 0x40, 0x80, 0x81]) expect(route({ ...base, type, ttl: 0 })).toEqual({ kind: 'drop', reason: 'ttl-zero' });
  });

  it("past TTL + hops 15, as gtk-gnutella: a ping or relayed push is dropped, a query answered (and given to matching leaves, no ultrapeer), a reply's TTL trimmed", () => {
    const up: RouteInput = { ...base, self: 'ultrapeer', from: { id: 1, role: 'ultrapeer' }, ttl: 10, hops: 6 };
    expect(route({ ...up, type: 0x00 })).toEqual({ kind: 'drop', reason: 'high-ttl' });
    expect(route({ ...up, type: 0x40, back: 2 })).toEqual({ kind: 'drop', reason: 'high-ttl' });
    expect(route({ ...up, type: 0x40, back: 'us' })).toEqual({ kind: 'reply', to: 'us', ttl: 10 });
    expect(route({ ...up, type: 0x80 })).toEqual({ kind: 'query', forward: [{ to: 10, ttl: 1 }, { to: 11, ttl: 1 }], dynamic: false });
    expect(route({ ...base, type: 0x80, ttl: 10, hops: 6 })).toEqual({ kind: 'query', forward: [], dynamic: false });
    expect(route({ ...up, type: 0x81, ttl: 20, hops: 1, back: 2 })).toEqual({ kind: 'reply', to: 2, ttl: 15 });
    expect(route({ ...up, type: 0x81, ttl: 10, hops: 6, back: 2 })).toEqual({ kind: 'reply', to: 2, ttl: 9 });
    expect(route({ ...up, type: 0x81, ttl: 20, hops: 1, back: 'us' })).toEqual({ kind: 'reply', to: 'us', ttl: 20 });
  });

  it('Bye, QRP and vendor messages are link-local only with hops 0 and TTL 1', () => {
    for (const type of [0x02, 0x30, 0x31, 0x32]) {
      expect(route({ ...base, type, ttl: 1 })).toEqual({ kind: 'link-local' });
      expect(route({ ...base, type, ttl: 2 })).toMatchObject({ kind: 'drop', reason: 'not-link-local' });
      expect(route({ ...base, type, ttl: 1, hops: 1 })).toMatchObject({ kind: 'drop', reason: 'not-link-local' });
    }
  });

  it('a leaf answers queries and never relays them; duplicates are dropped, higher-TTL re-probes are not', () => {
    expect(route(base)).toEqual({ kind: 'query', forward: [], dynamic: false });
    expect(route({ ...base, seen: 'duplicate' })).toEqual({ kind: 'drop', reason: 'duplicate' });
    expect(route({ ...base, seen: 'higher-ttl' })).toEqual({ kind: 'query', forward: [], dynamic: false });
  });

  it('a leaf takes replies for itself only', () => {
    expect(route({ ...base, type: 0x81, ttl: 6, back: 'us' })).toEqual({ kind: 'reply', to: 'us', ttl: 6 });
    expect(route({ ...base, type: 0x81, back: 2 })).toEqual({ kind: 'drop', reason: 'route-lost' });
    expect(route({ ...base, type: 0x81 })).toEqual({ kind: 'drop', reason: 'route-lost' });
    expect(route({ ...base, type: 0x40, back: 'us' })).toMatchObject({ kind: 'reply', to: 'us' });
  });

  it('pings: alive (TTL 1 hops 0) or not', () => {
    expect(route({ ...base, type: 0x00, ttl: 1 })).toEqual({ kind: 'ping', alive: true });
    expect(route({ ...base, type: 0x00, ttl: 2 })).toEqual({ kind: 'ping', alive: false });
  });

  it('an ultrapeer closes a leaf that relays (414)', () => {
    expect(route({ ...base, self: 'ultrapeer', from: { id: 10, role: 'leaf' }, hops: 1 })).toMatchObject({ kind: 'close', code: 414 });
  });

  it("an ultrapeer sends a leaf's query to its other matching leaves at once and to ultrapeers by dynamic querying", () => {
    const d = route({ ...base, self: 'ultrapeer', from: { id: 10, role: 'leaf' }, ttl: 7 });
    expect(d).toEqual({ kind: 'query', forward: [{ to: 11, ttl: 1 }], dynamic: true });
  });

  it("an ultrapeer relays an ultrapeer's query to matching leaves whatever the TTL and to ultrapeers with TTL capped to 4 - hops", () => {
    const d = route({ ...base, self: 'ultrapeer', from: { id: 1, role: 'ultrapeer' }, ttl: 7, hops: 0 });
    expect(d).toEqual({ kind: 'query', forward: [{ to: 10, ttl: 1 }, { to: 11, ttl: 1 }, { to: 2, ttl: 3 }, { to: 3, ttl: 3 }], dynamic: false });
    const last = route({ ...base, self: 'ultrapeer', from: { id: 1, role: 'ultrapeer' }, ttl: 1, hops: 2 });
    expect(last).toEqual({ kind: 'query', forward: [{ to: 10, ttl: 1 }, { to: 11, ttl: 1 }], dynamic: false });
  });

  it('on the last hop only ultrapeers whose last-hop QRP table matches get the query (spec 3.4)', () => {
    const d = route({ ...base, self: 'ultrapeer', from: { id: 1, role: 'ultrapeer' }, ttl: 3, hops: 2, lastHop: (up) => up === 3 });
    expect(d).toEqual({ kind: 'query', forward: [{ to: 10, ttl: 1 }, { to: 11, ttl: 1 }, { to: 3, ttl: 1 }], dynamic: false });
    const notLast = route({ ...base, self: 'ultrapeer', from: { id: 1, role: 'ultrapeer' }, ttl: 4, hops: 0, lastHop: () => false });
    expect(notLast.kind === 'query' && notLast.forward.filter((f) => f.to < 10)).toEqual([{ to: 2, ttl: 3 }, { to: 3, ttl: 3 }]);
  });

  it('an ultrapeer relays hits back along the route, never to their source', () => {
    const up = { ...base, self: 'ultrapeer' as const, type: 0x81, ttl: 5 };
    expect(route({ ...up, back: 10 })).toEqual({ kind: 'reply', to: 10, ttl: 4 });
    expect(route({ ...up, back: 1 })).toEqual({ kind: 'drop', reason: 'route-lost' });
    expect(route({ ...up, back: 10, ttl: 1 })).toEqual({ kind: 'drop', reason: 'expired' });
  });

  it('never forwards to the source nor with TTL 0 (property)', () => {
    fc.assert(
      fc.property(fc.nat(255), fc.nat(255), fc.constantFrom<'leaf' | 'ultrapeer'>('leaf', 'ultrapeer'), fc.nat(12), (ttl, hops, self, from) => {
        const d = route({ ...base, ttl, hops, self, from: { id: from, role: 'ultrapeer' } });
        if (d.kind === 'query') {
          for (const f of d.forward) {
            expect(f.to).not.toBe(from);
            expect(f.ttl).toBeGreaterThanOrEqual(1);
            expect(f.ttl + hops + 1).toBeLessThanOrEqual(Math.max(4, hops + 2));
          }
          if (self === 'leaf') expect(d.forward).toEqual([]);
        }
      }),
    );
  });
});

describe('SeenTable and GenerationMap', () => {
  it('new, duplicate, higher TTL, and per type', () => {
    const s = new SeenTable(() => 0);
    const g = Buffer.alloc(16, 1);
    expect(s.check(g, 0x80, 2)).toBe('new');
    expect(s.check(g, 0x80, 2)).toBe('duplicate');
    expect(s.check(g, 0x80, 1)).toBe('duplicate');
    expect(s.check(g, 0x80, 3)).toBe('higher-ttl');
    expect(s.check(g, 0x00, 1)).toBe('new');
  });

  it('100,000 random MUIDs are all new (no false duplicates from the packed keys)', () => {
    const s = new SeenTable(() => 0, 200_000);
    let dups = 0;
    for (let i = 0; i < 100_000; i++) if (s.check(randomBytes(16), 0x80, 3) !== 'new') dups++;
    expect(dups).toBe(0);
  });

  it('structured MUIDs (repeated bytes, one byte changed) are told apart', () => {
    const s = new SeenTable(() => 0);
    for (let n = 0; n < 256; n++) expect(s.check(Buffer.alloc(16, n), 0x80, 2)).toBe('new');
    for (let i = 0; i < 16; i++) {
      const g = Buffer.alloc(16, 0xaa);
      g[i] = 0x55;
      expect(s.check(g, 0x80, 2)).toBe('new');
      expect(s.check(g, 0x80, 2)).toBe('duplicate');
    }
  });

  it('stays bounded under a flood of fresh GUIDs and forgets after two generations', () => {
    let now = 0;
    const m = new GenerationMap<string, number>({ maxPerGeneration: 100, generationMs: 1000, now: () => now });
    for (let i = 0; i < 10_000; i++) m.set(`k${i}`, i);
    expect(m.size).toBeLessThanOrEqual(200);
    m.set('x', 1);
    now = 1500;
    m.set('y', 1);
    expect(m.get('x')).toBe(1);
    now = 3000;
    m.set('z', 1);
    expect(m.get('x')).toBeUndefined();
  });
});
