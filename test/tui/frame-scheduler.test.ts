import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { FRAME_INTERVAL_MS, FrameScheduler } from '../../tui/frame-scheduler.js';

describe('FrameScheduler', () => {
  it('draws once for many requests, and frames stay at least the interval apart', () => {
    const clock = new ManualClock();
    const drawn: number[] = [];
    const f = new FrameScheduler(() => drawn.push(clock.now()), clock);
    for (let i = 0; i < 1000; i++) f.request();
    clock.advance(0);
    expect(drawn).toHaveLength(1);
    f.request();
    clock.advance(5);
    expect(drawn).toHaveLength(1);
    clock.advance(FRAME_INTERVAL_MS);
    expect(drawn).toHaveLength(2);
    expect((drawn[1] ?? 0) - (drawn[0] ?? 0)).toBeGreaterThanOrEqual(FRAME_INTERVAL_MS);
    expect(f.frames).toBe(2);
  });

  it('flush(true) draws now; stop() ends drawing', () => {
    const clock = new ManualClock();
    let n = 0;
    const f = new FrameScheduler(() => n++, clock);
    f.flush();
    expect(n).toBe(0);
    f.flush(true);
    expect(n).toBe(1);
    f.request();
    f.stop();
    clock.advance(100);
    expect(n).toBe(1);
  });
});
