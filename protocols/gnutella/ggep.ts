import { deflateSync, inflateSync } from 'node:zlib';
import { NetError } from '../../src/errors.js';
import { cobsDecode, cobsEncode } from './cobs.js';
import {
  GGEP_FLAG_COBS,
  GGEP_FLAG_DEFLATE,
  GGEP_FLAG_LAST,
  GGEP_FLAG_RESERVED,
  GGEP_ID_LENGTH_MASK,
  GGEP_LEN_BITS_MASK,
  GGEP_LEN_LAST,
  GGEP_LEN_MORE,
  GGEP_MAGIC,
  GGEP_MAX_DATA,
  GGEP_MAX_EXTENSIONS,
  GGEP_MAX_INFLATED,
} from './constants.js';

/** One GGEP extension: a case-sensitive ID and its data (after un-COBS and inflate). */
export interface GgepExtension {
  id: string;
  data: Buffer;
}

/** How to write one extension: COBS where a NUL would break the container, deflate when it helps. */
export interface GgepWrite extends GgepExtension {
  cobs?: boolean;
  deflate?: boolean;
}

/** A parsed block and the offset just past it. */
export interface GgepBlock {
  extensions: GgepExtension[];
  end: number;
}

/** GGEP data length: 6 bits per byte, most significant first, 0x80 = more, 0x40 = last (spec 2.13). */
export function encodeGgepLength(n: number): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > GGEP_MAX_DATA) throw new RangeError(`GGEP length ${n} out of range`);
  if (n < 64) return Buffer.from([GGEP_LEN_LAST | n]);
  if (n < 4096) return Buffer.from([GGEP_LEN_MORE | (n >> 6), GGEP_LEN_LAST | (n & GGEP_LEN_BITS_MASK)]);
  return Buffer.from([GGEP_LEN_MORE | (n >> 12), GGEP_LEN_MORE | ((n >> 6) & GGEP_LEN_BITS_MASK), GGEP_LEN_LAST | (n & GGEP_LEN_BITS_MASK)]);
}

/** Serialises a GGEP block (magic, then each extension; the last one flagged). */
export function encodeGgep(exts: readonly GgepWrite[]): Buffer {
  if (exts.length === 0) throw new RangeError('a GGEP block needs at least one extension');
  const parts: Buffer[] = [Buffer.from([GGEP_MAGIC])];
  exts.forEach((e, i) => {
    const id = Buffer.from(e.id, 'latin1');
    if (id.length < 1 || id.length > GGEP_ID_LENGTH_MASK || id.includes(0)) throw new RangeError(`bad GGEP id ${JSON.stringify(e.id)}`);
    let data = e.data;
    let flags = id.length;
    if (e.deflate) {
      data = deflateSync(data);
      flags |= GGEP_FLAG_DEFLATE;
    }
    if (e.cobs) {
      data = cobsEncode(data);
      flags |= GGEP_FLAG_COBS;
    }
    if (i === exts.length - 1) flags |= GGEP_FLAG_LAST;
    parts.push(Buffer.from([flags]), id, encodeGgepLength(data.length), data);
  });
  return Buffer.concat(parts);
}

/**
 * Parses the GGEP block that starts at `offset` (which must hold 0xC3). Every
 * field is bounds-checked; a truncated block, a reserved flag bit, a bad length
 * encoding or an inflate past GGEP_MAX_INFLATED throws BAD_MESSAGE.
 */
export function decodeGgep(buf: Buffer, offset = 0): GgepBlock {
  if (buf[offset] !== GGEP_MAGIC) throw NetError.badMessage('GGEP block without magic byte');
  let p = offset + 1;
  const extensions: GgepExtension[] = [];
  for (;;) {
    if (extensions.length >= GGEP_MAX_EXTENSIONS) throw NetError.badMessage('too many GGEP extensions');
    if (p >= buf.length) throw NetError.badMessage('truncated GGEP block');
    const flags = buf[p++]!;
    if (flags & GGEP_FLAG_RESERVED) throw NetError.badMessage('GGEP reserved flag set');
    const idLen = flags & GGEP_ID_LENGTH_MASK;
    if (idLen === 0) throw NetError.badMessage('GGEP id of length 0');
    if (p + idLen > buf.length) throw NetError.badMessage('truncated GGEP id');
    const idBytes = buf.subarray(p, p + idLen);
    if (idBytes.includes(0)) throw NetError.badMessage('GGEP id holds a NUL');
    p += idLen;
    let len = 0;
    for (let i = 0; ; i++) {
      if (i === 3) throw NetError.badMessage('GGEP length longer than 3 bytes');
      if (p >= buf.length) throw NetError.badMessage('truncated GGEP length');
      const b = buf[p++]!;
      len = (len << 6) | (b & GGEP_LEN_BITS_MASK);
      if (b & GGEP_LEN_LAST) break;
      if (!(b & GGEP_LEN_MORE)) throw NetError.badMessage('bad GGEP length byte');
    }
    if (p + len > buf.length) throw NetError.badMessage('truncated GGEP data');
    let data = buf.subarray(p, p + len);
    p += len;
    if (flags & GGEP_FLAG_COBS) data = cobsDecode(data);
    if (flags & GGEP_FLAG_DEFLATE) data = inflateBounded(data);
    extensions.push({ id: idBytes.toString('latin1'), data: Buffer.from(data) });
    if (flags & GGEP_FLAG_LAST) return { extensions, end: p };
  }
}

function inflateBounded(data: Buffer): Buffer {
  try {
    return inflateSync(data, { maxOutputLength: GGEP_MAX_INFLATED });
  } catch (err) {
    throw new NetError('BAD_MESSAGE', `GGEP inflate failed: ${(err as Error).message}`, { cause: err });
  }
}

/** The first extension with this id, if any. */
export function ggepGet(exts: readonly GgepExtension[], id: string): Buffer | undefined {
  return exts.find((e) => e.id === id)?.data;
}

/** Minimal little-endian unsigned integer (leading zero bytes dropped), as DU/LF/CT use. */
export function encodeMinimalLe(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`bad GGEP integer ${n}`);
  const out: number[] = [];
  let v = n;
  while (v > 0) {
    out.push(v % 256);
    v = Math.floor(v / 256);
  }
  return Buffer.from(out);
}

/** Reads a little-endian unsigned integer of up to 7 bytes (undefined if longer). */
export function decodeMinimalLe(data: Buffer): number | undefined {
  if (data.length > 7) return undefined;
  let v = 0;
  for (let i = data.length - 1; i >= 0; i--) v = v * 256 + data[i]!;
  return v;
}
