import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteQueue } from '../../src/codec/byte-queue.js';
import { splitAt } from '../chunking.js';

describe('ByteQueue', () => {
  it('consumes across chunk boundaries', () => {
    const q = new ByteQueue();
    q.push(Buffer.from('ab'));
    q.push(Buffer.from('cde'));
    q.push(Buffer.from('f'));
    expect(q.length).toBe(6);
    expect(q.consume(3).toString()).toBe('abc');
    expect(q.peek(2).toString()).toBe('de');
    expect(q.indexOf(0x66)).toBe(2);
    expect(q.consume(10).toString()).toBe('def');
    expect(q.length).toBe(0);
  });

  it('behaves like one flat buffer for any chunking (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 8 }), fc.array(fc.nat({ max: 40 }), { maxLength: 10 }), (bytes, cuts, takes) => {
        const flat = Buffer.from(bytes);
        const q = new ByteQueue();
        for (const c of splitAt(flat, cuts)) q.push(c);
        let off = 0;
        for (const t of takes) {
          const needle = flat[off + 1];
          if (needle !== undefined) {
            const expected = flat.indexOf(needle, off);
            expect(q.indexOf(needle) + off).toBe(expected);
          }
          const got = q.consume(t);
          expect(got.equals(flat.subarray(off, off + t))).toBe(true);
          off = Math.min(flat.length, off + t);
          expect(q.length).toBe(flat.length - off);
        }
        expect(Buffer.concat(q.drain()).equals(flat.subarray(off))).toBe(true);
      }),
    );
  });

  it('finds a multi-byte sequence that straddles chunks', () => {
    const q = new ByteQueue();
    for (const c of ['GET / HTTP/1.1\r', '\n', 'Host: x\r\n\r', '\nrest']) q.push(Buffer.from(c));
    expect(q.indexOfSeq(Buffer.from('\r\n\r\n'))).toBe(23);
  });
});
