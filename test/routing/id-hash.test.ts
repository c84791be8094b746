import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdHash } from '../../src/routing/id-hash.js';

const hashOfString = (h: IdHash, id: string): [number, number] => (h.ofString(id), [h.hi, h.lo]);
const hashOfBytes = (h: IdHash, b: Uint8Array, at: number, end: number): [number, number] => (h.ofBytes(b, at, end), [h.hi, h.lo]);

describe('IdHash', () => {
  it('hashes an id the same from its string and from its bytes, at any offset in a chunk', () => {
    const h = new IdHash();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 9 }), fc.uint8Array({ maxLength: 9 }), (id, before, after) => {
        const chunk = Buffer.concat([before, id, after]);
        const latin1 = Buffer.from(id).toString('latin1');
        expect(hashOfBytes(h, chunk, before.length, before.length + id.length)).toEqual(hashOfString(h, latin1));
      }),
    );
  });

  it('gives unsigned 32-bit halves, and tells ids apart that differ in one character or in length', () => {
    const h = new IdHash();
    const base = 'a3f09c1b2d4e5f60a3f09c1b2d4e5f60';
    const [hi, lo] = hashOfString(h, base);
    for (const x of [hi, lo]) expect(x >>> 0).toBe(x);
    const seen = new Set([`${hi}:${lo}`]);
    for (let i = 0; i < base.length; i++) {
      const other = `${base.slice(0, i)}${base[i] === 'b' ? 'c' : 'b'}${base.slice(i + 1)}`;
      seen.add(hashOfString(h, other).join(':'));
    }
    seen.add(hashOfString(h, base.slice(0, -1)).join(':'));
    seen.add(hashOfString(h, `${base}\0`).join(':'));
    expect(seen.size).toBe(base.length + 3);
  });

  it('is keyed: two hashers give the same id different hashes', () => {
    const a = hashOfString(new IdHash(), 'same-id-on-two-nodes');
    const b = hashOfString(new IdHash(), 'same-id-on-two-nodes');
    expect(a).not.toEqual(b);
  });

  it('tells apart 300,000 ids of one flood (no two share a hash)', () => {
    const h = new IdHash();
    const seen = new Set<string>();
    for (let k = 0; k < 300_000; k++) seen.add(hashOfString(h, `a3f09c1b2d4e5f60${k.toString(16).padStart(16, '0')}`).join(':'));
    expect(seen.size).toBe(300_000);
  });
});
