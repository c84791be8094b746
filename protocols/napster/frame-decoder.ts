/**
 * The incremental Napster frame decoder (specs/napster.md §2): the declared
 * length is checked against the 2048-byte limit as soon as the 4-byte header
 * is in, before any of the body is buffered. Used by the server and the client.
 */
import type { Decoder } from '../../src/codec/decoder.js';
import { LengthFramedDecoder, type FramingRules } from '../../src/codec/length-framed-decoder.js';
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

/** Napster frames from a byte stream; throws NetError FRAME_TOO_LARGE above the cap. */
export class NapFrameDecoder implements Decoder<NapFrame> {
  readonly #inner: LengthFramedDecoder;

  constructor(maxPayload = MAX_PAYLOAD) {
    this.#inner = new LengthFramedDecoder(napsterRules(maxPayload));
  }

  push(chunk: Buffer): void {
    this.#inner.push(chunk);
  }

  next(): NapFrame | undefined {
    const f = this.#inner.next();
    return f ? { type: f.header.readUInt16LE(2), payload: f.body } : undefined;
  }

  takeRest(): Buffer[] {
    return this.#inner.takeRest();
  }

  get buffered(): number {
    return this.#inner.buffered;
  }
}
