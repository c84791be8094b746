import { NetError } from '../errors.js';
import { QueueDecoder } from './decoder.js';

export interface Frame {
  header: Buffer;
  body: Buffer;
}

export interface FramingRules {
  /** Fixed size of every frame's header. */
  headerBytes: number;
  /** The body length the header declares. */
  bodyLength(header: Buffer): number;
  /** The largest body this kind of frame may have; checked before buffering the body. */
  maxBody(header: Buffer): number;
}

/**
 * Binary frames of a fixed header followed by a declared-length body (Gnutella
 * descriptors, OpenNap messages). The declared length is checked against the
 * frame type's limit as soon as the header is complete, so an oversized length
 * closes the link before any of its body is buffered.
 */
export class LengthFramedDecoder extends QueueDecoder<Frame> {
  #header: Buffer | undefined;
  #bodyLength = 0;

  constructor(private readonly rules: FramingRules) {
    super();
  }

  next(): Frame | undefined {
    if (!this.#header) {
      if (this.queue.length < this.rules.headerBytes) return undefined;
      const header = Buffer.from(this.queue.consume(this.rules.headerBytes));
      const len = this.rules.bodyLength(header);
      const max = this.rules.maxBody(header);
      if (!Number.isInteger(len) || len < 0) throw NetError.badMessage(`bad frame length ${len}`);
      if (len > max) throw NetError.frameTooLarge(len, max);
      this.#header = header;
      this.#bodyLength = len;
    }
    if (this.queue.length < this.#bodyLength) return undefined;
    const frame = { header: this.#header, body: Buffer.from(this.queue.consume(this.#bodyLength)) };
    this.#header = undefined;
    return frame;
  }

  override takeRest(): Buffer[] {
    const rest = super.takeRest();
    if (this.#header) {
      rest.unshift(this.#header);
      this.#header = undefined;
    }
    return rest;
  }
}
