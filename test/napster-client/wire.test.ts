import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAll } from '../../src/codec/decoder.js';
import { encodeFrame, payloadText } from '../../protocols/napster/codec.js';
import { NapFrameDecoder } from '../../protocols/napster/frame-decoder.js';
import { parseServerFrame } from '../../protocols/napster/client-server-messages.js';
import { fromWire, ipField, ipToNapster, quote, splitFields, toWire } from '../../protocols/napster/messages.js';
import { everySplit } from '../chunking.js';

/** The client reads server frames with the one shared codec (codec.ts, frame-decoder.ts, messages.ts). */
describe('napster framing and fields as the client reads them (napster.md §2, §3.1)', () => {
  it('parses the spec example and zero-length frames at every split point', () => {
    const input = Buffer.concat([Buffer.from('0500070061 6c 69 63 65'.replace(/ /g, ''), 'hex'), encodeFrame(202, ''), encodeFrame(404, 'x y')]);
    for (const chunks of everySplit(input)) {
      const d = new NapFrameDecoder();
      const out = chunks.flatMap((c) => decodeAll(d, c)).map(parseServerFrame);
      expect(out).toEqual([{ kind: 'text', type: 7, text: 'alice' }, { kind: 'search-end' }, { kind: 'notice', text: 'x y' }]);
    }
  });

  it('any server frame, any bytes: parseServerFrame never throws', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ maxLength: 2048 }), (type, bytes) => {
        const [f] = decodeAll(new NapFrameDecoder(), encodeFrame(type, Buffer.from(bytes)));
        expect(payloadText(f!)).toBe(Buffer.from(bytes).toString('latin1'));
        expect(() => parseServerFrame(f!)).not.toThrow();
      }),
    );
  });

  it('splits quoted and bare fields; an unterminated quote is unparsable; a quote never goes out inside a field', () => {
    expect(splitFields('bob "C:\\a b.mp3" 5000 ')).toEqual(['bob', 'C:\\a b.mp3', '5000']);
    expect(splitFields('"" x')).toEqual(['', 'x']);
    expect(splitFields('bob "open')).toBeUndefined();
    expect(quote('a"b')).toBe('"ab"');
  });

  it('addresses are little-endian u32 and text round-trips through UTF-8 bytes', () => {
    expect(ipField('16777343')).toBe('127.0.0.1');
    expect(ipToNapster('127.0.0.1')).toBe(16777343);
    expect(ipField('4294967296')).toBeUndefined();
    expect(ipField('12x')).toBeUndefined();
    expect(fromWire(toWire('Café ünïcode'))).toBe('Café ünïcode');
    expect(fromWire('caf\xe9')).toBe('caf\xe9');
  });

  it('reads the ignore-list answers 320-326 (§4.1) into what they say', () => {
    const parse = (type: number, text: string): unknown => parseServerFrame({ type, payload: Buffer.from(text, 'latin1') });
    expect(parse(321, 'dave')).toEqual({ kind: 'ignore', event: 'entry', nick: 'dave' });
    expect(parse(322, 'dave')).toEqual({ kind: 'ignore', event: 'added', nick: 'dave' });
    expect(parse(323, 'dave')).toEqual({ kind: 'ignore', event: 'removed', nick: 'dave' });
    expect(parse(324, 'dave')).toEqual({ kind: 'ignore', event: 'not-ignored', nick: 'dave' });
    expect(parse(325, 'dave')).toEqual({ kind: 'ignore', event: 'already', nick: 'dave' });
    expect(parse(320, '2')).toEqual({ kind: 'ignore-count', event: 'list', count: 2 });
    expect(parse(326, '3')).toEqual({ kind: 'ignore-count', event: 'cleared', count: 3 });
    expect(parse(322, '')).toMatchObject({ kind: 'malformed', type: 322 });
  });
});
