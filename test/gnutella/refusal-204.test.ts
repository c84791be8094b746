/** A host that refuses with 204 is a leaf (gtk-gnutella's `Shielded leaf node`): an ultrapeer does not dial it again. */
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { startGNode } from './gnutella-net.js';
import { until } from './raw-peer.js';

describe('a host that answers 204 (a shielded leaf)', () => {
  it('is not dialled again by our ultrapeer as if it were one', async () => {
    const clock = new ManualClock();
    let connects = 0;
    const fake = createServer((s) => {
      connects++;
      s.on('error', () => undefined);
      s.once('data', () => s.end('GNUTELLA/0.6 204 Shielded leaf node (3 peers max)\r\nUser-Agent: gtk-gnutella/1.2.3\r\n\r\n'));
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()));
    const port = (fake.address() as AddressInfo).port;
    const up = await startGNode(0, {}, { mode: 'ultrapeer', maintainMs: 1_000, peers: [`127.0.0.1:${port}`] }, {}, clock);
    try {
      clock.advance(1_000);
      await until(() => connects === 1);
      await new Promise((r) => setTimeout(r, 200));
      for (let i = 0; i < 30; i++) {
        clock.advance(10_000);
        await new Promise((r) => setTimeout(r, 10));
      }
      await new Promise((r) => setTimeout(r, 300));
      expect(connects).toBe(1);
    } finally {
      await up.stop();
      fake.close();
    }
  });
});
