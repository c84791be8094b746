/**
 * Headless stdin is split into command lines by CommandLineSplitter (src/command-lines.ts):
 * the same items however the bytes are chunked, a line past the cap reported once and never
 * buffered whole, and nothing but items for any bytes (STYLE.md rule 10).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommandLineSplitter, type CommandLineItem } from '../../src/command-lines.js';
import { everySplit, splitAt } from '../chunking.js';

function split(chunks: Buffer[], max: number): CommandLineItem[] {
  const s = new CommandLineSplitter(max);
  return [...chunks.flatMap((c) => s.push(c)), ...s.end()];
}

/** The rule, on the whole input at once: lines ended by LF (CR before it dropped); past `max` bytes, too long. */
function model(input: Buffer, max: number): CommandLineItem[] {
  const out: CommandLineItem[] = [];
  const parts: Buffer[] = [];
  let from = 0;
  for (let nl = input.indexOf(0x0a); nl !== -1; nl = input.indexOf(0x0a, from)) {
    parts.push(input.subarray(from, nl));
    from = nl + 1;
  }
  const last = input.subarray(from);
  for (const [i, raw] of [...parts, last].entries()) {
    const ended = i < parts.length;
    if (raw.length > max + 1) out.push({ kind: 'too-long', limit: max });
    else if (!ended && raw.length === 0) continue;
    else {
      const line = raw.toString('utf8').replace(/\r$/, '');
      out.push(Buffer.byteLength(line) > max ? { kind: 'too-long', limit: max } : { kind: 'line', line });
    }
  }
  return out;
}

describe('CommandLineSplitter (headless stdin)', () => {
  it('gives the same items split at every index and fed one byte at a time', () => {
    const input = Buffer.from('/nick bob\r\nhéllo wörld\n\n/quit bye\nunterminated');
    const want = [
      { kind: 'line', line: '/nick bob' },
      { kind: 'line', line: 'héllo wörld' },
      { kind: 'line', line: '' },
      { kind: 'line', line: '/quit bye' },
      { kind: 'line', line: 'unterminated' },
    ];
    expect(split([input], 64)).toEqual(want);
    for (const chunks of everySplit(input)) expect(split(chunks, 64)).toEqual(want);
  });

  it('reports a line past the cap once, at any split, and goes on with the next line', () => {
    const input = Buffer.from(`${'x'.repeat(40)}\nok\n${'y'.repeat(17)}\r\n${'z'.repeat(16)}\r\nend`);
    const want = [{ kind: 'too-long', limit: 16 }, { kind: 'line', line: 'ok' }, { kind: 'too-long', limit: 16 }, { kind: 'line', line: 'z'.repeat(16) }, { kind: 'line', line: 'end' }];
    for (const chunks of [[input], ...everySplit(input)]) expect(split(chunks, 16)).toEqual(want);
  });

  it('random bytes in any chunking give the items of the rule (property)', () => {
    const bytes = fc.array(fc.oneof(fc.constantFrom(0x0a, 0x0d, 0x78, 0xc3, 0xa9, 0xff), fc.integer({ min: 0, max: 255 })), { maxLength: 300 }).map((a) => Buffer.from(a));
    fc.assert(
      fc.property(bytes, fc.array(fc.nat(), { maxLength: 12 }), fc.integer({ min: 1, max: 40 }), (input, cuts, max) => {
        expect(split(splitAt(input, cuts), max)).toEqual(model(input, max));
      }),
      { numRuns: 500 },
    );
  });

  it('a 64 MiB line without a newline is one too-long item, and the next line comes through', () => {
    const s = new CommandLineSplitter(1024);
    const mib = Buffer.alloc(1024 * 1024, 0x41);
    const items: CommandLineItem[] = [];
    for (let i = 0; i < 64; i++) items.push(...s.push(mib));
    expect(items).toEqual([{ kind: 'too-long', limit: 1024 }]);
    expect(s.push(Buffer.from('\n/peers\n'))).toEqual([{ kind: 'line', line: '/peers' }]);
    expect(s.end()).toEqual([]);
  });
});
