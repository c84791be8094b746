/** The one backpressure decision of every link (src/net/send-policy.ts), checked as a property. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_QUEUE } from '../../src/net/connection-types.js';
import { decideSend } from '../../src/net/send-policy.js';

describe('what a link does with bytes it is asked to send', () => {
  it('sends below the high watermark, drops droppable bytes above it, never passes the hard cap, and cuts only for precious bytes', () => {
    const q = { highWater: 256, lowWater: 64, hardCap: 1024 };
    fc.assert(
      fc.property(fc.nat(2048), fc.nat(2048), fc.boolean(), (queued, len, droppable) => {
        const v = decideSend(queued, len, droppable, q);
        if (v === 'send') expect(queued + len).toBeLessThanOrEqual(q.hardCap);
        if (droppable) expect(v).not.toBe('cut');
        else expect(v).not.toBe('drop');
        if (droppable && queued >= q.highWater) expect(v).toBe('drop');
        if (queued + len <= q.hardCap && (!droppable || queued < q.highWater)) expect(v).toBe('send');
      }),
    );
    expect(decideSend(0, DEFAULT_QUEUE.hardCap + 1, false, DEFAULT_QUEUE)).toBe('cut');
    expect(decideSend(DEFAULT_QUEUE.highWater, 1, true, DEFAULT_QUEUE)).toBe('drop');
    expect(decideSend(DEFAULT_QUEUE.highWater, 1, false, DEFAULT_QUEUE)).toBe('send');
  });
});
