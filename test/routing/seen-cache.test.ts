import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeenCache } from '../../src/routing/seen-cache.js';

/** The obvious model: an insertion-ordered list of (id, time), oldest evicted past max. */
class NaiveSeen {
  entries: Array<{ id: string; at: number }> = [];
  constructor(
    readonly max: number,
    readonly ttl: number,
  ) {}
  has(id: string, now: number): boolean {
    const e = this.entries.find((x) => x.id === id);
    return e !== undefined && now - e.at < this.ttl;
  }
  markSeen(id: string, now: number): boolean {
    if (this.has(id, now)) return false;
    this.entries = this.entries.filter((x) => x.id !== id);
    this.entries.push({ id, at: now });
    // The real cache evicts by insertion slot: an id re-recorded after expiry takes a new slot.
    while (this.entries.length > this.max) this.entries.shift();
    return true;
  }
}

/** A Map model for long runs: id -> insertion number, plus the ring of (id, time) by insertion. */
class MapSeen {
  readonly index = new Map<string, number>();
  readonly ring: Array<{ id: string; at: number }> = [];
  first = 0;
  constructor(
    readonly max: number,
    readonly ttl: number,
  ) {}
  has(id: string, now: number): boolean {
    const n = this.index.get(id);
    return n !== undefined && now - this.ring[n]!.at < this.ttl;
  }
  markSeen(id: string, now: number): boolean {
    if (this.has(id, now)) return false;
    this.index.set(id, this.ring.length);
    this.ring.push({ id, at: now });
    if (this.ring.length - this.first > this.max) {
      const old = this.ring[this.first]!;
      if (this.index.get(old.id) === this.first) this.index.delete(old.id);
      this.first++;
    }
    return true;
  }
}

describe('SeenCache against a naive model', () => {
  it('answers like an insertion-ordered list with a TTL, for any sequence of ids and times', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'), fc.integer({ min: 0, max: 20 }), fc.boolean()), { maxLength: 200 }),
        (max, ttl, ops) => {
          let now = 1000;
          const real = new SeenCache({ max, ttlMs: ttl, now: () => now });
          const model = new NaiveSeen(max, ttl);
          for (const [id, dt, mark] of ops) {
            now += dt;
            if (mark) expect(real.markSeen(id)).toBe(model.markSeen(id, now));
            else expect(real.has(id)).toBe(model.has(id, now));
          }
          expect(real.size).toBeLessThanOrEqual(max);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('answers like the model through growth, eviction and re-recorded ids, for thousands of ids', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 400 }),
        fc.array(fc.tuple(fc.nat(6000), fc.integer({ min: 0, max: 3 }), fc.boolean()), { minLength: 2000, maxLength: 12000 }),
        (max, ttl, ops) => {
          let now = 1000;
          const real = new SeenCache({ max, ttlMs: ttl, now: () => now });
          const model = new MapSeen(max, ttl);
          for (const [n, dt, mark] of ops) {
            now += dt;
            const id = `id${n.toString(16).padStart(30, '0')}`;
            if (mark) expect(real.markSeen(id)).toBe(model.markSeen(id, now));
            else expect(real.has(id)).toBe(model.has(id, now));
          }
          expect(real.size).toBe(Math.min(max, model.ring.length));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('holds a million ids: the last million are all known, others are not', () => {
    const cache = new SeenCache({ max: 1 << 20, ttlMs: 60_000, now: () => 0 });
    const total = 1_200_000;
    for (let i = 0; i < total; i++) cache.markSeen(`${i.toString(16).padStart(32, '0')}`);
    expect(cache.size).toBe(1 << 20);
    let known = 0;
    for (let i = total - (1 << 20); i < total; i += 7) if (cache.has(`${i.toString(16).padStart(32, '0')}`)) known++;
    expect(known).toBe(Math.ceil((1 << 20) / 7));
    let strangers = 0;
    for (let i = 0; i < total - (1 << 20); i++) if (cache.has(`${i.toString(16).padStart(32, '0')}`)) strangers++;
    for (let i = 0; i < 200_000; i++) if (cache.has(`never-${i}`)) strangers++;
    expect(strangers).toBe(0);
  });
});
