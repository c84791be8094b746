/** RFC 4648 base32 alphabet, as used by `urn:sha1:` (Gnutella HUGE, Magnet links). */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * Encodes bytes as unpadded RFC 4648 base32. A 20-byte SHA-1 becomes the
 * 32-character form that `urn:sha1:` carries.
 */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

const ALPHABET_BYTES = Buffer.from(ALPHABET, 'latin1');

/** base32Encode written as ASCII bytes into `out` at `at` (ceil(8n/5) bytes); no string is made. */
export function base32Into(bytes: Uint8Array, out: Uint8Array, at: number): number {
  return base32Bytes(bytes.length, (i) => bytes[i]!, out, at);
}

/** A hex digit's value by its character code; -1 for any other character. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = HEX_VALUE['0123456789ABCDEF'.charCodeAt(i)] = i;
/** The bytes of one hex SHA-1 and their base32 (one caller at a time: JavaScript runs one thing at a time per thread). */
const SHA1_BYTES = 20;
const hexBytes = new Uint8Array(SHA1_BYTES);
const base32Out = Buffer.alloc(32);

/**
 * The base32 of a SHA-1 given as 40 hex characters (`urn:sha1:`'s body),
 * as base32Encode(Buffer.from(hex, 'hex')) gives it, made without a Buffer
 * or a string per character (issue 9: the share table keeps each file's
 * SHA-1 as hex only and works this out when a protocol asks; Gnutella asks
 * for every file when it builds its query routing table). Undefined for
 * anything that is not 40 hex characters.
 */
export function base32FromHex(hex: string): string | undefined {
  if (hex.length !== 2 * SHA1_BYTES) return undefined;
  for (let i = 0; i < SHA1_BYTES; i++) {
    const hi = hex.charCodeAt(2 * i);
    const lo = hex.charCodeAt(2 * i + 1);
    const h = hi < 128 ? HEX_VALUE[hi]! : -1;
    const l = lo < 128 ? HEX_VALUE[lo]! : -1;
    if (h < 0 || l < 0) return undefined;
    hexBytes[i] = (h << 4) | l;
  }
  // Five bytes make eight characters: a SHA-1 is four such groups.
  const a = ALPHABET_BYTES;
  const b = hexBytes;
  for (let i = 0, o = 0; i < SHA1_BYTES; i += 5, o += 8) {
    base32Out[o] = a[b[i]! >> 3]!;
    base32Out[o + 1] = a[((b[i]! & 7) << 2) | (b[i + 1]! >> 6)]!;
    base32Out[o + 2] = a[(b[i + 1]! >> 1) & 31]!;
    base32Out[o + 3] = a[((b[i + 1]! & 1) << 4) | (b[i + 2]! >> 4)]!;
    base32Out[o + 4] = a[((b[i + 2]! & 15) << 1) | (b[i + 3]! >> 7)]!;
    base32Out[o + 5] = a[(b[i + 3]! >> 2) & 31]!;
    base32Out[o + 6] = a[((b[i + 3]! & 3) << 3) | (b[i + 4]! >> 5)]!;
    base32Out[o + 7] = a[b[i + 4]! & 31]!;
  }
  return base32Out.toString('latin1');
}

function base32Bytes(n: number, byteAt: (i: number) => number, out: Uint8Array, at: number): number {
  let o = at;
  let bits = 0;
  let value = 0;
  for (let i = 0; i < n; i++) {
    value = ((value << 8) | byteAt(i)) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out[o++] = ALPHABET_BYTES[(value >>> (bits - 5)) & 31]!;
      bits -= 5;
    }
  }
  if (bits > 0) out[o++] = ALPHABET_BYTES[(value << (5 - bits)) & 31]!;
  return o - at;
}

/** Decodes unpadded base32 (either case); undefined on any foreign character. */
export function base32Decode(text: string): Buffer | undefined {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of text.toUpperCase()) {
    const v = ALPHABET.indexOf(ch);
    if (v === -1) return undefined;
    value = ((value << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** `urn:sha1:<base32>` for a hex SHA-1. */
export function sha1Urn(sha1Hex: string): string {
  return `urn:sha1:${base32Encode(Buffer.from(sha1Hex, 'hex'))}`;
}

/** Accepts a SHA-1 as 40 hex chars, 32 base32 chars or `urn:sha1:...`; returns lower-case hex. */
export function normalizeSha1(text: string): string | undefined {
  const t = text.trim().replace(/^urn:sha1:/i, '');
  if (/^[0-9a-f]{40}$/i.test(t)) return t.toLowerCase();
  if (t.length === 32) {
    const b = base32Decode(t);
    if (b && b.length === 20) return b.toString('hex');
  }
  return undefined;
}
