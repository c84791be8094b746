import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputSplitter, PASTE_END, PASTE_START, pasteLines, type InputPiece } from '../../tui/input-splitter.js';
import { splitAt } from '../chunking.js';

function feed(chunks: string[]): InputPiece[] {
  const s = new InputSplitter();
  return chunks.flatMap((c) => s.push(c));
}

describe('InputSplitter', () => {
  it('passes key sequences to blessed and plain text straight through', () => {
    expect(feed(['\x1b[A', 'héllo 😀', '\x7f', '\r'])).toEqual([
      { kind: 'keys', data: '\x1b[A' },
      { kind: 'text', text: 'héllo 😀' },
      { kind: 'keys', data: '\x7f' },
      { kind: 'keys', data: '\r' },
    ]);
  });

  it('treats a read with several lines as a paste', () => {
    expect(feed(['one\ntwo\n'])).toEqual([{ kind: 'paste', text: 'one\ntwo\n' }]);
    expect(feed(['one\ntwo'])).toEqual([{ kind: 'paste', text: 'one\ntwo' }]);
    // An escape sequence in the read means keys, not a paste.
    expect(feed(['a\x1b[A\r'])).toEqual([{ kind: 'keys', data: 'a\x1b[A\r' }]);
  });

  it('treats one line arriving with its Enter in one read as typing: text, then the Enter key', () => {
    expect(feed(['hi there\r'])).toEqual([{ kind: 'text', text: 'hi there' }, { kind: 'keys', data: '\r' }]);
    expect(feed(['/get 12\r\n'])).toEqual([{ kind: 'text', text: '/get 12' }, { kind: 'keys', data: '\r' }]);
    expect(feed(['\r'])).toEqual([{ kind: 'keys', data: '\r' }]);
  });

  it('collects a bracketed paste, keys around it stay keys', () => {
    expect(feed([`\x1b[D${PASTE_START}a\x1b[Ab\n${PASTE_END}\x1b[C`])).toEqual([
      { kind: 'keys', data: '\x1b[D' },
      { kind: 'paste', text: 'a\x1b[Ab\n' },
      { kind: 'keys', data: '\x1b[C' },
    ]);
  });

  it('holds a lone ESC until flushed (it may start a paste marker)', () => {
    const s = new InputSplitter();
    expect(s.push('\x1b')).toEqual([]);
    expect(s.holding).toBe(true);
    expect(s.flush()).toEqual([{ kind: 'keys', data: '\x1b' }]);
    expect(s.holding).toBe(false);
    expect(s.push('\x1b')).toEqual([]);
    expect(s.push('[200~hi\x1b[201~')).toEqual([{ kind: 'paste', text: 'hi' }]);
  });

  it('gives the same pastes however the input is split', () => {
    const input = `x${PASTE_START}line one\r\nline two\r\n${PASTE_END}\x1b[B${PASTE_START}3${PASTE_END}`;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: input.length - 1 }), { maxLength: 8 }), (cuts) => {
        const pieces = feed(splitAt(input, cuts));
        expect(pieces.filter((p) => p.kind === 'paste').map((p) => (p.kind === 'paste' ? p.text : ''))).toEqual(['line one\r\nline two\r\n', '3']);
      }),
    );
  });
});

describe('pasteLines', () => {
  it('splits on CRLF, CR or LF', () => {
    expect(pasteLines('a\r\nb\rc\nd\te')).toEqual(['a', 'b', 'c', 'd e']);
  });
});
