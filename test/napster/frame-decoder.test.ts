import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAll } from '../../src/codec/decoder.js';
import { NetError } from '../../src/errors.js';
import { encodeFrame, type NapFrame } from '../../protocols/napster/codec.js';
import { MAX_PAYLOAD } from '../../protocols/napster/constants.js';
import { NapFrameDecoder } from '../../protocols/napster/frame-decoder.js';
import { everySplit, splitAt } from '../chunking.js';

function decodeChunks(chunks: Buffer[]): Array<{ type: number; text: string }> {
  const d = new NapFrameDecoder();
  const out: NapFrame[] = [];
  for (const c of chunks) out.push(...decodeAll(d, c));
  return out.map((f) => ({ type: f.type, text: f.payload.toString('latin1') }));
}

describe('Napster frame decoder (spec §2)', () => {
  it('reads the spec example: 05 00 07 00 "alice"', () => {
    expect(decodeChunks([Buffer.from('0500070061 6c696365'.replace(/ /g, ''), 'hex')])).toEqual([{ type: 7, text: 'alice' }]);
  });

  it('gives the same frames for every split point, coalesced or one byte at a time', () => {
    const stream = Buffer.concat([encodeFrame(751, 'alice'), encodeFrame(750), encodeFrame(205, 'bob hi\r\n'), encodeFrame(402, '#c caf\xe9')]);
    const want = decodeChunks([stream]);
    expect(want.map((f) => f.type)).toEqual([751, 750, 205, 402]);
    expect(want[3]!.text).toBe('#c caf\xe9');
    for (const chunks of everySplit(stream)) expect(decodeChunks(chunks)).toEqual(want);
  });

  it('accepts a 2048-byte payload and rejects 2049 at the header, before the body arrives', () => {
    expect(decodeChunks([encodeFrame(205, 'x'.repeat(MAX_PAYLOAD))])[0]!.text.length).toBe(MAX_PAYLOAD);
    const d = new NapFrameDecoder();
    const h = Buffer.alloc(4);
    h.writeUInt16LE(MAX_PAYLOAD + 1, 0);
    h.writeUInt16LE(205, 2);
    d.push(h);
    expect(() => d.next()).toThrow(NetError);
    expect(d.buffered).toBe(0);
  });

  it('closes at once on HTTP or garbage as the first bytes', () => {
    for (const hex of ['474554202f20485454502f312e300d0a0d0a', 'deadbeef00010203']) {
      const d = new NapFrameDecoder();
      d.push(Buffer.from(hex, 'hex'));
      expect(() => d.next()).toThrow(/exceeds/);
    }
  });

  it('property: any frames, any chunking, decode to the same frames', () => {
    const frame = fc.record({ type: fc.integer({ min: 0, max: 65535 }), payload: fc.uint8Array({ maxLength: 300 }) });
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), (frames, cuts) => {
        const stream = Buffer.concat(frames.map((f) => encodeFrame(f.type, Buffer.from(f.payload))));
        const got = decodeChunks(splitAt(stream, cuts));
        expect(got).toEqual(frames.map((f) => ({ type: f.type, text: Buffer.from(f.payload).toString('latin1') })));
      }),
    );
  });

  it('property: random bytes give frames or a NetError, never more than the cap buffered', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 6000 }), fc.array(fc.nat(), { maxLength: 10 }), (bytes, cuts) => {
        const d = new NapFrameDecoder();
        try {
          for (const c of splitAt(Buffer.from(bytes), cuts)) {
            decodeAll(d, c);
            expect(d.buffered).toBeLessThanOrEqual(MAX_PAYLOAD + 6000);
          }
        } catch (err) {
          expect(err).toBeInstanceOf(NetError);
        }
      }),
    );
  });
});

describe('FrameBatch', () => {
  it('encodes frames back to back exactly as encodeFrame does, cutting at the cap', async () => {
    const { FrameBatch } = await import('../../protocols/napster/codec.js');
    const big = 'q'.repeat(MAX_PAYLOAD + 10);
    const batch = new FrameBatch().add(201, '"a b.mp3" caf\xe9').add(202).add(205, Buffer.from([1, 2, 3])).add(404, big);
    expect(batch.toBuffer()).toEqual(
      Buffer.concat([encodeFrame(201, '"a b.mp3" caf\xe9'), encodeFrame(202), encodeFrame(205, Buffer.from([1, 2, 3])), encodeFrame(404, big)]),
    );
  });
});
