import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAll } from '../../src/codec/decoder.js';
import { LineDecoder } from '../../src/codec/line-decoder.js';
import { NetError } from '../../src/errors.js';
import { AnswerCollector } from '../../protocols/pplus2/answer.js';
import { encodeAnswer, encodeLine, formatPeerAddress, parsePeerAddress } from '../../protocols/pplus2/codec.js';
import { MAX_LINE_BYTES } from '../../protocols/pplus2/constants.js';
import { PeerList, RateGate } from '../../protocols/pplus2/peer-list.js';

describe('peer addresses', () => {
  it('parses literal IPs with a base port whose p+2 is a port', () => {
    expect(parsePeerAddress('127.0.0.1:6000')).toEqual({ host: '127.0.0.1', port: 6000 });
    expect(parsePeerAddress('[::1]:6000')).toEqual({ host: '::1', port: 6000 });
    expect(parsePeerAddress('127.0.0.1:65533')).toBeDefined();
    for (const bad of ['127.0.0.1:65534', '127.0.0.1:0', 'localhost:6000', '::1:6000', '[127.0.0.1]:6000', '1.2.3.4', '1.2.3.4:', '300.1.1.1:5', ' 1.2.3.4:5', '1.2.3.4:5 x', '']) {
      expect(parsePeerAddress(bad), bad).toBeUndefined();
    }
  });

  it('round-trips and never throws on random text', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 1, max: 65_533 }), (host, port) => {
        expect(parsePeerAddress(formatPeerAddress({ host, port }))).toEqual({ host, port });
      }),
    );
    fc.assert(fc.property(fc.string({ maxLength: 64 }), (s) => void parsePeerAddress(s)));
  });
});

describe('lines and answers', () => {
  it('refuses to send what it would refuse to read', () => {
    expect(encodeLine('abc')).toBe('abc\n');
    expect(() => encodeLine('a\nb')).toThrow(NetError);
    expect(() => encodeLine('a\u0000')).toThrow(NetError);
    expect(() => encodeLine('x'.repeat(MAX_LINE_BYTES + 1))).toThrow(NetError);
  });

  it('bounds answers by lines and bytes and skips unencodable items', () => {
    expect(encodeAnswer(['a', 'b\nc', 'd'], 10, 100)).toBe('a\nd\n');
    expect(encodeAnswer(['a', 'b', 'c'], 2, 100)).toBe('a\nb\n');
    expect(encodeAnswer(['aaaa', 'bbbb'], 10, 7)).toBe('aaaa\n');
  });

  it('decodes any answer the same way under any chunking, within the collector limits', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme-ascii', maxLength: 40 }), { maxLength: 30 }), fc.array(fc.nat(200), { maxLength: 10 }), (items, cuts) => {
        const wire = Buffer.from(encodeAnswer(items, 20, 10_000));
        const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
        const dec = new LineDecoder({ maxLineBytes: MAX_LINE_BYTES });
        const got: string[] = [];
        let at = 0;
        for (const p of [...points, wire.length]) {
          got.push(...decodeAll(dec, wire.subarray(at, p)));
          at = p;
        }
        const col = new AnswerCollector({ maxLines: 10, maxBytes: 200 });
        for (const l of got) if (col.add(l)) break;
        const expected = items.filter((i) => !/[\r\n\u0000]/.test(i)).slice(0, 20);
        expect(got).toEqual(expected);
        expect(col.lines.length).toBeLessThanOrEqual(10);
      }),
    );
  });

  it('random bytes give lines or LINE_TOO_LONG, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
        const dec = new LineDecoder({ maxLineBytes: MAX_LINE_BYTES });
        try {
          decodeAll(dec, Buffer.from(bytes));
        } catch (err) {
          expect((err as NetError).code).toBe('LINE_TOO_LONG');
        }
        expect(dec.buffered).toBeLessThanOrEqual(MAX_LINE_BYTES + 1);
      }),
    );
  });

  it('the collector stops at its limits', () => {
    const c = new AnswerCollector({ maxLines: 2, maxBytes: 100 });
    expect(c.add('a')).toBeUndefined();
    expect(c.add('b')).toBeUndefined();
    expect(c.add('c')?.code).toBe('LIMIT');
    const d = new AnswerCollector({ maxLines: 100, maxBytes: 5 });
    expect(d.add('abcd')).toBeUndefined();
    expect(d.add('e')?.code).toBe('LIMIT');
    expect(d.lines).toEqual(['abcd']);
  });
});

describe('peer list policy', () => {
  it('is bounded, excludes self, round-robins and forgets failing peers', () => {
    const l = new PeerList('127.0.0.1:1', 3);
    expect(l.add({ host: '127.0.0.1', port: 1 })).toBe(false);
    expect(l.add({ host: '127.0.0.1', port: 2 })).toBe(true);
    expect(l.add({ host: '127.0.0.1', port: 2 })).toBe(false);
    l.add({ host: '127.0.0.1', port: 3 });
    l.add({ host: '127.0.0.1', port: 4 });
    expect(l.add({ host: '127.0.0.1', port: 5 })).toBe(false);
    expect([l.next()?.port, l.next()?.port, l.next()?.port, l.next()?.port]).toEqual([2, 3, 4, 2]);
    expect(l.failed('127.0.0.1:3')).toBe(false);
    l.succeeded('127.0.0.1:3');
    expect(l.failed('127.0.0.1:3')).toBe(false);
    expect(l.failed('127.0.0.1:3')).toBe(false);
    expect(l.failed('127.0.0.1:3')).toBe(true);
    expect(l.keys()).toEqual(['127.0.0.1:2', '127.0.0.1:4']);
    l.setSelf('127.0.0.1:2');
    expect(l.keys()).toEqual(['127.0.0.1:4']);
  });

  it('rate gate allows one per interval', () => {
    const g = new RateGate(10_000);
    expect(g.allow(0)).toBe(true);
    expect(g.allow(9_999)).toBe(false);
    expect(g.allow(10_000)).toBe(true);
    expect(g.allow(15_000)).toBe(false);
  });
});

describe('answer fixtures under every split', () => {
  const fixtures: Array<[string, string[]]> = [
    ['127.0.0.1:6000\n10.0.0.2:7000\r\n[::1]:6000\n', ['127.0.0.1:6000', '10.0.0.2:7000', '[::1]:6000']],
    ['Björk - Jóga.mp3\nnotes.txt\n\n', ['Björk - Jóga.mp3', 'notes.txt', '']],
  ];
  for (const [wire, lines] of fixtures) {
    it(`decodes ${JSON.stringify(wire.slice(0, 20))} byte by byte and split at every index`, () => {
      const bytes = Buffer.from(wire);
      const one = new LineDecoder({ maxLineBytes: MAX_LINE_BYTES });
      const got: string[] = [];
      for (const b of bytes) got.push(...decodeAll(one, Buffer.from([b])));
      expect(got).toEqual(lines);
      for (let i = 0; i <= bytes.length; i++) {
        const d = new LineDecoder({ maxLineBytes: MAX_LINE_BYTES });
        expect([...decodeAll(d, bytes.subarray(0, i)), ...decodeAll(d, bytes.subarray(i))]).toEqual(lines);
      }
    });
  }
});
