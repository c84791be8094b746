/**
 * `/search` options typed by a user (README "Commands"): any words give a
 * query or a USAGE error, never another failure, and a query holds only what
 * a protocol can send.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NetError } from '../../src/errors.js';
import { parseSearchArgs, parseSize } from '../../src/search/search-query.js';

const word = fc.oneof(
  fc.constantFrom('-p', '-min', '-max', '-type', '-ext', '--', '-', 'audio', '700k', '1.5G', '4M', '0', '-1', 'mp3', '.mp3', 'pplus2'),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

describe('parseSearchArgs', () => {
  it('any words give a query a protocol can send, or a USAGE error', () => {
    fc.assert(
      fc.property(fc.array(word, { maxLength: 10 }), (args) => {
        let r: ReturnType<typeof parseSearchArgs>;
        try {
          r = parseSearchArgs(args);
        } catch (err) {
          if (!(err instanceof NetError) || err.code !== 'USAGE') throw err;
          return;
        }
        const q = r.query;
        expect(q.text.trim()).not.toBe('');
        expect(Buffer.byteLength(q.text)).toBeLessThanOrEqual(256);
        expect(q.text).not.toMatch(/[\u0000-\u001f\u007f]/);
        for (const n of [q.minSize, q.maxSize]) if (n !== undefined) expect(Number.isSafeInteger(n) && n >= 0).toBe(true);
        if (q.minSize !== undefined && q.maxSize !== undefined) expect(q.minSize).toBeLessThanOrEqual(q.maxSize);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads sizes in powers of 1024', () => {
    expect(parseSize('700', '-min')).toBe(700);
    expect(parseSize('700k', '-min')).toBe(700 * 1024);
    expect(parseSize('1.5G', '-min')).toBe(1.5 * 1024 ** 3);
    for (const bad of ['', 'k', '-1', '1e3', '0x10', 'Infinity', '99999999999999999999G', ' 1']) {
      expect(() => parseSize(bad, '-min'), bad).toThrowError(expect.objectContaining({ code: 'USAGE' }));
    }
  });
});
