import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAll } from '../../src/codec/decoder.js';
import { DescriptorDecoder } from '../../protocols/gnutella/descriptor-decoder.js';
import { encodeDescriptor } from '../../protocols/gnutella/descriptor.js';
import { FramingGuard } from '../../protocols/gnutella/framing-guard.js';
import { encodeQuery } from '../../protocols/gnutella/query.js';

const query = (n: number): Buffer => encodeDescriptor({ muid: Buffer.alloc(16, n), type: 0x80, ttl: 2, hops: 0, payload: encodeQuery({ text: `song ${n}` }) });
const oversized = (): Buffer => {
  const h = Buffer.alloc(23);
  h[16] = 0x80;
  h.writeUInt32LE(0xffffffff, 19);
  return h;
};

describe('framing guard (spec 6: a broken frame gets Bye 400, not a silent close)', () => {
  it('passes descriptors through, turns the first framing error into one garbled message and reads nothing after it', () => {
    const g = new FramingGuard(new DescriptorDecoder());
    const out = decodeAll(g, Buffer.concat([query(1), oversized(), query(2)]));
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({ type: 0x80 });
    expect(out[1]).toMatchObject({ kind: 'garbled', error: { code: 'FRAME_TOO_LARGE' } });
    expect(decodeAll(g, query(3))).toEqual([]);
    expect(g.buffered).toBe(0);
    expect(g.takeRest()).toEqual([]);
  });

  it('random bytes in any chunks: descriptors, then at most one garbled message last, never a throw (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 20 }), (chunks) => {
        const g = new FramingGuard(new DescriptorDecoder());
        const out = chunks.flatMap((c) => decodeAll(g, Buffer.from(c)));
        const garbled = out.filter((m) => 'kind' in m);
        expect(garbled.length).toBeLessThanOrEqual(1);
        if (garbled.length) expect(out.at(-1)).toBe(garbled[0]);
      }),
    );
  });
});
