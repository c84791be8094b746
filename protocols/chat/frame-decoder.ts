/**
 * The chat link decoder: `\n`-terminated lines with a length limit (specs/chat.md "Lines").
 * Instead of throwing, a framing fault is handed to the handler as one last frame so the
 * plugin can tell the peer why (ERROR :reason) before the link closes. A line that is not
 * UTF-8 text (invalid sequences, NUL bytes) is binary garbage and a fault too. After a
 * fault the decoder yields nothing more.
 */
import type { Decoder } from '../../src/codec/decoder.js';
import { LineDecoder } from '../../src/codec/line-decoder.js';
import { NetError } from '../../src/errors.js';

/** A received line, or the fault that ends the link (too long, binary). */
export type ChatFrame = { line: string } | { fault: NetError };

const NUL = 0x00;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Line framing for chat links with the limit checked as bytes arrive (spec "Lines"). */
export class ChatFrameDecoder implements Decoder<ChatFrame> {
  readonly #lines: LineDecoder;
  #failed = false;

  constructor(maxLineBytes: number) {
    this.#lines = new LineDecoder({ maxLineBytes });
  }

  push(chunk: Buffer): void {
    if (!this.#failed) this.#lines.push(chunk);
  }

  next(): ChatFrame | undefined {
    if (this.#failed) return undefined;
    try {
      const bytes = this.#lines.nextBytes();
      if (bytes === undefined) return undefined;
      if (bytes.includes(NUL)) throw NetError.badMessage('binary data on a text link (NUL byte)');
      try {
        return { line: utf8.decode(bytes) };
      } catch {
        throw NetError.badMessage('binary data on a text link (not UTF-8)');
      }
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
