/**
 * The chat link decoder: `\n`-terminated lines with a length limit (specs/chat.md "Lines").
 * Instead of throwing, a framing fault is handed to the handler as one last frame so the
 * plugin can tell the peer why (ERROR :reason) before the link closes. After a fault the
 * decoder yields nothing more.
 */
import type { Decoder } from '../../src/codec/decoder.js';
import { LineDecoder } from '../../src/codec/line-decoder.js';
import { NetError } from '../../src/errors.js';

export type ChatFrame = { line: string } | { fault: NetError };

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
      const line = this.#lines.next();
      return line === undefined ? undefined : { line };
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
