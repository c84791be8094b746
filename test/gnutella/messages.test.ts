import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAll } from '../../src/codec/decoder.js';
import { NetError } from '../../src/errors.js';
import { DescriptorDecoder } from '../../protocols/gnutella/descriptor-decoder.js';
import type { Descriptor } from '../../protocols/gnutella/descriptor.js';
import { decodeMessage, type GnutellaMessage } from '../../protocols/gnutella/messages.js';
import { decodeBye, encodeBye } from '../../protocols/gnutella/bye.js';
import { decodePong, encodePong, decodePing } from '../../protocols/gnutella/pong.js';
import { decodePush, encodePush } from '../../protocols/gnutella/push.js';
import { decodeQuery, encodeQuery } from '../../protocols/gnutella/query.js';
import { decodeQueryHit, encodeQueryHit } from '../../protocols/gnutella/query-hit.js';
import { decodeMessagesSupported, decodeVendor, encodeMessagesSupported, encodeVendor, isMessagesSupported } from '../../protocols/gnutella/vendor.js';
import { ggepGet } from '../../protocols/gnutella/ggep.js';
import * as F from './fixtures.js';

function one(bytes: Buffer): { d: Descriptor; m: GnutellaMessage } {
  const [d] = decodeAll(new DescriptorDecoder(), bytes);
  if (!d) throw new Error('no descriptor');
  return { d, m: decodeMessage(d) };
}

describe('gtk-gnutella 1.2.3 captures decode', () => {
  it('Messages Supported lists 27 entries from BEAR/4v1 to LIME/24v2', () => {
    const { d, m } = one(F.GTKG_MESSAGES_SUPPORTED);
    expect(d.ttl).toBe(1);
    expect(d.muid.equals(Buffer.alloc(16))).toBe(true);
    if (m.kind !== 'vendor') throw new Error(m.kind);
    expect(isMessagesSupported(m)).toBe(true);
    const ids = decodeMessagesSupported(m.body);
    expect(ids).toHaveLength(27);
    expect(ids[0]).toEqual({ vendor: 'BEAR', selector: 4, version: 1 });
    expect(ids[26]).toEqual({ vendor: 'LIME', selector: 24, version: 2 });
  });

  it('Features Supported is a vendor message with selector 10', () => {
    const { m } = one(F.GTKG_FEATURES);
    expect(m).toMatchObject({ kind: 'vendor', vendor: '\0\0\0\0', selector: 10, version: 0 });
  });

  it('QRP RESET: 16384 slots, infinity 2', () => {
    expect(one(F.GTKG_QRP_RESET).m).toEqual({ kind: 'qrp-reset', tableLength: 16384, infinity: 2 });
  });

  it('Ping with GGEP SCP = 3', () => {
    const { d, m } = one(F.GTKG_SCP_PING);
    expect(d.ttl).toBe(4);
    expect(m).toEqual({ kind: 'ping', ggep: [{ id: 'SCP', data: Buffer.from([3]) }] });
  });

  it('Pong: 127.0.0.1:6346, 3 files, 64 KB, VC GUE UP DU TLS', () => {
    const { m } = one(F.GTKG_PONG);
    if (m.kind !== 'pong') throw new Error(m.kind);
    expect(m).toMatchObject({ port: 6346, ip: '127.0.0.1', files: 3, kbytes: 64 });
    expect(m.ggep.map((e) => e.id)).toEqual(['VC', 'GUE', 'UP', 'DU', 'TLS']);
    expect(ggepGet(m.ggep, 'VC')!.toString('latin1', 0, 4)).toBe('GTKG');
    expect([...ggepGet(m.ggep, 'UP')!]).toEqual([2, 0x18, 0x1e]);
  });

  it('QueryHit: one result with its URN, TT and CT, trailer GTKG 2c 21, servent GUID', () => {
    const { d, m } = one(F.GTKG_QUERY_HIT);
    expect([d.ttl, d.hops]).toEqual([6, 0]);
    if (m.kind !== 'query-hit') throw new Error(m.kind);
    expect(m).toMatchObject({ port: 6346, ip: '127.0.0.1', speed: 16, vendor: 'GTKG' });
    expect(m.results).toHaveLength(1);
    const r = m.results[0]!;
    expect(r).toMatchObject({ index: 3, size: 2480, name: 'interop_alpha_test.txt' });
    expect(r.huge).toEqual(['urn:sha1:3BC7TAQ2WQED6WTEEGUD7DQP7ZJQUX2R']);
    expect(r.sha1s).toHaveLength(1);
    expect(r.ggep.map((e) => e.id)).toEqual(['TT', 'CT']);
    expect(m.flags).toEqual({ push: false, busy: false, uploaded: false, ggep: true });
    expect(m.ggep.map((e) => e.id)).toEqual(['GTKGV', 'TLS', 'BH']);
    expect(m.serventGuid.toString('hex')).toBe('3e2f3102bd7cfd2e4b3c23c8238f3a45');
  });

  it('Query "interop probe", flags 0xB900, GGEP PR, no final NUL', () => {
    const { m } = one(F.GTKG_QUERY);
    expect(m).toEqual({ kind: 'query', flags: 0xb900, text: 'interop probe', huge: [], sha1s: [], ggep: [{ id: 'PR', data: Buffer.alloc(0) }] });
  });

  it('Push: servent GUID, index 0, 127.0.0.1:6346, GGEP TLS', () => {
    const { m } = one(F.GTKG_PUSH);
    if (m.kind !== 'push') throw new Error(m.kind);
    expect(m.serventGuid.toString('hex')).toBe('a4018aa446a090ccff5b0841fc7b7d00');
    expect(m).toMatchObject({ index: 0, ip: '127.0.0.1', port: 6346 });
    expect(m.ggep.map((e) => e.id)).toEqual(['TLS']);
  });

  it('Bye 201 "User manual removal"', () => {
    expect(one(F.GTKG_BYE).m).toEqual({ kind: 'bye', code: 201, reason: 'User manual removal' });
  });
});

describe('spec 7.5 whole messages, encoded byte-exact', () => {
  it('Ping TTL 1 frames with an empty payload', () => {
    const { d, m } = one(F.SPEC_PING_TTL1);
    expect([d.type, d.ttl, d.hops, d.payload.length]).toEqual([0, 1, 0, 0]);
    expect(m).toEqual({ kind: 'ping', ggep: [] });
  });

  it('Pong for 192.0.2.1:6346, 42 files, 1024 KiB', () => {
    expect(encodePong({ port: 6346, ip: '192.0.2.1', files: 42, kbytes: 1024 })).toEqual(F.SPEC_PONG_PAYLOAD);
    expect(decodePong(F.SPEC_PONG_PAYLOAD)).toMatchObject({ port: 6346, ip: '192.0.2.1', files: 42, kbytes: 1024 });
  });

  it('Query "linux iso" with flags 0xA400, and a URN query', () => {
    expect(encodeQuery({ flags: 0xa400, text: 'linux iso' })).toEqual(F.SPEC_QUERY_LINUX_ISO);
    const urn = 'urn:sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5';
    const byUrn = encodeQuery({ flags: 0x8000, text: '', huge: [urn] });
    expect(byUrn).toEqual(Buffer.concat([F.hex('80 00 00'), Buffer.from(urn), F.hex('00')]));
    expect(decodeQuery(byUrn).sha1s).toEqual(['a9993e364706816aba3e25717850c26c9cd0d89d']);
  });

  it('Push to 192.0.2.5:6346 for index 7', () => {
    const p = { serventGuid: F.hex('000102030405060708090a0b0c0d0e0f'), index: 7, ip: '192.0.2.5', port: 6346 };
    expect(encodePush(p)).toEqual(F.SPEC_PUSH);
    expect(decodePush(F.SPEC_PUSH)).toMatchObject(p);
  });

  it('Bye 200 and vendor messages', () => {
    expect(encodeBye(200, 'Shutting down', 'OurServent/0.1')).toEqual(F.SPEC_BYE_200);
    expect(decodeBye(F.SPEC_BYE_200)).toEqual({ kind: 'bye', code: 200, reason: 'Shutting down' });
    expect(encodeVendor({ vendor: 'BEAR', selector: 4, version: 1, body: F.hex('00') })).toEqual(F.SPEC_HOPS_FLOW);
    const ms = encodeMessagesSupported([
      { vendor: 'BEAR', selector: 4, version: 1 },
      { vendor: 'LIME', selector: 21, version: 1 },
    ]);
    expect(ms).toEqual(F.SPEC_MESSAGES_SUPPORTED);
    expect(decodeMessagesSupported(decodeVendor(ms).body)).toHaveLength(2);
  });
});

describe('hostile payloads are refused with BAD_MESSAGE', () => {
  const cases: Array<[string, () => unknown]> = [
    ['pong of 13 bytes', () => decodePong(Buffer.alloc(13))],
    ['query of 3 bytes', () => decodeQuery(F.hex('80 00 00'))],
    ['query flags 0', () => decodeQuery(F.hex('00 00 61 62 63 00'))],
    ['query without NUL', () => decodeQuery(F.hex('80 00 61 62 63 64'))],
    ['query with invalid UTF-8', () => decodeQuery(F.hex('80 00 61 ff fe 62 00'))],
    ['query with truncated GGEP', () => decodeQuery(F.hex('80 00 61 62 63 00 c3 82 50 52 45 01'))],
    ['hit with 0 results', () => decodeQueryHit(Buffer.alloc(27))],
    ['hit whose records run past the GUID', () => decodeQueryHit(Buffer.concat([F.hex('05 ca18 7f000001 10000000'), Buffer.alloc(16, 1)]))],
    ['ping that is not GGEP', () => decodePing(F.hex('01 02'))],
    ['push of 25 bytes', () => decodePush(Buffer.alloc(25))],
    ['messages supported with a count past the body', () => decodeMessagesSupported(F.hex('05 00 42 45 41 52 04 00 01 00'))],
  ];
  it.each(cases)('%s', (_name, f) => {
    expect(f).toThrowError(expect.objectContaining({ code: 'BAD_MESSAGE' }));
  });

  it('random payloads of every type give a message or a NetError (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(0x00, 0x01, 0x02, 0x30, 0x31, 0x32, 0x40, 0x80, 0x81, 0x99), fc.uint8Array({ maxLength: 300 }), (type, bytes) => {
        try {
          decodeMessage({ muid: Buffer.alloc(16), type, ttl: 1, hops: 0, payload: Buffer.from(bytes) });
        } catch (err) {
          expect(err).toBeInstanceOf(NetError);
        }
      }),
    );
  });
});

describe('round trips (properties)', () => {
  const ip = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((a) => a.join('.'));
  const guid = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a));
  const sha1 = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((a) => Buffer.from(a).toString('hex'));
  const name = fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }).filter((s) => !s.includes('\0'));

  it('Query', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0x8000, max: 0xffff }), fc.string({ minLength: 1, maxLength: 60 }).filter((s) => !s.includes('\0')), fc.option(sha1), (flags, text, s) => {
        const huge = s ? [`urn:sha1:${Buffer.from(s, 'hex').toString('base64')}`] : [];
        const q = decodeQuery(encodeQuery({ flags, text, huge }));
        expect([q.flags, q.text, q.huge]).toEqual([flags, text, huge]);
      }),
    );
  });

  it('QueryHit with 1-10 results, big sizes through GGEP LF, flags and servent GUID', () => {
    const result = fc.record({ index: fc.nat(0xffffffff), size: fc.oneof(fc.nat(0xfffffffe), fc.integer({ min: 2 ** 32, max: 2 ** 40 })), name, sha1 });
    fc.assert(
      fc.property(fc.array(result, { minLength: 1, maxLength: 10 }), ip, fc.nat(65535), guid, fc.boolean(), fc.boolean(), (results, addr, port, g, push, busy) => {
        const h = decodeQueryHit(
          encodeQueryHit({ port, ip: addr, speed: 1000, results, vendor: 'PDEK', push, busy, uploaded: false, ggep: [{ id: 'BH', data: Buffer.alloc(0) }], serventGuid: g }),
        );
        expect(h.results.map((r) => ({ index: r.index, size: r.size, name: r.name, sha1: r.sha1s[0] }))).toEqual(results);
        expect([h.ip, h.port, h.vendor, h.serventGuid]).toEqual([addr, port, 'PDEK', g]);
        expect(h.flags).toEqual({ push, busy, uploaded: false, ggep: true });
        expect(h.ggep).toEqual([{ id: 'BH', data: Buffer.alloc(0) }]);
      }),
    );
  });

  it('Pong and Push', () => {
    fc.assert(
      fc.property(ip, fc.nat(65535), fc.nat(0xffffffff), fc.nat(0xffffffff), guid, (addr, port, a, b, g) => {
        expect(decodePong(encodePong({ port, ip: addr, files: a, kbytes: b }))).toEqual({ kind: 'pong', port, ip: addr, files: a, kbytes: b, ggep: [] });
        expect(decodePush(encodePush({ serventGuid: g, index: a, ip: addr, port }))).toEqual({ kind: 'push', serventGuid: g, index: a, ip: addr, port, ggep: [] });
      }),
    );
  });
});
