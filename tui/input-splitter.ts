/**
 * Splits raw terminal input into what blessed should parse as keys and what
 * is text to insert as-is. Pastes are recognised two ways: bracketed paste
 * (`ESC [200~ ... ESC [201~`, which we switch on) and, for terminals without
 * it, a single read that holds several lines with no escape sequence in it.
 * One line with its Enter at the end of one read is typing (a fast typist, a
 * terminal that batches, tmux send-keys): the text and then the Enter key, so
 * the line goes through the input line and into history. Plain printable chunks (typing, IME commits, emoji)
 * are inserted directly so surrogate pairs never get split by blessed's key
 * parser. Pure: no I/O, no timers.
 */

export const PASTE_START = '\x1b[200~';
export const PASTE_END = '\x1b[201~';
/** A bracketed paste larger than this is cut (the rest is dropped): 1 MiB of text. */
export const PASTE_LIMIT = 1 << 20;

/** Keys for blessed's parser, typed text, or a paste (which may hold line breaks). */
export type InputPiece =
  | { kind: 'keys'; data: string }
  | { kind: 'text'; text: string }
  | { kind: 'paste'; text: string };

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_NEWLINE_TAB = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** One line of printable text ended by a single Enter (CR, LF or CRLF). */
// eslint-disable-next-line no-control-regex
const TYPED_LINE = /^([^\u0000-\u001f\u007f]*)(?:\r\n|\r|\n)$/;

function tailPrefixLength(s: string, marker: string): number {
  for (let n = Math.min(marker.length - 1, s.length); n > 0; n--) {
    if (s.endsWith(marker.slice(0, n))) return n;
  }
  return 0;
}

/** Incremental: a paste or marker split across reads comes out whole. */
export class InputSplitter {
  #inPaste = false;
  #paste = '';
  #held = '';

  /** Feeds one chunk as read from the terminal; returns the pieces in order. */
  push(chunk: string): InputPiece[] {
    const out: InputPiece[] = [];
    let s = this.#held + chunk;
    this.#held = '';
    while (s.length > 0) {
      if (this.#inPaste) {
        const end = s.indexOf(PASTE_END);
        if (end < 0) {
          const keep = tailPrefixLength(s, PASTE_END);
          this.#appendPaste(s.slice(0, s.length - keep));
          this.#held = s.slice(s.length - keep);
          return out;
        }
        this.#appendPaste(s.slice(0, end));
        out.push({ kind: 'paste', text: this.#paste });
        this.#paste = '';
        this.#inPaste = false;
        s = s.slice(end + PASTE_END.length);
        continue;
      }
      const start = s.indexOf(PASTE_START);
      if (start >= 0) {
        if (start > 0) this.#classify(s.slice(0, start), out);
        this.#inPaste = true;
        s = s.slice(start + PASTE_START.length);
        continue;
      }
      // Hold back a partial start marker at the end of a read; the owner calls
      // flush() after a short quiet time (ESC alone is the Escape key).
      const keep = tailPrefixLength(s, PASTE_START);
      if (keep > 0) {
        this.#held = s.slice(s.length - keep);
        s = s.slice(0, s.length - keep);
      }
      if (s.length > 0) this.#classify(s, out);
      return out;
    }
    return out;
  }

  /** True when a possible paste-start marker is held back waiting for more input. */
  get holding(): boolean {
    return !this.#inPaste && this.#held.length > 0;
  }

  /** Gives up waiting: held bytes were keys after all (the Escape key, Alt-[). */
  flush(): InputPiece[] {
    if (!this.holding) return [];
    const out: InputPiece[] = [];
    this.#classify(this.#held, out);
    this.#held = '';
    return out;
  }

  #appendPaste(text: string): void {
    const room = PASTE_LIMIT - this.#paste.length;
    if (room > 0) this.#paste += text.slice(0, room);
  }

  #classify(s: string, out: InputPiece[]): void {
    if (!CONTROL.test(s)) {
      out.push({ kind: 'text', text: s });
      return;
    }
    const typed = TYPED_LINE.exec(s);
    if (typed) {
      if (typed[1]) out.push({ kind: 'text', text: typed[1] });
      out.push({ kind: 'keys', data: '\r' });
      return;
    }
    const hasBreak = /[\r\n]/.test(s);
    if (hasBreak && s.length > 1 && !CONTROL_BUT_NEWLINE_TAB.test(s)) {
      out.push({ kind: 'paste', text: s });
      return;
    }
    out.push({ kind: 'keys', data: s });
  }
}

/** Splits pasted text into lines (CRLF, CR or LF), tabs turned into spaces. */
export function pasteLines(text: string): string[] {
  return text.replace(/\t/g, ' ').split(/\r\n|\r|\n/);
}
