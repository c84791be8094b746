import { NetError } from '../errors.js';
import { QueueDecoder } from './decoder.js';

/** LF followed by an empty line ended by LF: the end of a bare-LF block (GIV callbacks). */
const LF_LF = Buffer.from('\n\n');
/** LF followed by an empty line ended by CRLF: the end of a CRLF CRLF block (HTTP, handshakes). */
const LF_CRLF = Buffer.from('\n\r\n');

/**
 * Yields header blocks (a start line plus headers, ended by an empty line), as
 * Gnutella handshakes and HTTP requests use. Lines may end with CRLF or a bare
 * LF: Gnutella's `GIV` callback is sent as `GIV ...\n\n` by many servents
 * (gnutella.md, "Push"), HTTP and handshakes use CRLF CRLF. A block that passes
 * `maxBytes` without ending throws FRAME_TOO_LARGE. After the block that ends a
 * phase, the caller switches decoders and the rest of the bytes move on.
 */
export class HeaderBlockDecoder extends QueueDecoder<string[]> {
  #scanned = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  /** The block's lines (without their CRLF or LF, and without the empty last line). */
  next(): string[] | undefined {
    const from = Math.max(0, this.#scanned - 2);
    const lf = this.queue.indexOfSeq(LF_LF, from);
    const crlf = this.queue.indexOfSeq(LF_CRLF, from);
    const useLf = lf !== -1 && (crlf === -1 || lf < crlf);
    const at = useLf ? lf : crlf;
    if (at === -1) {
      this.#scanned = this.queue.length;
      if (this.queue.length > this.maxBytes) throw NetError.frameTooLarge(this.queue.length, this.maxBytes);
      return undefined;
    }
    const end = at + (useLf ? LF_LF.length : LF_CRLF.length);
    if (end > this.maxBytes) throw NetError.frameTooLarge(end, this.maxBytes);
    const block = this.queue.consume(at).toString('latin1').replace(/\r$/, '');
    this.queue.skip(end - at);
    this.#scanned = 0;
    return block.split(/\r?\n/);
  }
}
