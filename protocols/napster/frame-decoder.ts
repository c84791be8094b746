/**
 * The incremental Napster frame decoder (specs/napster.md §2): the declared
 * length is checked against the 2048-byte limit as soon as the 4-byte header
 * is in, before any of the body is buffered. Used by the server and the client.
 */
import { ByteQueue } from '../../src/codec/byte-queue.js';
import type { Decoder } from '../../src/codec/decoder.js';
import type { FramingRules } from '../../src/codec/length-framed-decoder.js';
import { NetError } from '../../src/errors.js';
import type { NapFrame } from './codec.js';
import { HEADER_BYTES, MAX_PAYLOAD } from './constants.js';

/** Framing rules with a payload cap (OpenNap's `max_command_length`). */
export function napsterRules(maxPayload = MAX_PAYLOAD): FramingRules {
  return {
    headerBytes: HEADER_BYTES,
    bodyLength: (h) => h.readUInt16LE(0),
    maxBody: () => maxPayload,
  };
}

/**
 * Napster frames from a byte stream; throws NetError FRAME_TOO_LARGE above the
 * cap. The same rules as the core's LengthFramedDecoder, without its copies: a
 * payload that lies within one received chunk is a view on that chunk (valid
 * until the caller returns to the event loop; copy it to keep it longer).
 */
export class NapFrameDecoder implements Decoder<NapFrame> {
  readonly #queue = new ByteQueue();
  readonly #max: number;
  /** The current frame's type and length once its header is in; -1 before. */
  #type = -1;
  #length = 0;

  constructor(maxPayload = MAX_PAYLOAD) {
    this.#max = maxPayload;
  }

  push(chunk: Buffer): void {
    this.#queue.push(chunk);
  }

  next(): NapFrame | undefined {
    const q = this.#queue;
    if (this.#type < 0) {
      if (q.length < HEADER_BYTES) return undefined;
      const h = q.consume(HEADER_BYTES);
      const len = h.readUInt16LE(0);
      if (len > this.#max) throw NetError.frameTooLarge(len, this.#max);
      this.#type = h.readUInt16LE(2);
      this.#length = len;
    }
    if (q.length < this.#length) return undefined;
    const frame = { type: this.#type, payload: this.#length === 0 ? EMPTY : q.consume(this.#length) };
    this.#type = -1;
    return frame;
  }

  takeRest(): Buffer[] {
    const rest = this.#queue.drain();
    if (this.#type >= 0) {
      const h = Buffer.alloc(HEADER_BYTES);
      h.writeUInt16LE(this.#length, 0);
      h.writeUInt16LE(this.#type, 2);
      rest.unshift(h);
      this.#type = -1;
    }
    return rest;
  }

  get buffered(): number {
    return this.#queue.length;
  }
}

const EMPTY = Buffer.alloc(0);
