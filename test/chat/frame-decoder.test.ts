import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChatFrameDecoder, type ChatFrame } from '../../protocols/chat/frame-decoder.js';
import { everySplit, splitAt } from '../chunking.js';

const LIMIT = 64;

/** The obvious per-line rule: lines up to the first fault (too long, NUL, not UTF-8). */
function naive(input: Buffer): string[] {
  const out: string[] = [];
  let start = 0;
  for (let nl = input.indexOf(0x0a); nl !== -1; nl = input.indexOf(0x0a, start)) {
    let line = input.subarray(start, nl);
    start = nl + 1;
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, -1);
    if (line.length > LIMIT) return [...out, 'fault:LINE_TOO_LONG'];
    if (line.includes(0) || !isUtf8(line)) return [...out, 'fault:BAD_MESSAGE'];
    out.push(line.toString());
  }
  // An unterminated rest longer than the limit is refused at once (a trailing CR may still end it).
  if (input.length - start - (input[input.length - 1] === 0x0d ? 1 : 0) > LIMIT) out.push('fault:LINE_TOO_LONG');
  return out;
}

function decode(chunks: Buffer[]): string[] {
  const d = new ChatFrameDecoder(LIMIT);
  const out: string[] = [];
  for (const c of chunks) {
    d.push(c);
    for (let f: ChatFrame | undefined = d.next(); f !== undefined; f = d.next()) out.push('fault' in f ? `fault:${f.fault.code}` : f.line);
  }
  return out;
}

const piece = fc.oneof(
  fc.string({ maxLength: 20, unit: 'grapheme' }).map((s) => Buffer.from(s)),
  fc.constantFrom(Buffer.from('\n'), Buffer.from('\r\n'), Buffer.from([0]), Buffer.from([0xff]), Buffer.from([0xc3]), Buffer.from([0xe2, 0x82]), Buffer.from('é')),
);
const stream = fc.array(piece, { maxLength: 40 }).map((p) => Buffer.concat(p));

describe('ChatFrameDecoder (UTF-8 checked once per chunk)', () => {
  it('yields the same lines and faults as checking line by line, for any bytes and any chunking', () => {
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 12 }), (input, cuts) => {
        expect(decode(splitAt(input, cuts))).toEqual(naive(input));
      }),
      { numRuns: 2000 },
    );
  });

  it('finds a bad byte in a chunk of good lines at every split point', () => {
    const input = Buffer.concat([Buffer.from('one\ntwo é\n'), Buffer.from([0x74, 0xff, 0x0a]), Buffer.from('four\n')]);
    for (const chunks of everySplit(input)) expect(decode(chunks)).toEqual(['one', 'two é', 'fault:BAD_MESSAGE']);
  });

  it('gives the same lines when chunks pile up before they are pulled (a paused link)', () => {
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 12 }), fc.array(fc.boolean(), { maxLength: 13 }), (input, cuts, pulls) => {
        const d = new ChatFrameDecoder(LIMIT);
        const out: string[] = [];
        const pull = (): void => {
          for (let f: ChatFrame | undefined = d.next(); f !== undefined; f = d.next()) out.push('fault' in f ? `fault:${f.fault.code}` : f.line);
        };
        splitAt(input, cuts).forEach((c, i) => {
          d.push(c);
          if (pulls[i] === true) pull();
        });
        pull();
        expect(out).toEqual(naive(input));
      }),
      { numRuns: 2000 },
    );
  });

  it('hands over exactly the bytes it has not split (buffered, takeRest) at any point', () => {
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 12 }), fc.nat(), (input, cuts, stopAfter) => {
        const d = new ChatFrameDecoder(1 << 20);
        let taken = 0;
        const chunks = splitAt(input, cuts);
        for (const c of chunks.slice(0, (stopAfter % chunks.length) + 1)) {
          d.push(c);
          for (let f: ChatFrame | undefined = d.next(); f !== undefined; f = d.next()) {
            if ('fault' in f) return; // a binary line: the rest is dropped, not handed over
            const lf = input.indexOf(0x0a, taken);
            // The frame is the line's bytes; buf[end] is its LF only for a bare LF in the chunk it
            // came in (what lets a relay forward runs of lines as pieces of the chunk).
            expect(f.bytes.equals(input.subarray(taken, input[lf - 1] === 0x0d && lf > taken ? lf - 1 : lf))).toBe(true);
            if (f.buf[f.end] === 0x0a) expect(input[lf - 1] === 0x0d && lf > taken).toBe(false);
            taken = lf + 1;
          }
        }
        const pushed = Buffer.concat(chunks.slice(0, (stopAfter % chunks.length) + 1)).length;
        expect(d.buffered).toBe(pushed - taken);
        expect(Buffer.concat(d.takeRest()).equals(input.subarray(taken, pushed))).toBe(true);
        expect(d.buffered).toBe(0);
      }),
      { numRuns: 2000 },
    );
  });
});
