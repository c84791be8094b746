/**
 * gtk-gnutella's checks on a neighbour's conduct (peer-conduct.ts): its own
 * QueryHits (hops 0) with a servent GUID other than its handshake's are
 * "weird", and five end the link with `Bye 412 Security violation`; queries and
 * pushes it sends again (first or after another neighbour, with no higher TTL
 * than its own copy) are duplicates, and past 5 (over 1.5 % of what it sent,
 * while we hold more links than we want) end it with `Bye 401 Sent N dups (P% of RX)`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeDescriptor } from '../../protocols/gnutella/descriptor.js';
import { decodeMessage } from '../../protocols/gnutella/messages.js';
import { checkNeighbourGuid } from '../../protocols/gnutella/neighbour-guid.js';
import { dupShare, duplicateConduct } from '../../protocols/gnutella/peer-conduct.js';
import { encodePush } from '../../protocols/gnutella/push.js';
import { SenderLog } from '../../protocols/gnutella/sender-log.js';
import { createServer, type Socket } from 'node:net';
import { gstatus } from './gstatus.js';
import { encodeQuery } from '../../protocols/gnutella/query.js';
import { encodeQueryHit } from '../../protocols/gnutella/query-hit.js';
import { startGNode, type GNode } from './gnutella-net.js';
import { leafConnect, linkedRawPeer, rawPeer, until, upConnect, type RawPeer } from './raw-peer.js';

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

  it("writes the share as gtk-gnutella's printf does (an exact half goes to the even tenth)", () => {
    // Pairs and strings from C: printf("%.1f", 100.0 * dups / received) with glibc.
    const c: Array<[number, number, string]> = [[49, 400, '12.2'], [6, 12, '50.0'], [3, 400, '0.8'], [1, 8, '12.5'], [5, 8, '62.5'], [1, 16, '6.2'], [3, 16, '18.8'], [7, 80, '8.8'], [1, 3, '33.3'], [13, 1000, '1.3'], [41, 160, '25.6'], [9, 720, '1.2']];
    for (const [dups, rx, out] of c) expect(dupShare(dups, rx), `${dups}/${rx}`).toBe(out);
    expect(duplicateConduct(48, 400, 3, 2).bye?.reason).toBe('Sent 49 dups (12.2% of RX)');
  });

  it("the sender log tells a link's own repeat from another link's copy and from a re-probe", () => {
    const log = new SenderLog({ maxPerGeneration: 100, generationMs: 60_000, now: () => 0 });
    expect(log.note('m', 1, 3)).toBe('first');
    expect(log.note('m', 1, 3)).toBe('again');
    expect(log.note('m', 1, 2)).toBe('again');
    expect(log.note('m', 2, 4)).toBe('first');
    expect(log.note('m', 1, 4)).toBe('higher');
    expect(log.note('m', 1, 4)).toBe('again');
    expect(log.note('m', 2, 4)).toBe('again');
    expect(log.note('m', 3, 1)).toBe('first');
    expect(log.note('n', 3, 1)).toBe('first');
  });

  it('a neighbour that sends each query twice gets Bye 401 at the sixth duplicate', async () => {
    const up = await startGNode(0, {}, { mode: 'ultrapeer', upLinks: 2 });
    try {
      const link = (connect: string, inflate: boolean): Promise<RawPeer> => linkedRawPeer(up.port, connect, inflate);
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

  describe('on an ultrapeer holding more links than it wants', () => {
    let up: GNode;
    beforeAll(async () => {
      up = await startGNode(0, {}, { mode: 'ultrapeer', upLinks: 2 });
    });
    afterAll(async () => {
      await up.stop();
    });

    /** Two raw ultrapeers and a raw leaf on `up`: three links, more than the two it wants. */
    async function three(): Promise<[RawPeer, RawPeer, RawPeer]> {
      const link = (connect: string, inflate: boolean): Promise<RawPeer> => linkedRawPeer(up.port, connect, inflate);
      return [await link(upConnect(), false), await link(upConnect(), false), await link(leafConnect(['Accept-Encoding: deflate']), true)];
    }
    const q = (n: number, ttl = 3): Buffer => encodeDescriptor({ muid: Buffer.alloc(16, n), type: 0x80, ttl, hops: 0, payload: encodeQuery({ text: `dup word ${n}` }) });
    const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    const settle = (): Promise<void> => pause(300);
    const byeOf = (p: RawPeer): unknown => {
      const bye = p.descriptors.find((d) => d.type === 0x02);
      return bye && decodeMessage(bye);
    };

    it('a copy it sends again after another neighbour sent it first is its duplicate too', { timeout: 30_000 }, async () => {
      const [a, b, c] = await three();
      for (let i = 0; i < 5; i++) {
        b.write(q(10 + i));
        await pause(100);
        a.write(Buffer.concat([q(10 + i), q(10 + i)]));
      }
      await settle();
      expect(a.isClosed()).toBe(false);
      b.write(q(15));
      await pause(100);
      a.write(Buffer.concat([q(15), q(15)]));
      await a.closed;
      expect(byeOf(a)).toMatchObject({ kind: 'bye', code: 401, reason: expect.stringMatching(/^Sent 6 dups \(\d+\.\d% of RX\)$/) });
      for (const p of [b, c]) p.socket.destroy();
    });

    it('a push it sends twice is a duplicate as a query is', async () => {
      const [a, b, c] = await three();
      const push = (n: number): Buffer => encodeDescriptor({ muid: Buffer.alloc(16, 30 + n), type: 0x40, ttl: 3, hops: 0, payload: encodePush({ serventGuid: Buffer.alloc(16, 0x77), index: 1, ip: '127.0.0.1', port: 9 }) });
      for (let i = 0; i < 5; i++) a.write(Buffer.concat([push(i), push(i)]));
      await settle();
      expect(a.isClosed()).toBe(false);
      a.write(Buffer.concat([push(5), push(5)]));
      await a.closed;
      expect(byeOf(a)).toMatchObject({ kind: 'bye', code: 401, reason: expect.stringMatching(/^Sent 6 dups /) });
      for (const p of [b, c]) p.socket.destroy();
    });

    it('past TTL + hops 15 a query goes to no ultrapeer; the 11th such from within 2 hops gets Bye 403', async () => {
      const [a, b, c] = await three();
      const high = (n: number, hops: number): Buffer => encodeDescriptor({ muid: Buffer.alloc(16, 60 + n), type: 0x80, ttl: 16 - hops, hops, payload: encodeQuery({ text: `high word ${n}` }) });
      for (let i = 0; i < 10; i++) a.write(high(i, 3));
      await settle();
      expect(a.isClosed()).toBe(false);
      expect(b.descriptors.some((d) => d.type === 0x80 && d.muid[0]! >= 60)).toBe(false);
      a.write(high(10, 2));
      await a.closed;
      expect(byeOf(a)).toEqual({ kind: 'bye', code: 403, reason: 'Relayed 11 high TTL (>10) messages' });
      for (const p of [b, c]) p.socket.destroy();
    });

    it("a copy with a TTL above its own earlier one is no duplicate, though another's was higher still", { timeout: 30_000 }, async () => {
      const [a, b, c] = await three();
      for (let i = 0; i < 7; i++) {
        a.write(q(40 + i, 2));
        await pause(100);
        b.write(q(40 + i, 4));
        await pause(100);
        a.write(q(40 + i, 3));
      }
      await settle();
      expect(a.isClosed()).toBe(false);
      expect(byeOf(a)).toBeUndefined();
      for (const p of [a, b, c]) p.socket.destroy();
    });
  });
});

describe('a push for us sent twice', () => {
  it('is carried out once: one callback, not two', async () => {
    const leaf = await startGNode(0, { 'pushed.txt': 'hello' }, { links: 10 });
    const calls: Socket[] = [];
    const server = createServer((s) => calls.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const guid = /servent GUID ([0-9a-f]{32})/.exec(await gstatus(leaf))![1]!;
      const p = await rawPeer(leaf.port);
      p.write(upConnect());
      await until(() => p.text().includes('\r\n\r\n'));
      p.write('GNUTELLA/0.6 200 OK\r\n\r\n');
      p.binary();
      const push = encodeDescriptor({ muid: Buffer.alloc(16, 0x55), type: 0x40, ttl: 3, hops: 0, payload: encodePush({ serventGuid: Buffer.from(guid, 'hex'), index: 0, ip: '127.0.0.1', port }) });
      p.write(push);
      await until(() => calls.length === 1);
      calls[0]!.destroy();
      await new Promise((r) => setTimeout(r, 300));
      p.write(push);
      await new Promise((r) => setTimeout(r, 700));
      expect(calls.length).toBe(1);
      p.socket.destroy();
    } finally {
      for (const s of calls) s.destroy();
      server.close();
      await leaf.stop();
    }
  });
});
