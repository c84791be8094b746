import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteQueue } from '../../src/codec/byte-queue.js';
import { decodeAll } from '../../src/codec/decoder.js';
import { HeaderBlockDecoder } from '../../src/codec/header-block-decoder.js';
import { LineDecoder } from '../../src/codec/line-decoder.js';
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

  it('answers byteAt, indexOf and indexOfSeq like one flat buffer through any mix of pushes, lookups and consumes (property)', () => {
    const op = fc.oneof(
      fc.record({ push: fc.uint8Array({ maxLength: 5 }) }),
      fc.record({ at: fc.integer({ min: -2, max: 40 }) }),
      fc.record({ find: fc.integer({ min: 0, max: 3 }), from: fc.integer({ min: -1, max: 40 }) }),
      fc.record({ seq: fc.uint8Array({ minLength: 1, maxLength: 3 }).map((a) => a.map((b) => b % 4)), from: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ consume: fc.nat({ max: 8 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const q = new ByteQueue();
        let flat = Buffer.alloc(0);
        for (const o of ops) {
          if ('push' in o) {
            const c = Buffer.from(o.push.map((b) => b % 4));
            q.push(c);
            flat = Buffer.concat([flat, c]);
          } else if ('at' in o) {
            expect(q.byteAt(o.at)).toBe(o.at >= 0 && o.at < flat.length ? flat[o.at] : -1);
          } else if ('find' in o) {
            const want = o.from >= flat.length ? -1 : flat.indexOf(o.find, Math.max(0, o.from));
            expect(q.indexOf(o.find, o.from)).toBe(want);
          } else if ('seq' in o) {
            const want = o.from > flat.length ? -1 : flat.indexOf(Buffer.from(o.seq), o.from);
            expect(q.indexOfSeq(Buffer.from(o.seq), o.from)).toBe(want);
          } else {
            expect(q.consume(o.consume).equals(flat.subarray(0, o.consume))).toBe(true);
            flat = flat.subarray(Math.min(o.consume, flat.length));
          }
          expect(q.length).toBe(flat.length);
        }
      }),
      { numRuns: 500 },
    );
  });

  // A peer that sends a long line or header block one byte per TCP segment makes one chunk
  // per byte. Each lookup used to walk every chunk from the front: 64 KiB this way took
  // 17 s (a line) and 50 s (a header block) of one core; linear, it takes milliseconds.
  it('costs linear time for input that arrives one byte per chunk', () => {
    const n = 65_536;
    const one = Buffer.from('a');
    const lf = Buffer.from('\n');
    let lines = 0;
    let t = performance.now();
    const line = new LineDecoder({ maxLineBytes: n });
    for (let i = 0; i < n; i++) lines += decodeAll(line, one).length;
    lines += decodeAll(line, lf).length;
    expect(lines).toBe(1);
    // Linear, a few tens of ms; quadratic, 17 s. The margin is for a loaded machine.
    expect(performance.now() - t).toBeLessThan(5_000);
    let blocks = 0;
    t = performance.now();
    const block = new HeaderBlockDecoder(n + 2);
    for (let i = 0; i < n; i++) blocks += decodeAll(block, i % 2 === 1 ? lf : one).length;
    blocks += decodeAll(block, lf).length;
    expect(blocks).toBe(1);
    expect(performance.now() - t).toBeLessThan(5_000);
  }, 120_000);
});
