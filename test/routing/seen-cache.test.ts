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
});
