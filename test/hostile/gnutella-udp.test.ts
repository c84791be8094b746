/**
 * Gnutella over UDP reads one descriptor per datagram (protocols/gnutella/udp.ts, spec 8):
 * any bytes give a descriptor or nothing, never a throw, and a descriptor only when its
 * length field is the datagram's; what we encode reads back. Then the same, as datagrams
 * to a real node on 127.0.0.1: it logs no bug and still answers a ping.
 */
import { createSocket } from 'node:dgram';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADER_BYTES } from '../../protocols/gnutella/constants.js';
import { encodeDescriptor } from '../../protocols/gnutella/descriptor.js';
import { parseDatagram } from '../../protocols/gnutella/udp.js';
import { startGNode, type GNode } from '../gnutella/gnutella-net.js';

const datagram = fc.oneof(
  fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
  fc.tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.constantFrom(0x00, 0x01, 0x02, 0x31, 0x40, 0x80, 0x81), fc.nat(255), fc.nat(255), fc.uint8Array({ maxLength: 300 }), fc.integer({ min: -3, max: 3 })).map(([muid, type, ttl, hops, payload, lie]) => {
    const d = encodeDescriptor({ muid: Buffer.from(muid), type, ttl, hops, payload: Buffer.from(payload) });
    if (lie !== 0) d.writeUInt32LE(Math.max(0, payload.length + lie), 19);
    return d;
  }),
);

describe('Gnutella UDP datagrams', () => {
  it('any bytes give a descriptor whose length is the datagram\'s, or nothing (property)', () => {
    fc.assert(
      fc.property(datagram, (b) => {
        const d = parseDatagram(b);
        if (d) {
          expect(b.length).toBe(HEADER_BYTES + b.readUInt32LE(19));
          expect(encodeDescriptor(d).equals(b)).toBe(true);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  describe('to a real node', () => {
    let node: GNode;
    beforeAll(async () => {
      node = await startGNode(0, { 'a.txt': 'abc' });
    }, 30_000);
    afterAll(async () => {
      await node?.stop();
    });

    it('logs no bug for any datagrams and still answers a ping (property)', async () => {
      const s = createSocket('udp4');
      const got: Buffer[] = [];
      s.on('message', (m) => got.push(m));
      await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
      try {
        let probe = 0;
        await fc.assert(
          fc.asyncProperty(fc.array(datagram, { maxLength: 20 }), async (ds) => {
            for (const d of ds) s.send(d, node.port, '127.0.0.1');
            const muid = Buffer.alloc(16, 0xab);
            muid.writeUInt32BE(++probe, 0);
            s.send(encodeDescriptor({ muid, type: 0x00, ttl: 1, hops: 0, payload: Buffer.alloc(0) }), node.port, '127.0.0.1');
            await node.waitFor(() => got.some((g) => g.subarray(0, 16).equals(muid)), 10_000);
            expect(node.of('log').filter((e) => e.level === 'error').map((e) => e.message)).toEqual([]);
          }),
          { numRuns: 30 },
        );
      } finally {
        s.close();
      }
    }, 60_000);
  });
});
