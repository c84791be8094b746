import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAll } from '../../src/codec/decoder.js';
import { LineDecoder } from '../../src/codec/line-decoder.js';
import { NetError } from '../../src/errors.js';
import { everySplit, splitAt } from '../chunking.js';

function decodeChunks(chunks: Buffer[], max = 64): string[] {
  const d = new LineDecoder({ maxLineBytes: max });
  return chunks.flatMap((c) => decodeAll(d, c));
}

describe('LineDecoder', () => {
  it('splits LF and CRLF lines, keeping UTF-8 intact across chunks', () => {
    const text = Buffer.from('héllo\r\nwörld\n\nlast');
    const lines = decodeChunks([...text].map((b) => Buffer.from([b])));
    expect(lines).toEqual(['héllo', 'wörld', '']);
  });

  it('gives the same lines fed one byte at a time or split at every index', () => {
    const input = Buffer.from('MSG a 3 b 1 n :hi\r\nPING x\nPONG y\r\n');
    const whole = decodeChunks([input]);
    expect(whole).toEqual(['MSG a 3 b 1 n :hi', 'PING x', 'PONG y']);
    for (const chunks of everySplit(input)) expect(decodeChunks(chunks)).toEqual(whole);
  });

  it('throws LINE_TOO_LONG as soon as an unterminated line passes the limit', () => {
    const d = new LineDecoder({ maxLineBytes: 8 });
    expect(decodeAll(d, Buffer.from('12345678'))).toEqual([]);
    expect(() => decodeAll(d, Buffer.from('9'))).toThrowError(expect.objectContaining({ code: 'LINE_TOO_LONG' }));
  });

  it('hands over an unterminated last line at end of stream, within the limit only', () => {
    const d = new LineDecoder({ maxLineBytes: 8 });
    expect(decodeAll(d, Buffer.from('a\nlast\r'))).toEqual(['a']);
    expect(d.end()).toBe('last');
    expect(d.end()).toBeUndefined();
    const e = new LineDecoder({ maxLineBytes: 8 });
    expect(decodeAll(e, Buffer.from('\n'))).toEqual(['']);
    expect(e.end()).toBeUndefined();
  });

  it('accepts a line exactly at the limit with CRLF split across chunks', () => {
    const d = new LineDecoder({ maxLineBytes: 4 });
    expect(decodeAll(d, Buffer.from('abcd\r'))).toEqual([]);
    expect(decodeAll(d, Buffer.from('\n'))).toEqual(['abcd']);
  });

  it('random bytes in random chunks give lines or a NetError, never unbounded memory (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 30 }), (chunks) => {
        const d = new LineDecoder({ maxLineBytes: 100 });
        try {
          for (const c of chunks) {
            decodeAll(d, Buffer.from(c));
            expect(d.buffered).toBeLessThanOrEqual(100 + 1 + 200);
          }
        } catch (err) {
          expect(err).toBeInstanceOf(NetError);
        }
      }),
    );
  });

  it('any chunking of valid lines yields the same lines (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, '')), { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 10 }), (lines, cuts) => {
        const buf = Buffer.from(lines.map((l) => l + '\n').join(''));
        expect(decodeChunks(splitAt(buf, cuts), 1000)).toEqual(lines);
      }),
    );
  });
});
