/**
 * The SeenCache (a ring of keyed hashes with a probing table: issue 9) against the
 * obvious model, a list of (id, time) in insertion order: for any sequence of records
 * and lookups, with growth, eviction past its size, expiry and ids recorded again after
 * they expired, both say the same.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeenCache } from '../../src/routing/seen-cache.js';

/** What the cache promises: ids in insertion order, the oldest dropped past `max`, each live for `ttl`. */
class ModelSeen {
  readonly entries: Array<{ id: string; at: number }> = [];
  constructor(
    readonly max: number,
    readonly ttl: number,
  ) {}
  #live(id: string, now: number): boolean {
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i]!.id === id) return now - this.entries[i]!.at < this.ttl;
    return false;
  }
  has(id: string, now: number): boolean {
    return this.#live(id, now);
  }
  markSeen(id: string, now: number): boolean {
    if (this.#live(id, now)) return false;
    this.entries.push({ id, at: now });
    if (this.entries.length > this.max) this.entries.shift();
    return true;
  }
}

const id = fc.oneof(fc.constantFrom('a', 'b', 'c', 'dd', 'eee', 'ffff', '0123456789abcdef0123456789abcdef'), fc.nat(40).map((n) => `id${n}`), fc.nat(3000).map((n) => `x${n}`), fc.string({ maxLength: 9 }));
const op = fc.record({ kind: fc.constantFrom('mark' as const, 'has' as const, 'has-then-mark' as const, 'bytes' as const, 'bytes-then-mark' as const), id, dt: fc.oneof(fc.constant(0), fc.nat(60)) });

/** The id as bytes inside a larger buffer (as a relay reads it from a chunk), with its range. */
function inChunk(id: string): [Buffer, number, number] {
  // Ids on the wire are ASCII: every generated id must be one byte a character here.
  expect(/^[\u0000-\u00ff]*$/.test(id)).toBe(true);
  const b = Buffer.from(`MSG ${id} 16`, 'latin1');
  return [b, 4, 4 + id.length];
}

describe('SeenCache against its model', () => {
  it('answers as a list of ids in insertion order would, through growth, eviction, expiry and re-recording', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 3000 })), fc.oneof(fc.integer({ min: 1, max: 500 }), fc.constant(1e9)), (ops, max, ttl) => {
        let now = 0;
        const c = new SeenCache({ max, ttlMs: ttl, now: () => now });
        const m = new ModelSeen(max, ttl);
        for (const o of ops) {
          now += o.dt;
          if (o.kind === 'mark') expect(c.markSeen(o.id)).toBe(m.markSeen(o.id, now));
          else if (o.kind === 'has') expect(c.has(o.id, now)).toBe(m.has(o.id, now));
          else if (o.kind === 'bytes') expect(c.hasBytes(...inChunk(o.id), now)).toBe(m.has(o.id, now));
          else if (o.kind === 'bytes-then-mark') {
            // The relay's byte path: hasBytes() on the line, then markSeenLast() with the same time.
            expect(c.hasBytes(...inChunk(o.id), now)).toBe(m.has(o.id, now));
            expect(c.markSeenLast(now)).toBe(m.markSeen(o.id, now));
          } else {
            // The relay's way: has() first, then markSeen() with the same time.
            expect(c.has(o.id, now)).toBe(m.has(o.id, now));
            expect(c.markSeen(o.id, now)).toBe(m.markSeen(o.id, now));
          }
          expect(c.size).toBe(m.entries.length);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('holds its last `max` ids through a long flood with many evictions', () => {
    const c = new SeenCache({ max: 5_000, ttlMs: 1e12 });
    for (let i = 0; i < 60_000; i++) expect(c.markSeen(`m${i}`)).toBe(true);
    for (let i = 0; i < 55_000; i += 7) expect(c.has(`m${i}`)).toBe(false);
    for (let i = 55_000; i < 60_000; i++) expect(c.has(`m${i}`)).toBe(true);
    expect(c.size).toBe(5_000);
  });
});
