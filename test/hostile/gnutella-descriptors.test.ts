/**
 * A Gnutella servent's message handling takes any descriptor a linked peer sends (README
 * "Gnutella", "Hostile input is normal input"): every descriptor type, as valid payloads cut
 * short, with bytes flipped or appended, or as random bytes, at any TTL and hop count, to a
 * leaf (from a raw ultrapeer) and to an ultrapeer (from a raw leaf), over real TCP. The
 * decoders are fuzzed on their own (test/gnutella/); this fuzzes what comes after them.
 * No handler bug is logged, and the node still answers an alive ping on a fresh link.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as G from '../../protocols/gnutella/constants.js';
import { encodeBye } from '../../protocols/gnutella/bye.js';
import { encodeDescriptor } from '../../protocols/gnutella/descriptor.js';
import { encodePing, encodePong } from '../../protocols/gnutella/pong.js';
import { encodePush } from '../../protocols/gnutella/push.js';
import { encodeQrpPatch, encodeQrpReset } from '../../protocols/gnutella/qrp-messages.js';
import { encodeQuery } from '../../protocols/gnutella/query.js';
import { encodeQueryHit } from '../../protocols/gnutella/query-hit.js';
import { encodeQueryStatusResponse } from '../../protocols/gnutella/query-status.js';
import { encodeMessagesSupported, encodeVendor } from '../../protocols/gnutella/vendor.js';
import { encodeConnectBack, encodePushProxyRequest } from '../../protocols/gnutella/push-vendor.js';
import { startGNode, type GNode } from '../gnutella/gnutella-net.js';
import { leafConnect, linkedUp, rawPeer, until, type RawPeer } from '../gnutella/raw-peer.js';

const guid = Buffer.alloc(16, 7);
/** Valid payloads of every kind our servent reads, to be cut, flipped and extended. */
const SAMPLES: Array<[number, Buffer]> = [
  [G.DESCRIPTOR_PING, encodePing()],
  [G.DESCRIPTOR_PING, encodePing([{ id: 'SCP', data: Buffer.from([1]) }])],
  [G.DESCRIPTOR_PONG, encodePong({ port: 6346, ip: '10.0.0.1', files: 3, kbytes: 64 })],
  [G.DESCRIPTOR_PONG, encodePong({ port: 6346, ip: '10.0.0.1', files: 3, kbytes: 64, ggep: [{ id: 'IPP', data: Buffer.from([10, 0, 0, 2, 0xba, 0x18]) }, { id: 'UP', data: Buffer.from([1, 2, 3]) }] })],
  [G.DESCRIPTOR_BYE, encodeBye(400, 'fuzz', 'RawPeer')],
  [G.DESCRIPTOR_QUERY, encodeQuery({ text: 'song' })],
  [G.DESCRIPTOR_QUERY, encodeQuery({ text: '', huge: ['urn:sha1:PLSTHIPQGSSZTS5FJUPAKUZWUGYQYPFB'], ggep: [{ id: 'H', data: Buffer.alloc(21, 1) }] })],
  [G.DESCRIPTOR_QUERY_HIT, encodeQueryHit({ port: 6346, ip: '10.0.0.1', speed: 100, results: [{ index: 1, size: 10, name: 'song.mp3', sha1: 'ab'.repeat(20) }], vendor: 'RAWP', push: true, busy: false, uploaded: true, serventGuid: guid })],
  [G.DESCRIPTOR_PUSH, encodePush({ serventGuid: guid, index: 1, ip: '10.0.0.1', port: 6346 })],
  [G.DESCRIPTOR_ROUTE_TABLE_UPDATE, encodeQrpReset(65_536, 7)],
  [G.DESCRIPTOR_ROUTE_TABLE_UPDATE, encodeQrpPatch({ seqNo: 1, seqSize: 1, compressor: 0, entryBits: 4, data: Buffer.alloc(64, 0x11) })],
  [G.DESCRIPTOR_ROUTE_TABLE_UPDATE, encodeQrpPatch({ seqNo: 1, seqSize: 2, compressor: 1, entryBits: 8, data: Buffer.from([0x78, 0x9c, 0x63, 0x60]) })],
  [G.DESCRIPTOR_VENDOR, encodeMessagesSupported([{ vendor: 'BEAR', selector: 4, version: 1 }, { vendor: 'LIME', selector: 21, version: 2 }])],
  [G.DESCRIPTOR_VENDOR, encodeConnectBack(6346)],
  [G.DESCRIPTOR_VENDOR, encodePushProxyRequest()],
  [G.DESCRIPTOR_VENDOR, encodeQueryStatusResponse(5)],
  [G.DESCRIPTOR_VENDOR_STD, encodeVendor({ vendor: '\0\0\0\0', selector: 0, version: 0, body: Buffer.alloc(8) })],
  [G.DESCRIPTOR_HSEP, Buffer.alloc(24, 1)],
];

const payload = fc.oneof(
  fc.tuple(fc.constantFrom(...SAMPLES), fc.nat(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.uint8Array({ maxLength: 16 })).map(([[type, p], cut, flips, tail]) => {
    const b = Buffer.from(p.subarray(0, cut % (p.length + 1)));
    for (const [at, v] of flips) if (b.length > 0) b[at % b.length] = v;
    return [type, Buffer.concat([b, Buffer.from(tail)])] as [number, Buffer];
  }),
  fc.tuple(fc.oneof(fc.constantFrom(...SAMPLES.map(([t]) => t), G.DESCRIPTOR_RUDP, G.DESCRIPTOR_DHT), fc.integer({ min: 0, max: 255 })), fc.uint8Array({ maxLength: 200 })).map(([t, b]) => [t, Buffer.from(b)] as [number, Buffer]),
);
const descriptor = fc.tuple(payload, fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 })).map(([[type, p], muid, ttl, hops]) => encodeDescriptor({ muid: Buffer.from(muid), type, ttl, hops, payload: p }));

/** A raw leaf linked to the ultrapeer on `port`, past step 3, plain both ways. */
async function linkedLeaf(port: number): Promise<RawPeer> {
  const p = await rawPeer(port);
  p.write(leafConnect());
  await until(() => p.text().includes('\r\n\r\n'));
  if (!/^GNUTELLA\/0\.6 200/.test(p.text())) throw new Error(`the ultrapeer refused a raw leaf: ${p.text().split('\r\n')[0]}`);
  p.write('GNUTELLA/0.6 200 OK\r\n\r\n');
  p.binary();
  return p;
}

let probe = 0;
/** The node answers an alive ping (TTL 1) with its pong, on a fresh link. */
async function answers(link: () => Promise<RawPeer>): Promise<void> {
  const p = await link();
  try {
    const muid = Buffer.alloc(16, 0);
    muid.writeUInt32BE(++probe, 0);
    p.write(encodeDescriptor({ muid, type: G.DESCRIPTOR_PING, ttl: 1, hops: 0, payload: Buffer.alloc(0) }));
    await until(() => p.descriptors.some((d) => d.type === G.DESCRIPTOR_PONG && d.muid.equals(muid)));
  } finally {
    p.socket.destroy();
  }
}

function bugs(n: GNode): string[] {
  return n.of('log').filter((e) => e.level === 'error').map((e) => e.message);
}

describe('Gnutella servent: any descriptor from a linked peer', () => {
  let leaf: GNode;
  let up: GNode;
  beforeAll(async () => {
    leaf = await startGNode(0, { 'song.mp3': 'la la la' });
    up = await startGNode(1, { 'tune.mp3': 'do re mi' }, { mode: 'ultrapeer', deflate: false });
  }, 30_000);
  afterAll(async () => {
    await leaf?.stop();
    await up?.stop();
  });

  for (const [role, node, link] of [
    ['a leaf, from an ultrapeer', () => leaf, () => linkedUp(leaf.port)],
    ['an ultrapeer, from a leaf', () => up, () => linkedLeaf(up.port)],
  ] as const) {
    it(`${role}: no handler bug, and it still answers (property, real TCP)`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(descriptor, { minLength: 1, maxLength: 30 }), async (frames) => {
          const p = await link();
          try {
            p.write(Buffer.concat(frames));
            // What it sent is handled once an alive ping on the same link is answered, or the link is closed.
            const muid = Buffer.alloc(16, 0xee);
            muid.writeUInt32BE(++probe, 0);
            p.write(encodeDescriptor({ muid, type: G.DESCRIPTOR_PING, ttl: 1, hops: 0, payload: Buffer.alloc(0) }));
            await until(() => p.isClosed() || p.descriptors.some((d) => d.type === G.DESCRIPTOR_PONG && d.muid.equals(muid)));
          } finally {
            p.socket.destroy();
          }
          expect(bugs(node())).toEqual([]);
        }),
        { numRuns: 25 },
      );
      await answers(link);
      expect(bugs(node())).toEqual([]);
    }, 120_000);
  }
});
