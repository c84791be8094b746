import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAll } from '../../src/codec/decoder.js';
import { NetError } from '../../src/errors.js';
import { encodeFrame, fromWire, ipFromField, ipToField, napFrameDecoder, quote, splitFields, toWire, type NapFrame } from '../../protocols/napster/client-wire.js';
import { everySplit } from '../chunking.js';

describe('napster framing as the client reads it (napster.md §2)', () => {
  it('decodes the spec example and zero-length frames at every split point', () => {
    const input = Buffer.concat([Buffer.from('0500070061 6c 69 63 65'.replace(/ /g, ''), 'hex'), encodeFrame(202, ''), encodeFrame(404, 'x y')]);
    for (const chunks of everySplit(input)) {
      const d = napFrameDecoder();
      const out: NapFrame[] = [];
      for (const c of chunks) out.push(...decodeAll(d, c));
      expect(out).toEqual([{ type: 7, text: 'alice' }, { type: 202, text: '' }, { type: 404, text: 'x y' }]);
    }
  });

  it('refuses a declared length over the limit before buffering its body', () => {
    const d = napFrameDecoder(2048);
    const h = Buffer.alloc(4);
    h.writeUInt16LE(2049, 0);
    h.writeUInt16LE(201, 2);
    expect(() => decodeAll(d, h)).toThrow(NetError);
    expect(() => encodeFrame(100, 'x'.repeat(2049))).toThrow(/too long/);
  });

  it('decode(encode(m)) = m for any type and latin-1 payload', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ maxLength: 2048 }), (type, bytes) => {
        const text = Buffer.from(bytes).toString('latin1');
        expect(decodeAll(napFrameDecoder(), encodeFrame(type, text))).toEqual([{ type, text }]);
      }),
    );
  });

  it('splits quoted and bare fields; an unterminated quote is unparsable', () => {
    expect(splitFields('bob "C:\\a b.mp3" 5000 ')).toEqual(['bob', 'C:\\a b.mp3', '5000']);
    expect(splitFields('"" x')).toEqual(['', 'x']);
    expect(splitFields('bob "open')).toBeUndefined();
    expect(() => quote('a"b')).toThrow(NetError);
  });

  it('addresses are little-endian u32 and text round-trips through UTF-8 bytes', () => {
    expect(ipFromField('16777343')).toBe('127.0.0.1');
    expect(ipToField('127.0.0.1')).toBe('16777343');
    expect(ipFromField('4294967296')).toBeUndefined();
    expect(fromWire(toWire('Café ünïcode'))).toBe('Café ünïcode');
    expect(fromWire('caf\xe9')).toBe('caf\xe9');
  });
});
