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
import { LineDecoder } from '../../src/codec/line-decoder.js';
import { NetError } from '../../src/errors.js';

/** A received line: its bytes (checked UTF-8 without NUL), its text decoded on first use. */
export class LineFrame {
  #text: string | undefined;
  constructor(readonly bytes: Buffer) {}
  get line(): string {
    return (this.#text ??= this.bytes.toString('utf8'));
  }
}

/** A received line, or the fault that ends the link (too long, binary). */
export type ChatFrame = LineFrame | { fault: NetError };

const NUL = 0x00;
const LF = 0x0a;

/** Whether bytes are text: UTF-8 without NUL. */
function isText(b: Buffer): boolean {
  return b.indexOf(NUL) === -1 && isUtf8(b);
}

/** Line framing for chat links with the limit checked as bytes arrive (spec "Lines"). */
export class ChatFrameDecoder implements Decoder<ChatFrame> {
  readonly #lines: LineDecoder;
  #failed = false;
  /** Stream offsets: bytes pushed so far, and the range [#okFrom, #okTo) known to be text. */
  #pushed = 0;
  #okFrom = 0;
  #okTo = 0;

  constructor(maxLineBytes: number) {
    this.#lines = new LineDecoder({ maxLineBytes });
  }

  push(chunk: Buffer): void {
    if (this.#failed) return;
    // Check the whole lines this chunk completes, in one go. The line it finishes may have
    // started in an earlier chunk: that one is checked on its own in next().
    const first = chunk.indexOf(LF);
    if (first !== -1) {
      const last = chunk.lastIndexOf(LF);
      if (last > first && isText(chunk.subarray(first + 1, last + 1))) {
        this.#okFrom = this.#pushed + first + 1;
        this.#okTo = this.#pushed + last + 1;
      }
    }
    this.#pushed += chunk.length;
    this.#lines.push(chunk);
  }

  next(): ChatFrame | undefined {
    if (this.#failed) return undefined;
    try {
      const start = this.#pushed - this.#lines.buffered;
      const bytes = this.#lines.nextBytes();
      if (bytes === undefined) return undefined;
      const end = this.#pushed - this.#lines.buffered;
      if ((start < this.#okFrom || end > this.#okTo) && !isText(bytes)) {
        throw NetError.badMessage(bytes.includes(NUL) ? 'binary data on a text link (NUL byte)' : 'binary data on a text link (not UTF-8)');
      }
      return new LineFrame(bytes);
    } catch (err) {
      if (!(err instanceof NetError)) throw err;
      this.#failed = true;
      this.#lines.takeRest(); // drop what is buffered: memory stays bounded
      return { fault: err };
    }
  }

  takeRest(): Buffer[] {
    return this.#lines.takeRest();
  }

  get buffered(): number {
    return this.#lines.buffered;
  }
}
