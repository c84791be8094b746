/**
 * gtk-gnutella's checks on a neighbour's conduct (peer-conduct.ts): its own
 * QueryHits (hops 0) with a servent GUID other than its handshake's are
 * "weird", and five end the link with `Bye 412 Security violation`; queries it
 * sends twice are duplicates, and past 5 (over 1.5 % of what it sent, while we
 * hold more links than we want) end it with `Bye 401 Sent N dups (P% of RX)`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeDescriptor } from '../../protocols/gnutella/descriptor.js';
import { decodeMessage } from '../../protocols/gnutella/messages.js';
import { checkNeighbourGuid } from '../../protocols/gnutella/neighbour-guid.js';
import { duplicateConduct } from '../../protocols/gnutella/peer-conduct.js';
import { encodeQuery } from '../../protocols/gnutella/query.js';
import { encodeQueryHit } from '../../protocols/gnutella/query-hit.js';
import { startGNode, type GNode } from './gnutella-net.js';
import { leafConnect, rawPeer, until, upConnect, type RawPeer } from './raw-peer.js';

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

    async function up(from?: string): Promise<RawPeer> {
      const p = await rawPeer(leaf.port, from);
      p.write(upConnect([`GUID: ${'aa'.repeat(16)}`]));
      await until(() => p.text().includes('\r\n\r\n'));
      p.write('GNUTELLA/0.6 200 OK\r\n\r\n');
      p.binary();
      await until(() => p.descriptors.some((d) => d.type === 0x00));
      return p;
    }

    it('takes its own hits and four with another GUID; the fifth gets Bye 412', async () => {
      // From an address of its own: a 412 bans the address (address-bans.test.ts).
      const p = await up('127.0.0.3');
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

describe('duplicates from one neighbour', () => {
  it('end the link past 5, over 1.5 % of what it sent, and only while we hold more links than we want', () => {
    expect(duplicateConduct(4, 12, 3, 2)).toEqual({ dups: 5 });
    expect(duplicateConduct(5, 12, 3, 2)).toEqual({ dups: 6, bye: { code: 401, reason: 'Sent 6 dups (50.0% of RX)' } });
    expect(duplicateConduct(5, 12, 2, 2)).toEqual({ dups: 6 });
    expect(duplicateConduct(5, 1000, 3, 2)).toEqual({ dups: 6 });
    expect(duplicateConduct(15, 1000, 40, 32)).toEqual({ dups: 16, bye: { code: 401, reason: 'Sent 16 dups (1.6% of RX)' } });
  });

  it('a neighbour that sends each query twice gets Bye 401 at the sixth duplicate', async () => {
    const up = await startGNode(0, {}, { mode: 'ultrapeer', upLinks: 2 });
    try {
      const link = async (connect: string, inflate: boolean): Promise<RawPeer> => {
        const p = await rawPeer(up.port);
        p.write(connect);
        await until(() => p.text().includes('\r\n\r\n'));
        p.write('GNUTELLA/0.6 200 OK\r\n\r\n');
        p.binary({ inflate });
        await until(() => p.descriptors.some((d) => d.type === 0x00));
        return p;
      };
      const a = await link(upConnect(), false);
      const b = await link(upConnect(), false);
      const c = await link(leafConnect(['Accept-Encoding: deflate']), true);
      const q = (n: number): Buffer => encodeDescriptor({ muid: Buffer.alloc(16, 100 + n), type: 0x80, ttl: 3, hops: 0, payload: encodeQuery({ text: `dup word ${n}` }) });
      for (let i = 0; i < 5; i++) a.write(Buffer.concat([q(i), q(i)]));
      // A copy of a query that came first from another neighbour is no duplicate of a's.
      b.write(q(9));
      a.write(q(9));
      await new Promise((r) => setTimeout(r, 300));
      expect(a.isClosed()).toBe(false);
      a.write(Buffer.concat([q(5), q(5)]));
      await a.closed;
      const bye = a.descriptors.find((d) => d.type === 0x02);
      expect(bye && decodeMessage(bye)).toMatchObject({ kind: 'bye', code: 401, reason: expect.stringMatching(/^Sent 6 dups \(\d+\.\d% of RX\)$/) });
      expect(b.isClosed() || c.isClosed()).toBe(false);
      for (const p of [b, c]) p.socket.destroy();
    } finally {
      await up.stop();
    }
  });
});
