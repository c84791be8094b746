/**
 * Spec 4.1 in a running servent: a leaf proven reachable by a connect-back is
 * firewalled again after 30 minutes without an incoming connection, says so,
 * asks its ultrapeer for a connect-back once more, and is reachable again when
 * it comes. Real servents on 127.0.0.1; the clock leaps the 30 minutes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { INBOUND_FRESH_MS } from '../../protocols/gnutella/firewall-state.js';
import { LeapClock } from '../leap-clock.js';
import { startGNode, type GNode } from './gnutella-net.js';
import { eventually, gstatus } from './gstatus.js';

const nodes: GNode[] = [];
afterEach(async () => {
  for (const n of nodes.splice(0)) await n.stop();
});

describe('the firewall watchdog (spec 4.1)', () => {
  it('makes a leaf firewalled again after 30 minutes without an incoming connection, and a new connect-back reachable again', async () => {
    const clock = new LeapClock();
    const up = await startGNode(0, {}, { mode: 'ultrapeer' }, {}, clock);
    nodes.push(up);
    const leaf = await startGNode(1, {}, { peers: [`127.0.0.1:${up.port}`] }, {}, clock);
    nodes.push(leaf);
    const texts = (): string[] => leaf.of('notice').map((e) => e.text);
    await eventually(async () => /not firewalled: (connect-back|incoming connection) from 127\.0\.0\.1/.test(await gstatus(leaf)), 15_000, () => gstatus(leaf));
    expect(await gstatus(up)).toMatch(/connect-backs asked 0, made 1/);

    clock.leap(INBOUND_FRESH_MS + 60_000);
    await leaf.waitFor(() => texts().some((t) => t.startsWith('firewalled again')), 10_000);
    expect(texts().find((t) => t.startsWith('firewalled again'))).toBe('firewalled again: no incoming connection for 30 minutes (the last came from 127.0.0.1)');
    // It asks again, its ultrapeer connects back again, and it is reachable again.
    await eventually(async () => /connect-backs asked 0, made 2/.test(await gstatus(up)), 15_000, () => gstatus(up));
    await leaf.waitFor(() => /^not firewalled/.test(texts().at(-1) ?? ''), 10_000);
    expect(leaf.node.snapshot().status.gnutella?.firewalled).toBe(false);
    expect(texts().filter((t) => t.startsWith('not firewalled'))).toHaveLength(2);
  });
});
