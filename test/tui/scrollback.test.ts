import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Scrollback } from '../../tui/scrollback.js';

describe('Scrollback', () => {
  it('keeps the newest `capacity` lines with stable sequence numbers', () => {
    const s = new Scrollback<string>(3);
    for (const l of ['a', 'b', 'c', 'd', 'e']) s.push(l);
    expect(s.length).toBe(3);
    expect([s.firstSeq, s.endSeq]).toEqual([2, 5]);
    expect([s.get(1), s.get(2), s.get(4), s.get(5)]).toEqual([undefined, 'c', 'e', undefined]);
    s.clear();
    expect(s.length).toBe(0);
    expect(s.push('f')).toBe(5);
  });

  it('rejects a capacity below 1', () => {
    expect(() => new Scrollback(0)).toThrow(RangeError);
  });

  it('behaves like the tail of an array', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.integer(), { maxLength: 100 }), (cap, items) => {
        const s = new Scrollback<number>(cap);
        for (const i of items) s.push(i);
        const tail = items.slice(-cap);
        expect(s.length).toBe(tail.length);
        for (let k = 0; k < tail.length; k++) expect(s.get(s.firstSeq + k)).toBe(tail[k]);
      }),
    );
  });
});
