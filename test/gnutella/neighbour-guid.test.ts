/**
 * A neighbour whose own QueryHits (hops 0) carry a servent GUID other than
 * the one its handshake said is "weird" (gtk-gnutella's node_set_guid); five
 * such hits end the link with `Bye 412 Security violation`, as gtk-gnutella does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeDescriptor } from '../../protocols/gnutella/descriptor.js';
import { decodeMessage } from '../../protocols/gnutella/messages.js';
import { checkNeighbourGuid } from '../../protocols/gnutella/neighbour-guid.js';
import { encodeQueryHit } from '../../protocols/gnutella/query-hit.js';
import { startGNode, type GNode } from './gnutella-net.js';
import { rawPeer, until, upConnect, type RawPeer } from './raw-peer.js';

const hit = (n: number, guid: number): Buffer =>
  encodeDescriptor({
    muid: Buffer.alloc(16, n),
    type: 0x81,
    ttl: 4,
    hops: 0,
    payload: encodeQueryHit({ port: 6346, ip: '127.0.0.1', speed: 100, results: [{ index: 1, size: 10, name: 'x.txt' }], vendor: 'TEST', push: false, busy: false, uploaded: false, serventGuid: Buffer.alloc(16, guid) }),
  });

describe("a neighbour's servent GUID", () => {
  it('is the handshake one, else the first hit; another in a later hit is weird', () => {
    const payload = (g: number): Buffer => Buffer.concat([Buffer.alloc(30), Buffer.alloc(16, g)]);
    expect(checkNeighbourGuid(undefined, payload(1))).toEqual({ guid: '01'.repeat(16), weird: false });
    expect(checkNeighbourGuid('01'.repeat(16), payload(1))).toEqual({ guid: '01'.repeat(16), weird: false });
    expect(checkNeighbourGuid('01'.repeat(16), payload(2))).toEqual({ guid: '01'.repeat(16), weird: true });
    expect(checkNeighbourGuid(undefined, Buffer.alloc(15))).toBeUndefined();
  });

  describe('on a real link', () => {
    let leaf: GNode;
    beforeAll(async () => {
      leaf = await startGNode(0, {}, { links: 10 });
    });
    afterAll(async () => {
      await leaf.stop();
    });

    async function up(): Promise<RawPeer> {
      const p = await rawPeer(leaf.port);
      p.write(upConnect([`GUID: ${'aa'.repeat(16)}`]));
      await until(() => p.text().includes('\r\n\r\n'));
      p.write('GNUTELLA/0.6 200 OK\r\n\r\n');
      p.binary();
      await until(() => p.descriptors.some((d) => d.type === 0x00));
      return p;
    }

    it('takes its own hits and four with another GUID; the fifth gets Bye 412', async () => {
      const p = await up();
      for (let i = 0; i < 10; i++) p.write(hit(i, 0xaa));
      for (let i = 0; i < 4; i++) p.write(hit(20 + i, 0xbb));
      await new Promise((r) => setTimeout(r, 300));
      expect(p.isClosed()).toBe(false);
      p.write(hit(30, 0xcc));
      await p.closed;
      const bye = p.descriptors.find((d) => d.type === 0x02);
      expect(bye && decodeMessage(bye)).toEqual({ kind: 'bye', code: 412, reason: 'Security violation' });
    });

    it('counts a relayed hit (hops > 0) from another servent as nothing', async () => {
      const p = await up();
      for (let i = 0; i < 10; i++) {
        const d = hit(40 + i, 0xbb);
        d[18] = 1; // hops
        p.write(d);
      }
      await new Promise((r) => setTimeout(r, 300));
      expect(p.isClosed()).toBe(false);
      p.socket.destroy();
    });
  });
});
