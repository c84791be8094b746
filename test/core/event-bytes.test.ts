/**
 * The `--json` bytes of chat.line events written straight into a buffer (src/event-bytes.ts,
 * issue 9) are exactly the UTF-8 of JSON.stringify's text, whatever the strings hold: quotes,
 * backslashes, controls, lone and paired surrogates, text decoded from invalid UTF-8, U+2028/9,
 * emoji, empty strings; and the room they ask for is never too little.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AppEvent } from '../../src/app-api.js';
import { chatLineRoom, jsonTextRoom, writeChatLine, writeEventJson, writeJsonText } from '../../src/event-bytes.js';
import { chatLine, hostile, num, type ChatLine } from './event-arbitraries.js';

/** What the line must be: JSON.stringify's text, newline included, as UTF-8. */
const expected = (e: AppEvent): Buffer => Buffer.from(JSON.stringify(e) + '\n', 'utf8');

/** writeChatLine into a buffer with exactly the room it asks for, after `pad` bytes of something else. */
function written(e: ChatLine, pad = 0): Buffer {
  const buf = Buffer.alloc(pad + chatLineRoom(e), 0xee);
  const end = writeChatLine(buf, pad, e);
  expect(end).toBeLessThanOrEqual(buf.length);
  expect(buf.subarray(0, pad).every((b) => b === 0xee)).toBe(true);
  return buf.subarray(pad, end);
}

describe('--json event bytes', () => {
  it('writes a string as the UTF-8 of what JSON.stringify puts between the quotes, within the room it asks for', () => {
    fc.assert(
      fc.property(hostile, fc.nat(8), (s, pad) => {
        const buf = Buffer.alloc(pad + jsonTextRoom(s));
        const end = writeJsonText(buf, pad, s);
        expect(buf.subarray(pad, end).toString('utf8')).toBe(JSON.stringify(s).slice(1, -1));
        expect(buf.subarray(pad, end).equals(Buffer.from(JSON.stringify(s).slice(1, -1), 'utf8'))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('writes plain ASCII followed by anything exactly as JSON.stringify does, wherever the plain run ends (the copy loop hands over to the escaping one)', () => {
    const plain = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7f }).filter((c) => c !== 0x22 && c !== 0x5c).map((c) => String.fromCharCode(c)), maxLength: 40 });
    fc.assert(
      fc.property(plain, hostile, fc.nat(8), (head, rest, pad) => {
        const s = head + rest;
        const buf = Buffer.alloc(pad + jsonTextRoom(s));
        const end = writeJsonText(buf, pad, s);
        expect(buf.subarray(pad, end).equals(Buffer.from(JSON.stringify(s).slice(1, -1), 'utf8'))).toBe(true);
      }),
      { numRuns: 5000 },
    );
    // Each character that ends a plain run, at each place.
    for (const stop of ['"', '\\', '\u001f', '\u0000', '\n', '\u0080', '\u00ff', '\u0100', '\u07ff', '\u0800', '\ud800', '\udc00', '\ud83d\ude00', '\uffff']) {
      for (let at = 0; at <= 3; at++) {
        const s = 'abc'.slice(0, at) + stop + 'x~\u007f';
        const buf = Buffer.alloc(jsonTextRoom(s));
        const end = writeJsonText(buf, 0, s);
        expect(buf.subarray(0, end).toString('utf8')).toBe(JSON.stringify(s).slice(1, -1));
      }
    }
  });

  it('writes every single UTF-16 unit as JSON.stringify does (each control, each surrogate alone)', () => {
    for (let c = 0; c <= 0xffff; c++) {
      const s = String.fromCharCode(c);
      const buf = Buffer.alloc(jsonTextRoom(s));
      const end = writeJsonText(buf, 0, s);
      expect(buf.subarray(0, end).equals(Buffer.from(JSON.stringify(s).slice(1, -1), 'utf8'))).toBe(true);
    }
  });

  it('writes chat.line events exactly as JSON.stringify does, hostile strings and odd numbers included', () => {
    fc.assert(
      fc.property(chatLine, fc.nat(16), (e, pad) => {
        expect(written(e, pad).equals(expected(e))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('writes runs of chat.line events that repeat a kind, nick, origin or time exactly as JSON.stringify does (the pieces kept between lines)', () => {
    const few = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T[]> => fc.array(arb, { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(few(hostile), few(hostile), few(num), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), hostile, fc.option(hostile, { nil: undefined })), { minLength: 1, maxLength: 20 }), (nicks, origins, ats, picks) => {
        for (const [n, o, t, text, signedBy] of picks) {
          const e: ChatLine = { type: 'chat.line', protocol: t % 4 === 3 ? 'other' : 'chat', kind: (['msg', 'action', 'join'] as const)[t % 3]!, id: `x${n}${t}`, nick: nicks[n % nicks.length]!, text, origin: origins[o % origins.length]!, at: ats[t % ats.length]!, hops: 1 + (o % 2), self: t % 2 === 0 };
          if (signedBy !== undefined && n % 2 === 0) (e.signedBy = signedBy), (e.contact = o % 2 === 0);
          expect(written(e).equals(expected(e))).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('leaves out an optional field that is present but undefined, as JSON.stringify does', () => {
    const e: ChatLine = { type: 'chat.line', protocol: 'chat', kind: 'msg', id: 'x', nick: 'n', text: 't', origin: 'o', at: 1, hops: 0, self: true, signedBy: undefined, contact: undefined };
    expect(written(e).equals(expected(e))).toBe(true);
  });

  it('takes a chat.line only when it fits in what is left of the buffer, and no other event', () => {
    const e: ChatLine = { type: 'chat.line', protocol: 'chat', kind: 'msg', id: 'abc', nick: 'ann', text: 'hi "there"', origin: 'o', at: 1_700_000_000_000, hops: 2, self: false };
    const room = chatLineRoom(e);
    const buf = Buffer.alloc(room + 10);
    expect(writeEventJson(buf, 11, e)).toBe(-1);
    const end = writeEventJson(buf, 10, e);
    expect(buf.subarray(10, end).equals(expected(e))).toBe(true);
    expect(writeEventJson(buf, 0, { type: 'notice', protocol: 'chat', text: 'hi' })).toBe(-1);
  });
});
