import { LengthFramedDecoder, type Frame } from '../../src/codec/length-framed-decoder.js';
import type { Decoder } from '../../src/codec/decoder.js';
import { NetError } from '../../src/errors.js';

/**
 * The client's view of OpenNap framing (napster.md §2): `u16le length | u16le
 * type | payload`, payloads raw 8-bit text. Kept client-local so the client
 * does not depend on the server's files while both are being written; it is
 * the same wire format.
 */

/** Bytes of the frame header (length + type). */
export const FRAME_HEADER_BYTES = 4;
/** Largest payload we send or accept (opennap `max_command_length`, §2). */
export const MAX_PAYLOAD_BYTES = 2048;

/** One decoded frame: its type and its payload as a latin-1 string (one char per byte). */
export interface NapFrame {
  type: number;
  /** The payload bytes as latin-1 (a "binary string": byte i is charCode i). */
  text: string;
}

/** Encodes one frame; throws USAGE for a payload over the limit (we never send what OpenNap would drop). */
export function encodeFrame(type: number, text: string): Buffer {
  const body = Buffer.from(text, 'latin1');
  if (body.length > MAX_PAYLOAD_BYTES) throw NetError.usage(`napster message too long (${body.length} > ${MAX_PAYLOAD_BYTES} bytes)`);
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  out.writeUInt16LE(body.length, 0);
  out.writeUInt16LE(type, 2);
  body.copy(out, FRAME_HEADER_BYTES);
  return out;
}

/** Maps the generic frame decoder's output to NapFrame. */
class NapFrameDecoder implements Decoder<NapFrame> {
  readonly #inner: LengthFramedDecoder;
  constructor(maxPayload: number) {
    this.#inner = new LengthFramedDecoder({
      headerBytes: FRAME_HEADER_BYTES,
      bodyLength: (h) => h.readUInt16LE(0),
      maxBody: () => maxPayload,
    });
  }
  push(chunk: Buffer): void {
    this.#inner.push(chunk);
  }
  next(): NapFrame | undefined {
    const f: Frame | undefined = this.#inner.next();
    return f && { type: f.header.readUInt16LE(2), text: f.body.toString('latin1') };
  }
  takeRest(): Buffer[] {
    return this.#inner.takeRest();
  }
  get buffered(): number {
    return this.#inner.buffered;
  }
}

/** An incremental decoder of server frames; a declared length over `maxPayload` is an error before any body is buffered. */
export function napFrameDecoder(maxPayload = MAX_PAYLOAD_BYTES): Decoder<NapFrame> {
  return new NapFrameDecoder(maxPayload);
}

/** UTF-8 text (a nick, a path, a message) as the latin-1 string that carries its bytes on the wire. */
export function toWire(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** Wire bytes back to text: UTF-8 when they are valid UTF-8, else latin-1 (old clients send cp1252/latin-1). */
export function fromWire(wire: string): string {
  const bytes = Buffer.from(wire, 'latin1');
  const utf8 = bytes.toString('utf8');
  return utf8.includes('\ufffd') ? wire : utf8;
}

/**
 * Splits a payload into fields (§2): single spaces separate, `"..."` wraps a
 * field that may hold spaces, there is no escaping. Runs of spaces count as one
 * separator (real clients leave trailing spaces). An unterminated quote makes
 * the whole payload unparsable: undefined.
 */
export function splitFields(text: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    if (text.charCodeAt(i) === 0x20) {
      i++;
      continue;
    }
    if (text.charCodeAt(i) === 0x22) {
      const end = text.indexOf('"', i + 1);
      if (end === -1) return undefined;
      out.push(text.slice(i + 1, end));
      i = end + 1;
      continue;
    }
    let end = text.indexOf(' ', i);
    if (end === -1) end = n;
    out.push(text.slice(i, end));
    i = end;
  }
  return out;
}

/** Wraps a field in quotes; a `"` inside can never be sent (§2: no escaping), so it is refused. */
export function quote(field: string): string {
  if (field.includes('"')) throw NetError.usage('a Napster field cannot contain a double quote');
  return `"${field}"`;
}

/** A decimal field, or undefined when it is not a plain non-negative integer. */
export function intField(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d{1,15}$/.test(s)) return undefined;
  return Number(s);
}

/** §3.1: the u32 address field is the dotted quad read little-endian (127.0.0.1 -> 16777343). */
export function ipFromField(s: string | undefined): string | undefined {
  const v = intField(s);
  if (v === undefined || v > 0xffffffff) return undefined;
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff].join('.');
}

/** The inverse of ipFromField, for tests and fake servers. */
export function ipToField(ip: string): string {
  const p = ip.split('.').map(Number);
  return String(((p[0] ?? 0) + (p[1] ?? 0) * 256 + (p[2] ?? 0) * 65536 + (p[3] ?? 0) * 16777216) >>> 0);
}
