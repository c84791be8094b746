/**
 * The chat link decoder: `\n`-terminated lines with a length limit (specs/chat.md "Lines").
 * Instead of throwing, a framing fault is handed to the handler as one last frame so the
 * plugin can tell the peer why (ERROR :reason) before the link closes. A line that is not
 * UTF-8 text (invalid sequences, NUL bytes) is binary garbage and a fault too. After a
 * fault the decoder yields nothing more.
 *
 * Speed (issue 9): the UTF-8 and NUL checks run once over the complete lines of each
 * chunk, not once per line, and a line's text is decoded only when someone reads it.
 */
import { isUtf8 } from 'node:buffer';
import type { Decoder } from '../../src/codec/decoder.js';
import { NetError } from '../../src/errors.js';

/**
 * A received line: `buf[start, end)` (checked UTF-8 without NUL, without its terminator).
 * A decoder hands out one LineFrame again and again (no object per line): it is valid
 * until the next call of next(). `buf[end]` is LF when the line ended with a bare LF in
 * the chunk it arrived in (so a relay may forward a run of such lines as one piece).
 */
export class LineFrame {
  buf: Buffer = EMPTY;
  start = 0;
  end = 0;
  /** The line's bytes (a view). */
  get bytes(): Buffer {
    return this.buf.subarray(this.start, this.end);
  }
  /** The line's text. */
  get line(): string {
    return this.buf.toString('utf8', this.start, this.end);
  }
}

const EMPTY = Buffer.alloc(0);

/** A received line, or the fault that ends the link (too long, binary). */
export type ChatFrame = LineFrame | { fault: NetError };

const NUL = 0x00;
const LF = 0x0a;
const CR = 0x0d;

/** Whether bytes are text: UTF-8 without NUL. */
function isText(b: Buffer): boolean {
  return b.indexOf(NUL) === -1 && isUtf8(b);
}

/** Line framing for chat links with the limit checked as bytes arrive (spec "Lines"). */
export class ChatFrameDecoder implements Decoder<ChatFrame> {
  readonly #max: number;
  #failed = false;
  /** Chunks received and not yet split; the first from #pos on. */
  #chunks: Buffer[] = [];
  /** Per chunk: the range [from, to) of whole lines checked as text when it arrived. */
  #okFrom: number[] = [];
  #okTo: number[] = [];
  #pos = 0;
  /** The start of a line whose end has not arrived (no LF in these pieces), and its length. */
  #partial: Buffer[] = [];
  #partialLen = 0;
  #buffered = 0;
  readonly #frame = new LineFrame();

  constructor(maxLineBytes: number) {
    this.#max = maxLineBytes;
  }

  push(chunk: Buffer): void {
    if (this.#failed || chunk.length === 0) return;
    // Check the whole lines this chunk holds, in one go. A line that started in an earlier
    // chunk is checked on its own in next().
    let from = 0;
    let to = 0;
    const last = chunk.lastIndexOf(LF);
    if (last !== -1) {
      from = this.#chunks.length === 0 && this.#partialLen === 0 ? 0 : chunk.indexOf(LF) + 1;
      if (from <= last && isText(chunk.subarray(from, last + 1))) to = last + 1;
      else from = 0;
    }
    this.#chunks.push(chunk);
    this.#okFrom.push(from);
    this.#okTo.push(to);
    this.#buffered += chunk.length;
  }

  next(): ChatFrame | undefined {
    if (this.#failed) return undefined;
    try {
      return this.#nextLine() ? this.#frame : undefined;
    } catch (err) {
      if (!(err instanceof NetError)) throw err;
      this.#failed = true;
      this.takeRest(); // drop what is buffered: memory stays bounded
      return { fault: err };
    }
  }

  /**
   * Sets #frame to the next line (without CR LF), checked; false until its LF arrives. Each
   * chunk is searched for LF once: a line inside one chunk is a range of it, a line spread
   * over several is joined once its end arrives.
   */
  #nextLine(): boolean {
    for (;;) {
      const c = this.#chunks[0];
      if (c === undefined) return false;
      const start = this.#pos;
      const nl = c.indexOf(LF, start);
      if (nl === -1) {
        // The rest of this chunk starts (or continues) a line: hold it, within the limit.
        this.#partial.push(start === 0 ? c : c.subarray(start));
        this.#partialLen += c.length - start;
        this.#shift();
        // A trailing CR may belong to a CRLF terminator: allow it one byte of slack.
        if (this.#partialLen - (c[c.length - 1] === CR ? 1 : 0) > this.#max) throw NetError.lineTooLong(this.#max);
        continue;
      }
      let buf: Buffer;
      let from: number;
      let end: number;
      let checked: boolean;
      if (this.#partialLen === 0) {
        buf = c;
        from = start;
        end = nl;
        checked = start >= this.#okFrom[0]! && nl < this.#okTo[0]!;
        this.#buffered -= nl + 1 - start;
      } else {
        this.#partial.push(c.subarray(start, nl));
        buf = Buffer.concat(this.#partial, this.#partialLen + nl - start);
        from = 0;
        end = buf.length;
        checked = false;
        this.#buffered -= this.#partialLen + nl + 1 - start;
        this.#partial = [];
        this.#partialLen = 0;
      }
      this.#pos = nl + 1;
      if (this.#pos === c.length) this.#shift();
      if (end > from && buf[end - 1] === CR) end--;
      if (end - from > this.#max) throw NetError.lineTooLong(this.#max);
      if (!checked && !isText(buf.subarray(from, end))) {
        throw NetError.badMessage(buf.subarray(from, end).includes(NUL) ? 'binary data on a text link (NUL byte)' : 'binary data on a text link (not UTF-8)');
      }
      const f = this.#frame;
      if (f.buf !== buf) f.buf = buf; // once a chunk, not a line (a write barrier spared)
      f.start = from;
      f.end = end;
      return true;
    }
  }

  /** Drops the first chunk (all of it split or held in #partial). */
  #shift(): void {
    this.#chunks.shift();
    this.#okFrom.shift();
    this.#okTo.shift();
    this.#pos = 0;
  }

  takeRest(): Buffer[] {
    const rest = this.#partial;
    for (let i = 0; i < this.#chunks.length; i++) {
      const c = this.#chunks[i]!;
      if (i > 0 || this.#pos === 0) rest.push(c);
      else if (this.#pos < c.length) rest.push(c.subarray(this.#pos));
    }
    this.#chunks = [];
    this.#okFrom = [];
    this.#okTo = [];
    this.#pos = 0;
    this.#partial = [];
    this.#partialLen = 0;
    this.#buffered = 0;
    return rest;
  }

  get buffered(): number {
    return this.#buffered;
  }
}
