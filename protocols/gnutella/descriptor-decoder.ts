import { QueueDecoder } from '../../src/codec/decoder.js';
import { HEADER_BYTES } from './constants.js';
import { checkLength, type Descriptor } from './descriptor.js';

/**
 * Incremental descriptor framing (spec 2.1). The declared length is checked
 * against the type's limit as soon as the 23-byte header is complete, so an
 * oversized or flagged length throws FRAME_TOO_LARGE before any of its body is
 * buffered; at most one header plus one bounded body is ever held. The MUID
 * and payload may be views of a received chunk: copy what is kept long.
 */
export class DescriptorDecoder extends QueueDecoder<Descriptor> {
  #header: Buffer | undefined;
  #length = 0;

  next(): Descriptor | undefined {
    if (!this.#header) {
      if (this.queue.length < HEADER_BYTES) return undefined;
      // consume() hands out a view when the bytes lie in one received chunk (no copy).
      const header = this.queue.consume(HEADER_BYTES);
      const length = header.readUInt32LE(19);
      checkLength(header[16]!, length);
      this.#header = header;
      this.#length = length;
    }
    if (this.queue.length < this.#length) return undefined;
    const h = this.#header;
    this.#header = undefined;
    return {
      muid: h.subarray(0, 16),
      type: h[16]!,
      ttl: h[17]!,
      hops: h[18]!,
      payload: this.queue.consume(this.#length),
    };
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
