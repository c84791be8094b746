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
 * `write` of the concatenated frames, no Nagle stall between them), encoded
 * straight into one buffer.
 */
export class FrameBatch {
  readonly #types: number[] = [];
  readonly #payloads: Array<string | Buffer> = [];
  #bytes = 0;

  add(type: number, payload: string | Buffer = ''): this {
    // latin-1: one byte per char; payloads past the cap are cut as encodeFrame does.
    this.#types.push(type);
    this.#payloads.push(payload);
    this.#bytes += HEADER_BYTES + Math.min(payload.length, MAX_PAYLOAD);
    return this;
  }

  get length(): number {
    return this.#types.length;
  }

  toBuffer(): Buffer {
    const out = Buffer.allocUnsafe(this.#bytes);
    let off = 0;
    for (let i = 0; i < this.#types.length; i++) {
      const p = this.#payloads[i]!;
      const len = Math.min(p.length, MAX_PAYLOAD);
      out.writeUInt16LE(len, off);
      out.writeUInt16LE(this.#types[i]!, off + 2);
      off += HEADER_BYTES;
      if (typeof p === 'string') out.write(p.length > len ? p.slice(0, len) : p, off, 'latin1');
      else p.copy(out, off, 0, len);
      off += len;
    }
    return out;
  }
}
