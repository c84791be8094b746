import { describe, expect, it } from 'vitest';
import { BAN_WAIT_MS, ConnectGate, DIAL_WINDOW_MS, MAX_TRACKED_PEERS } from '../../protocols/gnutella/connect-gate.js';

describe('ConnectGate (spec appendix 8: at most ~2 connects a minute to one servent)', () => {
  it('allows two dials to one servent per minute, then waits for the window to pass', () => {
    const g = new ConnectGate();
    expect(g.allows('10.0.0.1:6346', 0)).toBe(true);
    g.dialled('10.0.0.1:6346', 0);
    expect(g.allows('10.0.0.1:6346', 1_000)).toBe(true);
    g.dialled('10.0.0.1:6346', 1_000);
    expect(g.allows('10.0.0.1:6346', 2_000)).toBe(false);
    expect(g.allows('10.0.0.1:6347', 2_000)).toBe(true); // another servent, even on the same IP, is not affected
    expect(g.allows('10.0.0.1:6346', DIAL_WINDOW_MS - 1)).toBe(false);
    expect(g.allows('10.0.0.1:6346', DIAL_WINDOW_MS)).toBe(true); // the first dial left the window
  });

  it('a 429 keeps us away for the ban, whatever the dial count', () => {
    const g = new ConnectGate();
    g.banned('10.0.0.1:6346', 5_000);
    expect(g.allows('10.0.0.1:6346', 5_000 + BAN_WAIT_MS - 1)).toBe(false);
    expect(g.allows('10.0.0.1:6346', 5_000 + BAN_WAIT_MS)).toBe(true);
  });

  it('remembers a bounded number of servents, forgetting the least recently used', () => {
    const g = new ConnectGate();
    g.dialled('first', 0);
    g.dialled('first', 0);
    for (let i = 0; i < MAX_TRACKED_PEERS; i++) g.dialled(`ip${i}`, 0);
    expect(g.size).toBe(MAX_TRACKED_PEERS);
    expect(g.allows('first', 1)).toBe(true); // forgotten: no longer held back
  });
});
