import { describe, expect, it } from 'vitest';
import { PONG_CACHE_MAX_PAYLOAD, PongCache } from '../../protocols/gnutella/pong-cache.js';

const pong = (n: number, hops: number, from = 1): { host: string; payload: Buffer; hops: number; from: number } => ({
  host: `127.0.0.${n}:6346`,
  payload: Buffer.alloc(14, n),
  hops,
  from,
});

describe('pong cache (spec 2.6)', () => {
  it('keeps at most its capacity, evicting the oldest; one entry per host', () => {
    const c = new PongCache(() => 0, 5);
    for (let i = 1; i <= 8; i++) c.add(pong(i, 1));
    c.add(pong(8, 2));
    expect(c.size).toBe(5);
    const hosts = c.pick(99, 10).map((p) => p.host);
    expect(hosts.sort()).toEqual(['127.0.0.4:6346', '127.0.0.5:6346', '127.0.0.6:6346', '127.0.0.7:6346', '127.0.0.8:6346']);
  });

  it('answers with at most 10, mixing hop counts, never back to the link a pong came from', () => {
    const c = new PongCache(() => 0);
    for (let i = 1; i <= 20; i++) c.add(pong(i, 1));
    for (let i = 21; i <= 23; i++) c.add(pong(i, 3));
    c.add(pong(24, 2, 7));
    const picked = c.pick(2);
    expect(picked).toHaveLength(10);
    expect(new Set(picked.map((p) => p.hops))).toEqual(new Set([1, 2, 3]));
    expect(c.pick(7).some((p) => p.from === 7)).toBe(false);
  });

  it('forgets pongs older than its lifetime and refuses oversized ones', () => {
    let now = 0;
    const c = new PongCache(() => now, 100, 1000);
    c.add(pong(1, 1));
    c.add({ ...pong(2, 1), payload: Buffer.alloc(PONG_CACHE_MAX_PAYLOAD + 1) });
    expect(c.size).toBe(1);
    now = 500;
    expect(c.pick(9)).toHaveLength(1);
    now = 1001;
    expect(c.pick(9)).toHaveLength(0);
    expect(c.size).toBe(0);
  });
});
