import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, base32FromHex, base32Into, normalizeSha1, sha1Urn } from '../../src/share/base32.js';

describe('base32', () => {
  it('encodes the RFC 4648 vectors (unpadded)', () => {
    const cases: Array<[string, string]> = [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [plain, enc] of cases) expect(base32Encode(Buffer.from(plain))).toBe(enc);
  });

  it('writes the same characters as bytes (base32Into), at any offset, touching nothing around them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat({ max: 7 }), (bytes, at) => {
        const text = base32Encode(bytes);
        const out = Buffer.alloc(at + text.length + 3, '.');
        expect(base32Into(bytes, out, at)).toBe(text.length);
        expect(out.toString('latin1')).toBe('.'.repeat(at) + text + '...');
      }),
    );
  });

  it("works out a SHA-1's base32 from its hex (either case) as base32Encode gives it from the bytes, and nothing from anything else", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.boolean(), (bytes, upper) => {
        const hex = Buffer.from(bytes).toString('hex');
        expect(base32FromHex(upper ? hex.toUpperCase() : hex)).toBe(base32Encode(bytes));
      }),
      { numRuns: 500 },
    );
    expect(base32FromHex(createHash('sha1').update('').digest('hex'))).toBe('3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ');
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 44 }), (text) => {
        if (/^[0-9a-f]{40}$/i.test(text)) return;
        expect(base32FromHex(text)).toBeUndefined();
      }),
      { numRuns: 500 },
    );
    for (const bad of ['g'.repeat(40), 'a'.repeat(39), 'a'.repeat(41), `${'a'.repeat(39)}\u0100`, `${'a'.repeat(39)}é`, '']) expect(base32FromHex(bad)).toBeUndefined();
  });

  it('gives the well-known urn:sha1 of the empty file', () => {
    const hex = createHash('sha1').update('').digest('hex');
    expect(sha1Urn(hex)).toBe('urn:sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ');
  });

  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(base32Decode(base32Encode(bytes))).toEqual(Buffer.from(bytes));
      }),
    );
  });

  it('normalizes hex, base32 and urn forms of a SHA-1', () => {
    const hex = createHash('sha1').update('x').digest('hex');
    const urn = sha1Urn(hex);
    expect(normalizeSha1(hex.toUpperCase())).toBe(hex);
    expect(normalizeSha1(urn)).toBe(hex);
    expect(normalizeSha1(urn.slice(9).toLowerCase())).toBe(hex);
    expect(normalizeSha1('nope')).toBeUndefined();
    expect(normalizeSha1('urn:sha1:' + '1'.repeat(32))).toBeUndefined();
  });
});
