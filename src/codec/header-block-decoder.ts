import { NetError } from '../errors.js';
import { QueueDecoder } from './decoder.js';

const CRLFCRLF = Buffer.from('\r\n\r\n');

/**
 * Yields CRLF-terminated header blocks (a start line plus headers, ended by an
 * empty line), as Gnutella handshakes and HTTP requests use. A block that passes
 * `maxBytes` without ending throws FRAME_TOO_LARGE. After the block that ends a
 * phase, the caller switches decoders and the rest of the bytes move on.
 */
export class HeaderBlockDecoder extends QueueDecoder<string[]> {
  #scanned = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  /** The block's lines (without CRLFs and without the empty last line). */
  next(): string[] | undefined {
    const at = this.queue.indexOfSeq(CRLFCRLF, Math.max(0, this.#scanned - 3));
    if (at === -1) {
      this.#scanned = this.queue.length;
      if (this.queue.length > this.maxBytes) throw NetError.frameTooLarge(this.queue.length, this.maxBytes);
      return undefined;
    }
    if (at + 4 > this.maxBytes) throw NetError.frameTooLarge(at + 4, this.maxBytes);
    const block = this.queue.consume(at).toString('latin1');
    this.queue.skip(4);
    this.#scanned = 0;
    return block.split('\r\n');
  }
}
