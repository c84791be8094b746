import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clamp,
  formatXQueued,
  MAX_FIELD_NUMBER,
  parseRetryAfter,
  parseXQueueActive,
  parseXQueued,
  wantsQueue,
} from '../../protocols/gnutella/parq-header.js';

describe('PARQ and LimeWire queue headers (spec 5.4)', () => {
  it("reads gtk-gnutella's X-Queued, in any case and order, and writes it back in its order", () => {
    const id = '0123456789ABCDEF0123456789ABCDEF';
    const text = formatXQueued({ position: 3, length: 12, etaS: 180, lifetimeS: 600, id });
    expect(text).toBe(`position=3; length=12; ETA=180; lifetime=600; ID=${id}`);
    expect(parseXQueued(text)).toEqual({ position: 3, length: 12, etaS: 180, lifetimeS: 600, id });
    expect(parseXQueued(`ID=${id.toLowerCase()},POSITION=7`)).toEqual({ position: 7, id: id.toLowerCase() });
    expect(parseXQueued(['position=1; ID=abc', 'position=9'])).toEqual({ position: 1, id: 'abc' });
  });

  it('drops garbage fields instead of guessing: negative, fractional, too long, bad IDs', () => {
    expect(parseXQueued('position=-3; length=1e9; ETA=12.5; lifetime=9999999999; ID=a b')).toBeUndefined();
    expect(parseXQueued('position=2; ID=<script>')).toEqual({ position: 2 });
    expect(parseXQueued(`ID=${'A'.repeat(65)}`)).toBeUndefined();
    expect(parseXQueued(undefined)).toBeUndefined();
    expect(parseXQueued('')).toBeUndefined();
  });

  it("reads LimeWire's active queue", () => {
    expect(parseXQueueActive('position=2, pollMin=45, pollMax=120')).toEqual({ position: 2, pollMinS: 45, pollMaxS: 120 });
    expect(parseXQueueActive('1.1')).toBeUndefined();
    expect(parseXQueueActive('position=2')).toBeUndefined();
  });

  it('Retry-After as seconds only; X-Queue versions; clamps', () => {
    expect(parseRetryAfter('60')).toBe(60);
    expect(parseRetryAfter(' 99999999 ')).toBe(99_999_999);
    expect(parseRetryAfter('-5')).toBeUndefined();
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT')).toBeUndefined();
    expect(wantsQueue('1.1')).toBe(true);
    expect(wantsQueue('0.1')).toBe(true);
    expect(wantsQueue('yes')).toBe(false);
    expect(clamp(99_999_999, 1, 3600, 60)).toBe(3600);
    expect(clamp(undefined, 1, 3600, 60)).toBe(60);
    expect(clamp(0, 1, 3600, 60)).toBe(1);
    expect(clamp(Number.NaN, 1, 3600, 60)).toBe(60);
  });

  it('never throws on random text, and what it returns is bounded', () => {
    const anyText = fc.oneof(
      fc.string({ maxLength: 2000 }),
      fc.array(fc.constantFrom('position', 'length', 'ETA', 'lifetime', 'ID', 'pollMin', 'pollMax', '=', ';', ',', ' ', '-', '9', '99999999999', 'A'), { maxLength: 400 }).map((a) => a.join('')),
    );
    fc.assert(
      fc.property(anyText, (t) => {
        const q = parseXQueued(t);
        for (const n of [q?.position, q?.length, q?.etaS, q?.lifetimeS]) if (n !== undefined) expect(Number.isInteger(n) && n >= 0 && n <= MAX_FIELD_NUMBER).toBe(true);
        if (q?.id !== undefined) expect(q.id).toMatch(/^[0-9A-Za-z._~+/=-]{1,64}$/);
        const a = parseXQueueActive(t);
        for (const n of [a?.position, a?.pollMinS, a?.pollMaxS]) if (n !== undefined) expect(Number.isInteger(n) && n >= 0 && n <= MAX_FIELD_NUMBER).toBe(true);
        const r = parseRetryAfter(t);
        if (r !== undefined) expect(r >= 0 && r <= MAX_FIELD_NUMBER).toBe(true);
        expect(typeof wantsQueue(t)).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });
});
