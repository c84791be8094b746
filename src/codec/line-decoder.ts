import { NetError } from '../errors.js';
import { QueueDecoder } from './decoder.js';

const LF = 0x0a;
const CR = 0x0d;

export interface LineDecoderOptions {
  /** Longest line accepted, in bytes, not counting the terminator. */
  maxLineBytes: number;
  /** Yield raw bytes instead of UTF-8 strings. */
  raw?: boolean;
}

/**
 * Splits a byte stream into `\n`-terminated lines (a trailing `\r` is dropped).
 * A line that grows past the limit throws LINE_TOO_LONG as soon as the limit is
 * crossed, without waiting for its end, so memory stays bounded.
 */
export class LineDecoder extends QueueDecoder<string> {
  #scanned = 0; // bytes already known to hold no LF
  readonly maxLineBytes: number;

  constructor(opts: LineDecoderOptions) {
    super();
    this.maxLineBytes = opts.maxLineBytes;
  }

  next(): string | undefined {
    const buf = this.nextBytes();
    return buf === undefined ? undefined : buf.toString('utf8');
  }

  /**
   * The stream ended: the unterminated rest is the last line (P+2 callees close
   * right after their last name), if it is non-empty and within the limit.
   */
  end(): string | undefined {
    const n = this.queue.length;
    if (n === 0 || n > this.maxLineBytes + 1) return undefined;
    this.#scanned = 0;
    return this.queue.consume(n).toString('utf8').replace(/\r$/, '');
  }

  /** Like next() but returns the line's bytes. */
  nextBytes(): Buffer | undefined {
    const at = this.queue.indexOf(LF, this.#scanned);
    if (at === -1) {
      this.#scanned = this.queue.length;
      // A pending CR may belong to a CRLF terminator: allow it one byte of slack.
      const pending = this.queue.length - (this.queue.byteAt(this.queue.length - 1) === CR ? 1 : 0);
      if (pending > this.maxLineBytes) throw NetError.lineTooLong(this.maxLineBytes);
      return undefined;
    }
    let end = at;
    if (end > 0 && this.queue.byteAt(end - 1) === CR) end--;
    if (end > this.maxLineBytes) throw NetError.lineTooLong(this.maxLineBytes);
    const line = this.queue.consume(end);
    this.queue.skip(at - end + 1);
    this.#scanned = 0;
    return line;
  }
}
