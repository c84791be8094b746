import { describe, expect, it } from 'vitest';
import { decideLeafGuidance, decideRole, type GuidanceView, type RoleView } from '../../protocols/gnutella/role-policy.js';

const H = 3_600_000;
const fit: RoleView = { mode: 'auto', current: 'leaf', firewalledWhy: undefined, uptimeMs: 2 * H, promoteAfterMs: H, capacity: 132, leaflessForMs: undefined, sinceChangeMs: Infinity };

describe('role election (spec 3.1)', () => {
  it('a fixed mode is kept whatever the conditions', () => {
    expect(decideRole({ ...fit, mode: 'leaf' })).toEqual({ role: 'leaf', why: '--gnutella-mode leaf' });
    expect(decideRole({ ...fit, mode: 'ultrapeer', firewalledWhy: 'x', uptimeMs: 0 }).role).toBe('ultrapeer');
  });

  it('auto promotes only when reachable, up long enough and with room for 25 links, and says what blocks it', () => {
    expect(decideRole(fit)).toMatchObject({ role: 'ultrapeer', why: expect.stringMatching(/promoted/) });
    expect(decideRole({ ...fit, firewalledWhy: 'firewalled: no incoming link' })).toMatchObject({ role: 'leaf', why: expect.stringMatching(/leaf while firewalled: no incoming link/) });
    expect(decideRole({ ...fit, uptimeMs: 30 * 60_000 })).toMatchObject({ role: 'leaf', why: expect.stringMatching(/up 30 min of the 60 min needed/) });
    expect(decideRole({ ...fit, capacity: 10 })).toMatchObject({ role: 'leaf', why: expect.stringMatching(/room for 10 links, 25 needed/) });
  });

  it('changes role at most once per period, and an ultrapeer without leaves for an hour goes back to leaf', () => {
    expect(decideRole({ ...fit, sinceChangeMs: 60_000 })).toMatchObject({ role: 'leaf', why: expect.stringMatching(/would be ultrapeer/) });
    expect(decideRole({ ...fit, current: 'ultrapeer', leaflessForMs: 2 * H })).toMatchObject({ role: 'leaf', why: expect.stringMatching(/no leaf for 120 min/) });
    expect(decideRole({ ...fit, current: 'ultrapeer', leaflessForMs: 60_000 }).role).toBe('ultrapeer');
    expect(decideRole({ ...fit, current: 'ultrapeer', firewalledWhy: 'watchdog' })).toMatchObject({ role: 'leaf', why: expect.stringMatching(/demoted/) });
  });

  it('leaf guidance as the dialling side: only an auto ultrapeer without leaves obeys X-Ultrapeer-Needed: False', () => {
    const g: GuidanceView = { mode: 'auto', current: 'ultrapeer', leaves: 0, needed: false, host: '127.0.0.1:6346' };
    expect(decideLeafGuidance(g)).toEqual({ kind: 'obey', why: 'leaf guidance from 127.0.0.1:6346' });
    expect(decideLeafGuidance({ ...g, needed: true }).kind).toBe('ignore');
    expect(decideLeafGuidance({ ...g, needed: undefined }).kind).toBe('ignore');
    expect(decideLeafGuidance({ ...g, current: 'leaf' }).kind).toBe('ignore');
    expect(decideLeafGuidance({ ...g, mode: 'ultrapeer' })).toEqual({ kind: 'ignore', why: 'leaf guidance from 127.0.0.1:6346 ignored: --gnutella-mode ultrapeer' });
    expect(decideLeafGuidance({ ...g, leaves: 1 })).toEqual({ kind: 'ignore', why: 'leaf guidance from 127.0.0.1:6346 ignored: we have 1 leaf' });
    expect(decideLeafGuidance({ ...g, leaves: 3 }).why).toMatch(/we have 3 leaves/);
  });
});
