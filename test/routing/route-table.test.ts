import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RouteTable } from '../../src/routing/route-table.js';

/** The obvious, slow model: a list of (key, value, recorded at), oldest first. */
class NaiveRoutes {
  entries: Array<{ key: string; value: number; at: number }> = [];
  constructor(
    readonly max: number,
    readonly ttl: number,
  ) {}
  #live(now: number): void {
    this.entries = this.entries.filter((e) => now - e.at < this.ttl);
  }
  add(key: string, value: number, now: number): boolean {
    this.#live(now);
    if (this.entries.some((e) => e.key === key)) return false;
    this.entries.push({ key, value, at: now });
    if (this.entries.length > this.max) this.entries.shift();
    return true;
  }
  get(key: string, now: number): number | undefined {
    this.#live(now);
    return this.entries.find((e) => e.key === key)?.value;
  }
  size(now: number): number {
    this.#live(now);
    return this.entries.length;
  }
}

type Op = { op: 'add'; key: string; value: number } | { op: 'get'; key: string } | { op: 'tick'; ms: number } | { op: 'size' };

const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h');
const ops = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant('add' as const), key, value: fc.nat(99) }),
    fc.record({ op: fc.constant('get' as const), key }),
    fc.record({ op: fc.constant('tick' as const), ms: fc.nat(40) }),
    fc.record({ op: fc.constant('size' as const) }),
  ),
  { maxLength: 200 },
);

describe('RouteTable (bounded, expiring reverse paths)', () => {
  it('behaves like a naive list model for any adds, lookups and passing time (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 100 }), ops, (max, ttl, script: Op[]) => {
        let now = 0;
        const table = new RouteTable<number>({ max, ttlMs: ttl, now: () => now });
        const model = new NaiveRoutes(max, ttl);
        for (const s of script) {
          switch (s.op) {
            case 'add':
              expect(table.add(s.key, s.value)).toBe(model.add(s.key, s.value, now));
              break;
            case 'get':
              expect(table.get(s.key)).toBe(model.get(s.key, now));
              break;
            case 'tick':
              now += s.ms;
              break;
            case 'size':
              expect(table.size).toBe(model.size(now));
              break;
          }
          expect(table.size).toBeLessThanOrEqual(max);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the first route of a GUID, expires routes after the TTL and evicts the oldest past the cap', () => {
    let now = 1_000;
    const t = new RouteTable<string>({ max: 3, ttlMs: 60_000, now: () => now });
    expect(t.add('g1', 'link A')).toBe(true);
    expect(t.add('g1', 'link B')).toBe(false); // a duplicate does not steal the route
    expect(t.get('g1')).toBe('link A');
    t.add('g2', 'B');
    t.add('g3', 'C');
    t.add('g4', 'D');
    expect(t.get('g1')).toBeUndefined(); // evicted: oldest
    expect(t.evicted).toBe(1);
    now += 59_999;
    expect(t.get('g2')).toBe('B');
    now += 1;
    expect(t.get('g2')).toBeUndefined(); // expired
    expect(t.size).toBe(0);
  });

  it('drops a route whose link has closed', () => {
    const closed = new Set<string>();
    const t = new RouteTable<string>({ max: 10, ttlMs: 1_000, isAlive: (l) => !closed.has(l) });
    t.add('q', 'link 1');
    closed.add('link 1');
    expect(t.get('q')).toBeUndefined();
    expect(t.add('q', 'link 2')).toBe(true);
    expect(t.get('q')).toBe('link 2');
  });

  it('stays bounded under a flood of invented GUIDs', () => {
    const t = new RouteTable<number>({ max: 10_000, ttlMs: 600_000 });
    for (let i = 0; i < 200_000; i++) t.add(`guid-${i}`, i);
    expect(t.size).toBe(10_000);
    expect(t.get('guid-199999')).toBe(199_999);
    expect(t.get('guid-0')).toBeUndefined();
    expect(t.backlog).toBeLessThanOrEqual(2 * 10_000 + 1024);
  });

  it('keeps its add queue bounded when routes are deleted, looked up dead or added again', () => {
    let dead = -1;
    const t = new RouteTable<number>({ max: 1000, ttlMs: 600_000, isAlive: (v) => v !== dead });
    for (let i = 0; i < 60_000; i++) {
      t.add(`g${i % 3000}`, i);
      if (i % 3 === 0) t.delete(`g${(i * 7) % 3000}`);
      if (i % 5 === 0) {
        dead = i - 1;
        t.get(`g${(i - 1) % 3000}`);
      }
      if (t.backlog > 2 * 1000 + 1024 + 1) throw new Error(`add queue at ${t.backlog} entries after ${i} adds`);
    }
    expect(t.size).toBeLessThanOrEqual(1000);
  });
});
