import { describe, expect, it } from 'vitest';
import type { AppEvent } from '../../src/app-api.js';
import { ManualClock } from '../../src/clock.js';
import { NetError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { TransferTable } from '../../src/transfer/transfer-table.js';

function table(maxHistory = 3): { t: TransferTable; events: AppEvent[]; clock: ManualClock } {
  const clock = new ManualClock(1_000);
  const t = new TransferTable({ clock, log: silentLogger, progressEveryMs: 250, maxHistory });
  const events: AppEvent[] = [];
  t.subscribe((e) => events.push(e));
  return { t, events, clock };
}

describe('TransferTable (the record of every transfer, and its events)', () => {
  it('gives downloads and uploads ids from one space, and throttles progress per transfer', () => {
    const { t, events, clock } = table();
    const down = t.track('down', 'a.mp3', 'p1', 'x', 100);
    const up = t.track('up', 'b.mp3', 'p2', 'x', null);
    expect([down.info.id, up.info.id]).toEqual([1, 2]);
    t.progress(down, 10);
    t.progress(down, 20); // too soon: not said, but counted
    clock.advance(250);
    t.progress(down, 30);
    t.progress(up, 5);
    expect(events.map((e) => (e.type === 'transfer.progress' ? [e.id, e.bytes] : e.type))).toEqual([[1, 10], [1, 30], [2, 5]]);
    expect(t.get(1)?.info.bytes).toBe(30);
  });

  it('says a failure with its code, a reason said before as it was, and nothing for done', () => {
    const { t, events } = table();
    const a = t.track('down', 'a', 'p', 'x', null);
    t.finish(a, 'failed', NetError.verify('SHA-1 mismatch'));
    const b = t.track('down', 'b', 'p', 'x', null);
    t.finish(b, 'cancelled', 'CLOSED: cancelled');
    t.finish(t.track('up', 'c', 'p', 'x', null), 'done');
    expect(events).toEqual([
      { type: 'transfer.failed', id: 1, name: 'a', direction: 'down', reason: 'VERIFY: SHA-1 mismatch', state: 'failed' },
      { type: 'transfer.failed', id: 2, name: 'b', direction: 'down', reason: 'CLOSED: cancelled', state: 'cancelled' },
    ]);
  });

  it('keeps at most maxHistory rows, dropping finished ones first, never a running one', () => {
    const { t } = table(3);
    const running = t.track('down', 'r', 'p', 'x', null);
    running.info.state = 'active';
    for (const n of ['a', 'b', 'c', 'd']) t.finish(t.track('down', n, 'p', 'x', null), 'done');
    expect([...t.values()].map((x) => x.info.name)).toEqual(['r', 'c', 'd']);
  });
});
