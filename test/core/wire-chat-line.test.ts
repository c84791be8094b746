/**
 * chat.line events that still hold the bytes a relay received (src/wire-chat-line.ts, issue 9):
 * their `--json` bytes, written from those bytes (writeJsonBytes), are exactly the UTF-8 of
 * JSON.stringify's text of the plain event with the decoded id and text, whatever the bytes
 * hold; JSON.stringify of the event itself gives the same text; and an event that has to wait
 * in the outbox as an object waits as its plain event (what it prints no longer depends on
 * the received bytes, nor on the one object a relay shows every line through).
 */
import { isUtf8 } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppEvent, ChatLineKind } from '../../src/app-api.js';
import { wireChatLineRoom, writeEventJson, writeJsonBytes } from '../../src/event-bytes.js';
import { eventJsonLine } from '../../src/event-json.js';
import { EventOutbox } from '../../src/event-outbox.js';
import { WireChatLine } from '../../src/wire-chat-line.js';
import { socketPair } from '../socket-pair.js';
import { hostile, num, type ChatLine } from './event-arbitraries.js';

/** Bytes as a relay may hold them: valid UTF-8 (a chat link checks every line), hostile text included. */
const utf8Bytes = fc.oneof(
  hostile.map((s) => Buffer.from(s, 'utf8')),
  fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)).filter((b) => isUtf8(b)),
  fc.array(fc.constantFrom('"', '\\', '\t', '\u0001', '\u001f', '\u007f', '\u0085', 'é', '\u2028', '\ud83d\ude00', 'a', ' '), { maxLength: 12 }).map((a) => Buffer.from(a.join(''), 'utf8')),
);

const kind = fc.constantFrom<ChatLineKind>('msg', 'action', 'join', 'part', 'nick');

/** A WireChatLine over `pad`, its id, junk, its text and junk, and the plain event it stands for. */
const wireLine = fc
  .tuple(fc.oneof(fc.constant('chat'), hostile), kind, utf8Bytes, hostile, utf8Bytes, hostile, num, num, fc.boolean(), fc.nat(8), fc.uint8Array({ maxLength: 8 }))
  .map(([protocol, k, id, nick, text, origin, at, hops, self, pad, junk]) => {
    const bytes = Buffer.concat([Buffer.alloc(pad, 0x22), id, junk, text, junk]);
    const idAt = pad;
    const textAt = pad + id.length + junk.length;
    const wire = new WireChatLine().set(protocol, k, bytes, idAt, idAt + id.length, nick, textAt, textAt + text.length, origin, at, hops, self);
    const plain: ChatLine = { type: 'chat.line', protocol, kind: k, id: id.toString('utf8'), nick, text: text.toString('utf8'), origin, at, hops, self };
    return { wire, plain, bytes };
  });

const expected = (e: AppEvent): Buffer => Buffer.from(JSON.stringify(e) + '\n', 'utf8');

describe('chat lines as their received bytes (WireChatLine)', () => {
  it('writes UTF-8 bytes as the UTF-8 of what JSON.stringify puts between the quotes for their text, within 6 bytes a byte', () => {
    fc.assert(
      fc.property(utf8Bytes, fc.nat(8), (b, pad) => {
        const src = Buffer.concat([Buffer.from('"\\\n'), b, Buffer.from('\u0000')]);
        const buf = Buffer.alloc(pad + 6 * b.length, 0xee);
        const end = writeJsonBytes(buf, pad, src, 3, 3 + b.length);
        expect(end).toBeLessThanOrEqual(buf.length);
        expect(buf.subarray(pad, end).equals(Buffer.from(JSON.stringify(b.toString('utf8')).slice(1, -1), 'utf8'))).toBe(true);
      }),
      { numRuns: 5000 },
    );
    // Every single byte that is UTF-8 on its own (controls, DEL, quote, backslash).
    for (let c = 0; c < 0x80; c++) {
      const buf = Buffer.alloc(6);
      const end = writeJsonBytes(buf, 0, Buffer.from([c]), 0, 1);
      expect(buf.subarray(0, end).toString('utf8')).toBe(JSON.stringify(String.fromCharCode(c)).slice(1, -1));
    }
  });

  it('copies four bytes at a time only while none of them changes: every byte JSON escapes, at every place in and around a word, from and into arrays at any offset, one array reused with new contents', () => {
    // The bytes that change, and neighbours of each that do not (0x7f and a UTF-8 pair pass as they are).
    const specials = [...Array.from({ length: 0x20 }, (_, c) => c), 0x22, 0x5c];
    const plain = [0x20, 0x21, 0x23, 0x5b, 0x5d, 0x7e, 0x7f];
    const backing = Buffer.alloc(64);
    const out = Buffer.alloc(256);
    for (let len = 1; len <= 13; len++) {
      for (let at = 0; at < len; at++) {
        for (const c of [...specials, ...plain]) {
          for (let shift = 0; shift < 4; shift++) {
            // One source array and one target array, their contents rewritten each time.
            const src = backing.subarray(3, 3 + 4 + 13);
            src.fill(0x61);
            src[shift + at] = c;
            if (c === 0x7f && at + 1 < len) (src[shift + at] = 0xc3), (src[shift + at + 1] = 0xa9); // é
            const text = src.subarray(shift, shift + len).toString('utf8');
            const end = writeJsonBytes(out, 1 + shift, src, shift, shift + len);
            expect(out.subarray(1 + shift, end).toString('utf8')).toBe(JSON.stringify(text).slice(1, -1));
          }
        }
      }
    }
  });

  it('prints the same --json line as the plain event, from the bytes, within the room it asks for; reads and JSON.stringifies as the plain event', () => {
    fc.assert(
      fc.property(wireLine, fc.nat(8), ({ wire, plain }, pad) => {
        const buf = Buffer.alloc(pad + wireChatLineRoom(wire), 0xee);
        const end = writeEventJson(buf, pad, wire);
        expect(end).toBeGreaterThan(pad);
        expect(buf.subarray(pad, end).equals(expected(plain))).toBe(true);
        expect(writeEventJson(Buffer.alloc(pad + wireChatLineRoom(wire) - 1), pad, wire)).toBe(-1);
        expect(JSON.stringify(wire)).toBe(JSON.stringify(plain));
        expect(eventJsonLine(wire)).toBe(JSON.stringify(plain) + '\n');
        expect([wire.id, wire.text, wire.nick, wire.origin, wire.kind]).toEqual([plain.id, plain.text, plain.nick, plain.origin, plain.kind]);
      }),
      { numRuns: 3000 },
    );
  });

  it('toJSON() keeps a line: the plain event, the same after the bytes are written over and the object carries another line', () => {
    fc.assert(
      fc.property(wireLine, wireLine, ({ wire, plain, bytes }, next) => {
        const kept = wire.toJSON();
        bytes.fill(0x58);
        const n = next.wire;
        wire.set(n.protocol, n.kind, n.bytes, n.idAt, n.idEnd, n.nick, n.textAt, n.textEnd, n.origin, n.at, n.hops, n.self);
        expect(kept).toEqual(plain);
        expect(eventJsonLine(kept)).toBe(JSON.stringify(plain) + '\n');
        expect(JSON.stringify(wire)).toBe(JSON.stringify(next.plain));
      }),
      { numRuns: 500 },
    );
  });
});

const closers: Array<() => void> = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

describe('EventOutbox with chat lines as their received bytes', () => {
  it('holds back lines while the reader is slow and prints each as its plain event, even once the received bytes are written over and the one object carried the next lines (a line too big for a batch waits as its plain event)', async () => {
    const { out, inn, close } = await socketPair();
    closers.push(close);
    inn.pause();
    const outbox = new EventOutbox(out, eventJsonLine, { encode: writeEventJson, reuseBatches: true });
    const want: string[] = [];
    const filler = (i: number): AppEvent => ({ type: 'notice', protocol: 'chat', text: `filler ${i} ${'f'.repeat(200)}` });
    // Fill the socket until the outbox holds events back.
    for (let i = 0; outbox.queued === 0; i++) {
      const e = filler(i);
      outbox.push(e);
      want.push(JSON.stringify(e));
      if (i % 100 === 99) await new Promise((r) => setImmediate(r));
    }
    const sources: Buffer[] = [];
    const one = new WireChatLine(); // as a relay does: one object, line after line
    for (let i = 0; i < 300; i++) {
      const text = i === 150 ? `big "${'\t'.repeat(20_000)}" é` : `line ${i} "quoted" \\ \t é \ud83d\ude00`;
      const chunk = Buffer.from(`MSG id${i} ${text}`, 'utf8');
      sources.push(chunk);
      const idEnd = chunk.indexOf(0x20, 4);
      const e = one.set('chat', 'msg', chunk, 4, idEnd, 'ann', idEnd + 1, chunk.length, 'o1', 1_700_000_000_000, 1, false);
      outbox.push(e);
      want.push(JSON.stringify({ type: 'chat.line', protocol: 'chat', kind: 'msg', id: `id${i}`, nick: 'ann', text, origin: 'o1', at: 1_700_000_000_000, hops: 1, self: false }));
    }
    expect(outbox.queued).toBeGreaterThan(300);
    for (const s of sources) s.fill(0x58); // the received chunks, read into again
    const lines: string[] = [];
    const decoder = new StringDecoder('utf8');
    let rest = '';
    const done = new Promise<void>((resolve) => {
      inn.on('data', (c: Buffer) => {
        const parts = (rest + decoder.write(c)).split('\n');
        rest = parts.pop() ?? '';
        lines.push(...parts);
        if (lines.length >= want.length) resolve();
      });
    });
    inn.resume();
    await done;
    expect(lines).toEqual(want);
  });
});
