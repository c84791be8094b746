import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage } from '../../protocols/gnutella/messages.js';
import { gstatus } from './gstatus.js';
import { startGNode, type GNode } from './gnutella-net.js';
import { linkedUp, until } from './raw-peer.js';

/**
 * A link with no traffic for the idle time (spec 1.5: 180 s, gtk-gnutella's
 * node_connected_timeout) is closed with Bye 405, as gtk-gnutella does
 * (`405 Activity timeout (180 secs)`), not dropped without a word; the
 * peer.down says why. The idle time is shortened here.
 */
describe('the idle close', () => {
  let leaf: GNode;
  beforeAll(async () => {
    leaf = await startGNode(0, {}, { idleMs: 1_000, maintainMs: 600_000 });
  });
  afterAll(async () => {
    await leaf.stop();
  });

  it('sends Bye 405 with the reason, then closes; the peer.down says the same', async () => {
    const p = await linkedUp(leaf.port);
    await p.closed;
    const bye = p.descriptors.find((d) => d.type === 0x02);
    expect(bye).toBeDefined();
    expect(bye!.ttl).toBe(1);
    expect(bye!.hops).toBe(0);
    expect(decodeMessage(bye!)).toEqual({ kind: 'bye', code: 405, reason: 'Activity timeout (1 sec)' });
    expect(await gstatus(leaf)).toContain('\naddress 127.0.0.1 (--gnutella-host)\n');
    await until(() => leaf.of('peer.down').length > 0);
    expect(leaf.of('peer.down')[0]!.reason).toBe('Bye 405 Activity timeout (1 sec)');
    expect(await gstatus(leaf)).toContain('\nlinks ended since start: 1 (we sent Bye 405 1)\n');
  });
});
