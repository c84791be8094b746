import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { NetError } from '../../src/errors.js';
import { SlotLimiter } from '../../src/transfer/slot-limiter.js';

describe('SlotLimiter', () => {
  it('enforces global and per-peer limits', () => {
    const s = new SlotLimiter({ global: 2, perPeer: 1, maxWaiting: 1 }, new ManualClock());
    const a = s.tryAcquire('a');
    expect(a).toBeDefined();
    expect(s.tryAcquire('a')).toBeUndefined();
    const b = s.tryAcquire('b');
    expect(s.tryAcquire('c')).toBeUndefined();
    a!();
    a!(); // twice is harmless
    expect(s.active).toBe(1);
    expect(s.tryAcquire('c')).toBeDefined();
    b!();
  });

  it('queues waiters, skips those whose peer is full, times out and caps the queue', async () => {
    const clock = new ManualClock();
    const s = new SlotLimiter({ global: 1, perPeer: 1, maxWaiting: 2 }, clock);
    const first = s.tryAcquire('a')!;
    const w1 = s.acquire('b', 1000);
    const w2 = s.acquire('c', 5000);
    await expect(s.acquire('d', 1000)).rejects.toMatchObject({ code: 'LIMIT' });
    clock.advance(1000);
    await expect(w1).rejects.toMatchObject({ code: 'TIMEOUT' });
    first();
    const r2 = await w2;
    expect(s.active).toBe(1);
    r2();
    const w3 = s.acquire('x', 10);
    expect(s.waiting).toBe(0);
    (await w3)();
    const held = s.tryAcquire('y')!;
    const w4 = s.acquire('z', 10_000);
    s.rejectAll(NetError.closed('bye'));
    await expect(w4).rejects.toMatchObject({ code: 'CLOSED' });
    held();
  });
});
