/**
 * Napster frame encoding (specs/napster.md §2): `u16le length | u16le type | payload`,
 * payloads as raw 8-bit text (latin-1), no terminator.
 */
import { HEADER_BYTES, MAX_PAYLOAD } from './constants.js';

/** One Napster message: its type and raw payload bytes. */
export interface NapFrame {
  type: number;
  payload: Buffer;
}

/** A payload as the text OpenNap sees: one char per byte (§2 "treat payloads as latin-1"). */
export function payloadText(frame: NapFrame): string {
  return frame.payload.toString('latin1');
}

/**
 * Encodes one frame. A payload over 65535 bytes cannot be framed; one over
 * MAX_PAYLOAD is cut (OpenNap peers would close on it, §2).
 */
export function encodeFrame(type: number, payload: string | Buffer = ''): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload;
  const len = Math.min(body.length, MAX_PAYLOAD);
  const out = Buffer.allocUnsafe(HEADER_BYTES + len);
  out.writeUInt16LE(len, 0);
  out.writeUInt16LE(type, 2);
  body.copy(out, HEADER_BYTES, 0, len);
  return out;
}

/**
 * Collects frames of one answer so they go out in one write (spec §11: one
 * `write` of the concatenated frames, no Nagle stall between them).
 */
export class FrameBatch {
  readonly #parts: Buffer[] = [];
  #bytes = 0;

  add(type: number, payload: string | Buffer = ''): this {
    const f = encodeFrame(type, payload);
    this.#parts.push(f);
    this.#bytes += f.length;
    return this;
  }

  get length(): number {
    return this.#parts.length;
  }

  toBuffer(): Buffer {
    return this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts, this.#bytes);
  }
}
