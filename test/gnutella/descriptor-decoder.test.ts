import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAll } from '../../src/codec/decoder.js';
import { NetError } from '../../src/errors.js';
import { DescriptorDecoder } from '../../protocols/gnutella/descriptor-decoder.js';
import { encodeDescriptor, type Descriptor } from '../../protocols/gnutella/descriptor.js';
import { DESCRIPTOR_PING, DESCRIPTOR_QUERY, DESCRIPTOR_QUERY_HIT, MAX_QUERY_PAYLOAD } from '../../protocols/gnutella/constants.js';
import { everySplit, splitAt } from '../chunking.js';
import { GTKG_STREAM, hex } from './fixtures.js';

function summary(d: Descriptor): string {
  return `${d.muid.toString('hex')}/${d.type}/${d.ttl}/${d.hops}/${d.payload.toString('hex')}`;
}

function decode(chunks: Buffer[]): string[] {
  const dec = new DescriptorDecoder();
  return chunks.flatMap((c) => decodeAll(dec, c).map(summary));
}

describe('DescriptorDecoder on gtk-gnutella captures', () => {
  const whole = decode([GTKG_STREAM]);

  it('frames the nine captured messages with their header fields', () => {
    expect(whole).toHaveLength(9);
    expect(whole.map((s) => Number(s.split('/')[1]))).toEqual([0x31, 0x31, 0x30, 0x00, 0x01, 0x81, 0x80, 0x40, 0x02]);
    expect(whole[5]).toMatch(/^10653f6045b1fd98ff91b60c90682500\/129\/6\/0\//);
  });

  it('gives the same messages for every split point and byte by byte', () => {
    for (const chunks of everySplit(GTKG_STREAM)) expect(decode(chunks)).toEqual(whole);
  });

  it('any chunking gives the same messages (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 12 }), (cuts) => {
        expect(decode(splitAt(GTKG_STREAM, cuts))).toEqual(whole);
      }),
    );
  });
});

describe('DescriptorDecoder limits (checked on the header)', () => {
  function header(type: number, length: number): Buffer {
    const h = Buffer.alloc(23);
    h[16] = type;
    h[17] = 1;
    h.writeUInt32LE(length >>> 0, 19);
    return h;
  }

  it('rejects a length of 0xFFFFFFFF before any body byte', () => {
    expect(() => decodeAll(new DescriptorDecoder(), header(DESCRIPTOR_PING, 0xffffffff))).toThrowError(
      expect.objectContaining({ code: 'FRAME_TOO_LARGE' }),
    );
  });

  it('rejects the sflag bit and 64 KiB for every type', () => {
    for (const len of [0x80000000, 0x80000010, 65_536]) {
      expect(() => decodeAll(new DescriptorDecoder(), header(DESCRIPTOR_QUERY_HIT, len))).toThrowError(
        expect.objectContaining({ code: 'FRAME_TOO_LARGE' }),
      );
    }
  });

  it('applies the per-type kick size: a Query of 1025 bytes closes, 1024 passes', () => {
    expect(() => decodeAll(new DescriptorDecoder(), header(DESCRIPTOR_QUERY, MAX_QUERY_PAYLOAD + 1))).toThrowError(
      expect.objectContaining({ code: 'FRAME_TOO_LARGE' }),
    );
    const ok = Buffer.concat([header(DESCRIPTOR_QUERY, MAX_QUERY_PAYLOAD), Buffer.alloc(MAX_QUERY_PAYLOAD)]);
    expect(decodeAll(new DescriptorDecoder(), ok)).toHaveLength(1);
  });

  it('hands back a half-read descriptor intact at a protocol switch', () => {
    const d = new DescriptorDecoder();
    const msg = encodeDescriptor({ muid: Buffer.alloc(16, 7), type: 0, ttl: 1, hops: 0, payload: hex('c3 82 42 48 40') });
    expect(decodeAll(d, msg.subarray(0, 25))).toEqual([]);
    expect(Buffer.concat(d.takeRest())).toEqual(msg.subarray(0, 25));
  });

  it('random bytes give descriptors or a NetError only, holding at most one bounded body (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 20 }), (chunks) => {
        const d = new DescriptorDecoder();
        try {
          for (const c of chunks) decodeAll(d, Buffer.from(c));
        } catch (err) {
          expect(err).toBeInstanceOf(NetError);
        }
        expect(d.buffered).toBeLessThanOrEqual(23 + 65_535 + 200 * 20);
      }),
    );
  });

  it('descriptors round-trip for any chunking (property)', () => {
    const desc = fc.record({
      muid: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a)),
      type: fc.constantFrom(0x00, 0x01, 0x02, 0x30, 0x31, 0x40, 0x80, 0x81),
      ttl: fc.integer({ min: 0, max: 255 }),
      hops: fc.integer({ min: 0, max: 255 }),
      payload: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
    });
    fc.assert(
      fc.property(fc.array(desc, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 8 }), (ds, cuts) => {
        const stream = Buffer.concat(ds.map(encodeDescriptor));
        expect(decode(splitAt(stream, cuts))).toEqual(ds.map(summary));
      }),
    );
  });
});
