import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeDescriptor } from '../../protocols/gnutella/descriptor.js';
import { encodeQueryHit } from '../../protocols/gnutella/query-hit.js';
import { FILES_PLUGIN } from '../../src/search/files-plugin.js';
import { gstatus } from './gstatus.js';
import { startGNode, type GNode } from './gnutella-net.js';
import { linkedUp, until } from './raw-peer.js';

/**
 * Hits for our search that come after its window closed (a slow ultrapeer, a
 * long route) are no longer results, but they were received: `/gstatus`
 * counts them, as late, instead of showing 0 hits received.
 */
describe('a leaf counts the hits that come after its search ended', () => {
  let leaf: GNode;
  beforeAll(async () => {
    leaf = await startGNode(0, {}, { searchMs: 300 });
  });
  afterAll(async () => {
    await leaf.stop();
  });

  it('/gstatus shows them received and late; the search keeps its results', async () => {
    const up = await linkedUp(leaf.port);
    await until(() => up.descriptors.some((d) => d.type === 0x30)); // our QRP table: the link is set up
    await leaf.node.run(FILES_PLUGIN, 'search', ['needle']);
    await until(() => up.descriptors.some((d) => d.type === 0x80));
    const query = up.descriptors.find((d) => d.type === 0x80)!;
    await leaf.waitFor((ev) => ev.some((e) => e.type === 'search.done'));
    expect(leaf.of('search.done')[0]!.hits).toBe(0);
    const hit = (i: number): Buffer =>
      encodeQueryHit({ port: 6346, ip: '127.0.0.1', speed: 100, results: [{ index: i, size: 10, name: `needle${i}.txt` }, { index: i + 1, size: 10, name: `needle${i + 1}.txt` }], vendor: 'TEST', push: false, busy: false, uploaded: false, serventGuid: Buffer.alloc(16, 0x11) });
    up.write(encodeDescriptor({ muid: query.muid, type: 0x81, ttl: 3, hops: 0, payload: hit(1) }));
    let status = '';
    for (let i = 0; i < 100 && !/hits received 2 /.test(status); i++) {
      status = await gstatus(leaf);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toContain('hits received 2 (dropped 0, 2 after their search ended)');
    expect(leaf.of('search.hit')).toHaveLength(0);
    // Nothing is sent back: the hit was for us, not routed on.
    expect(up.isClosed()).toBe(false);
    up.socket.destroy();
  });
});
