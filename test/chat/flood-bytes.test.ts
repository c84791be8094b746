import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { encode, encodeLine, parseLine } from '../../protocols/chat/codec.js';
import { floodId, floodIdAt, floodIdEnd, forwardedLength, parseFloodAt, parseFloodBytes, rewriteHops, WireFlood, writeForwarded } from '../../protocols/chat/flood-bytes.js';
import { NetError } from '../../src/errors.js';
import { flood } from './arbitraries.js';

/** parseLine's answer for a line: the message, or the NetError it throws. */
function slow(line: string): unknown {
  try {
    return parseLine(line);
  } catch (err) {
    if (err instanceof NetError) return { error: err.code, message: err.message };
    throw err;
  }
}

/** The byte path's answer: the same shapes, or 'general' when it leaves the line to parseLine. */
function fastWith(line: string, useId: boolean): unknown {
  try {
    const b = Buffer.from(line);
    const w = parseFloodBytes(b, useId ? floodId(b) : undefined);
    return w === undefined ? 'general' : w.message;
  } catch (err) {
    if (err instanceof NetError) return { error: err.code, message: err.message };
    throw err;
  }
}

/** The same answer whether the id read first by floodId (the relay's way) is handed in or not. */
function fast(line: string): unknown {
  const relayed = fastWith(line, true);
  expect(fastWith(line, false)).toEqual(relayed);
  return relayed;
}

const verbs = ['MSG', 'ACT', 'JOIN', 'PART', 'NICK'];
/** Valid lines with one random edit: a byte replaced, inserted or deleted somewhere. */
const mutated = fc
  .tuple(
    flood.map(encode),
    fc.nat(),
    fc.constantFrom('', ' ', '  ', ':', 'x', '0', '9999', '\t', '\u0001', '\u0085', 'é', '-', '_', '.', '\r'),
    fc.nat({ max: 3 }),
  )
  .map(([line, at, piece, cut]) => {
    const i = at % (line.length + 1);
    return line.slice(0, i) + piece + line.slice(Math.min(line.length, i + cut));
  });
/** Lines that start with a flood verb and continue with random words. */
const verbish = fc
  .tuple(fc.constantFrom(...verbs), fc.array(fc.oneof(fc.string({ maxLength: 70 }), fc.constantFrom('16', '255', '256', '007', ':hi', '0123456789abcdef')), { maxLength: 8 }))
  .map(([v, words]) => [v, ...words].join(' '));

describe('chat relay byte path (parseFloodBytes)', () => {
  it('gives what parseLine gives for every valid flood line', () => {
    fc.assert(
      fc.property(flood, (m) => {
        const line = encode(m);
        expect(fast(line)).toEqual(slow(line));
      }),
      { numRuns: 1000 },
    );
  });

  it('accepts and refuses exactly what parseLine does, with the same error, for edited and random lines', () => {
    fc.assert(
      fc.property(fc.oneof(mutated, verbish), (line) => {
        // The frame decoder hands over only UTF-8 without NUL or LF (a lone surrogate has no UTF-8).
        if (/[\n\u0000]/.test(line) || Buffer.from(line).toString() !== line) return;
        const f = fast(line);
        if (f !== 'general') expect(f).toEqual(slow(line));
        else expect(verbs.some((v) => line.startsWith(`${v} `) && line.length > v.length + 1)).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  it('forwards the received bytes with only hops-left changed, as encode would write them', () => {
    fc.assert(
      fc.property(flood, fc.integer({ min: 0, max: 255 }), (m, hops) => {
        const w = parseFloodBytes(Buffer.from(encode(m)))!;
        expect(w.verbatim).toBe(true);
        const out = Buffer.alloc(forwardedLength(w, hops) + 3, 0x7e);
        const end = writeForwarded(w, hops, out, 3);
        expect(end).toBe(out.length);
        expect(out.subarray(3).toString()).toBe(encodeLine({ ...m, hopsLeft: hops }));
      }),
      { numRuns: 1000 },
    );
  });

  it('does not forward text with control characters as received: the re-encoded line strips them', () => {
    const line = 'MSG 0123456789abcdef 16 abc 1 alice :a\u0001b\u0085c\td';
    const w = parseFloodBytes(Buffer.from(line))!;
    expect(w.verbatim).toBe(false);
    expect(w.message).toEqual(parseLine(line));
    expect(w.message).toMatchObject({ text: 'abc\td' });
  });

  it('reads the id a full parse would give, for valid, edited and random lines (the seen-cache check before parsing)', () => {
    fc.assert(
      fc.property(fc.oneof(flood.map(encode), mutated, verbish), (line) => {
        if (/[\n\u0000]/.test(line) || Buffer.from(line).toString() !== line) return;
        const id = floodId(Buffer.from(line));
        const f = fast(line);
        // Wherever the full parse accepts a flood line, the quick read found its id.
        if (f !== 'general' && !('error' in (f as object))) expect(id).toBe((f as { id: string }).id);
        // Lines the byte path does not take (not a flood verb) have no id to check.
        if (f === 'general') expect(id).toBeUndefined();
        if (id !== undefined) expect(line.split(' ')[1]).toBe(id);
      }),
      { numRuns: 3000 },
    );
  });

  it('gives parseLine\'s answer line after line when lines repeat an origin and nick with small edits (the token memo)', () => {
    const edit = fc.tuple(fc.nat(), fc.constantFrom('', ' ', ':', 'x', '\t', '\u0085', 'é', '-', '\r', 'A'), fc.nat({ max: 2 }));
    fc.assert(
      fc.property(flood.map(encode), fc.array(fc.option(edit, { nil: undefined }), { minLength: 2, maxLength: 12 }), (base, edits) => {
        for (const e of edits) {
          let line = base;
          if (e !== undefined) {
            const [at, piece, cut] = e;
            const i = at % (line.length + 1);
            line = line.slice(0, i) + piece + line.slice(Math.min(line.length, i + cut));
          }
          if (/[\n\u0000]/.test(line) || Buffer.from(line).toString() !== line) continue;
          const f = fast(line);
          if (f !== 'general') expect(f).toEqual(slow(line));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('gives parseLine\'s answer for lines that share a chunk and lines that come in the next one, repeating or changing origin and nick (the token memo keeps to its chunk)', () => {
    const edit = fc.tuple(fc.nat(), fc.constantFrom('', ' ', 'x', 'é', '-', 'A', '0'), fc.nat({ max: 2 }));
    /** Each line's answer from parseFloodAt, reading it where it lies in its chunk. */
    const inChunk = (b: Buffer, into: WireFlood): unknown[] => {
      const answers: unknown[] = [];
      let start = 0;
      for (let nl = b.indexOf(10); nl !== -1; nl = b.indexOf(10, start)) {
        try {
          const end = floodIdEnd(b, start, nl);
          const w = parseFloodAt(b, start, nl, end, into);
          answers.push(w === undefined ? 'general' : w.message);
        } catch (err) {
          if (!(err instanceof NetError)) throw err;
          answers.push({ error: err.code, message: err.message });
        }
        start = nl + 1;
      }
      return answers;
    };
    fc.assert(
      fc.property(fc.array(flood.map(encode), { minLength: 1, maxLength: 3 }), fc.array(fc.tuple(fc.nat(), fc.option(edit, { nil: undefined })), { minLength: 2, maxLength: 12 }), fc.nat(), (bases, picks, cutAt) => {
        const lines: string[] = [];
        for (const [k, e] of picks) {
          let line = bases[k % bases.length]!;
          if (e !== undefined) {
            const [at, piece, cut] = e;
            const i = at % (line.length + 1);
            line = line.slice(0, i) + piece + line.slice(Math.min(line.length, i + cut));
          }
          if (/[\n\u0000\r]/.test(line) || Buffer.from(line).toString() !== line) continue;
          lines.push(line);
        }
        // Two chunks (two socket reads), split at a line boundary, parsed into one WireFlood.
        const cut = cutAt % (lines.length + 1);
        const into = new WireFlood();
        const got = [...inChunk(Buffer.from(lines.slice(0, cut).map((l) => `${l}\n`).join('')), into), ...inChunk(Buffer.from(lines.slice(cut).map((l) => `${l}\n`).join('')), into)];
        expect(got).toEqual(lines.map((l) => (verbs.some((v) => l.startsWith(`${v} `)) ? slow(l) : 'general')));
      }),
      { numRuns: 1000 },
    );
  });

  it('reads a line inside a chunk exactly as the same line alone, whatever bytes surround it (the relay reads ranges)', () => {
    const around = fc.constantFrom('', '\n', ' ', ' :x', ':', '0', 'MSG ', '\r\n', 'é', 'abc def');
    fc.assert(
      fc.property(fc.oneof(flood.map(encode), mutated, verbish), around, around, (line, before, after) => {
        if (/[\n\u0000]/.test(line) || Buffer.from(line).toString() !== line) return;
        const alone = fastWith(line, false);
        const pre = Buffer.from(before);
        const chunk = Buffer.concat([pre, Buffer.from(line), Buffer.from(after)]);
        const start = pre.length;
        const end = start + Buffer.byteLength(line);
        const idEnd = floodIdEnd(chunk, start, end);
        const id = floodId(Buffer.from(line));
        expect(idEnd === -1 ? undefined : chunk.toString('latin1', floodIdAt(chunk, start), idEnd)).toBe(id);
        for (const known of [-1, idEnd]) {
          let inChunk: unknown;
          try {
            const w = parseFloodAt(chunk, start, end, known);
            inChunk = w === undefined ? 'general' : w.message;
            if (w) expect([w.buf, w.start, w.end]).toEqual([chunk, start, end]);
          } catch (err) {
            if (!(err instanceof NetError)) throw err;
            inChunk = { error: err.code, message: err.message };
          }
          expect(inChunk).toEqual(alone);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('parses line after line into one WireFlood (as a relay does) with the answers of a fresh one; a message taken before stays as it was', () => {
    const one = new WireFlood();
    fc.assert(
      fc.property(fc.array(fc.oneof(flood.map(encode), mutated), { minLength: 1, maxLength: 20 }), (lines) => {
        let kept: { message: unknown; want: unknown } | undefined;
        for (const line of lines) {
          const b = Buffer.from(line);
          let got: unknown;
          let w: WireFlood | undefined;
          try {
            w = parseFloodAt(b, 0, b.length, -1, one);
            got = w === undefined ? 'general' : { message: w.message, id: w.id, text: w.text, verbatim: w.verbatim };
          } catch (err) {
            got = err instanceof NetError ? { error: err.code, message: err.message } : err;
          }
          let fresh: unknown;
          let want: unknown;
          try {
            const f = parseFloodBytes(Buffer.from(line));
            fresh = f === undefined ? 'general' : { message: f.message, id: f.id, text: f.text, verbatim: f.verbatim };
            want = f?.message;
          } catch (err) {
            fresh = err instanceof NetError ? { error: err.code, message: err.message } : err;
          }
          expect(got).toEqual(fresh);
          if (w !== undefined) expect(w).toBe(one);
          if (kept) expect(kept.message).toEqual(kept.want);
          if (w !== undefined) kept = { message: w.message, want };
        }
      }),
      { numRuns: 500 },
    );
  });

  it('reads four bytes at a time only where nothing differs: an origin one byte off the remembered one at any place, and a control, DEL, C1 or non-ASCII character at any place of a text, at any offset in a chunk', () => {
    const origin = '0123456789abcdef0123456789ABCDEF';
    const texts: string[] = [];
    for (let len = 1; len <= 13; len++) {
      for (let at = 0; at < len; at++) for (const c of ['\u0000', '\t', '\u001f', '\u007f', '\u0085', '\u009f', '\u00a0', 'é', '"', '\\']) texts.push('a'.repeat(at) + c + 'b'.repeat(len - at - 1));
    }
    const origins = [origin, ...Array.from({ length: origin.length }, (_, i) => origin.slice(0, i) + (origin[i] === 'x' ? 'y' : 'x') + origin.slice(i + 1))];
    let n = 0;
    for (const o of origins) {
      for (const text of n++ === 0 ? texts : texts.slice(0, 20)) {
        for (let pad = 0; pad < 4; pad++) {
          const line = `MSG 0123456789abcdef 16 ${o} 1700000000000 ann :${text}`;
          // Back to the remembered origin between the others, so each one is compared with it.
          for (const l of [`MSG 0123456789abcdef 16 ${origin} 1700000000000 ann :x`, line]) {
            const chunk = Buffer.concat([Buffer.alloc(pad, 0x20), Buffer.from(l), Buffer.from('\n')]);
            const w = parseFloodAt(chunk, pad, chunk.length - 1);
            expect(w?.message).toEqual(slow(l));
          }
        }
      }
    }
  });

  it('reads an id four bytes at a time only while all of them are id bytes: every byte value at every place of ids of every length, at every offset', () => {
    const isIdByte = (c: number): boolean => /[A-Za-z0-9_-]/.test(String.fromCharCode(c));
    for (let len = 1; len <= 10; len++) {
      for (let at = 0; at < len; at++) {
        for (let c = 0; c < 256; c++) {
          for (const pad of [0, 1, 2, 3]) {
            const id = Buffer.alloc(len, 0x61);
            id[at] = c;
            const chunk = Buffer.concat([Buffer.alloc(pad, 0x20), Buffer.from('MSG '), id, Buffer.from('abcdefgh 16 o 1 n :t')]);
            // The id runs until the first byte that is not an id byte: a space ends it; anything else refuses the line.
            const end = floodIdEnd(chunk, pad, chunk.length);
            const idStart = pad + 4;
            const want = isIdByte(c) ? idStart + len + 8 : c === 0x20 && at >= 8 ? idStart + at : -1;
            expect(end).toBe(want);
          }
        }
      }
    }
  });

  it('rewrites hops-left in the received bytes only when the width stays, leaving the rest as it was', () => {
    fc.assert(
      fc.property(flood, fc.integer({ min: 0, max: 255 }), (m, hops) => {
        const line = encode(m);
        const b = Buffer.from(`x${line}\ny`);
        const w = parseFloodAt(b, 1, b.length - 2)!;
        const sameWidth = String(hops).length === String(m.hopsLeft).length;
        expect(rewriteHops(w, hops)).toBe(sameWidth);
        expect(b.toString()).toBe(sameWidth ? `x${encode({ ...m, hopsLeft: hops })}\ny` : `x${line}\ny`);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('chat relay byte path on a Node without Buffer range decoders', () => {
  it('falls back to toString and still gives parseLine\'s answers', async () => {
    const proto = Buffer.prototype as unknown as Record<string, unknown>;
    const saved = { latin1Slice: proto.latin1Slice, utf8Slice: proto.utf8Slice };
    delete proto.latin1Slice;
    delete proto.utf8Slice;
    let mod: typeof import('../../protocols/chat/flood-bytes.js');
    try {
      vi.resetModules();
      mod = await import('../../protocols/chat/flood-bytes.js');
    } finally {
      Object.assign(proto, saved);
      vi.resetModules();
    }
    expect(mod.RANGE_DECODERS).toBe(false);
    fc.assert(
      fc.property(flood, (m) => {
        const line = encode(m);
        const b = Buffer.from(line);
        let got: unknown;
        try {
          got = mod.parseFloodBytes(b, mod.floodId(b))?.message ?? 'general';
        } catch (err) {
          got = err instanceof NetError ? { error: err.code, message: err.message } : err;
        }
        if (got !== 'general') expect(got).toEqual(slow(line));
      }),
      { numRuns: 300 },
    );
  });
});
