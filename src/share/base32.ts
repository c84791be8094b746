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

/**
 * base32Into for bytes held as a latin1 string (one character per byte, as
 * `digest('binary')` gives): five bytes make eight characters, written
 * without a loop over bits or a call per byte (issue 9: every file of a
 * first scan has its SHA-1 written so in a worker; the loop over bits with
 * a byte reader per call took about 10 ms of each worker for 100,000
 * files). A tail of fewer than five bytes goes through base32Bytes.
 */
export function base32IntoFromLatin1(bytes: string, out: Uint8Array, at: number): number {
  const a = ALPHABET_BYTES;
  const whole = bytes.length - (bytes.length % 5);
  let o = at;
  for (let i = 0; i < whole; i += 5) {
    const b0 = bytes.charCodeAt(i);
    const b1 = bytes.charCodeAt(i + 1);
    const b2 = bytes.charCodeAt(i + 2);
    const b3 = bytes.charCodeAt(i + 3);
    const b4 = bytes.charCodeAt(i + 4);
    out[o] = a[b0 >> 3]!;
    out[o + 1] = a[((b0 & 7) << 2) | (b1 >> 6)]!;
    out[o + 2] = a[(b1 >> 1) & 31]!;
    out[o + 3] = a[((b1 & 1) << 4) | (b2 >> 4)]!;
    out[o + 4] = a[((b2 & 15) << 1) | (b3 >> 7)]!;
    out[o + 5] = a[(b3 >> 2) & 31]!;
    out[o + 6] = a[((b3 & 3) << 3) | (b4 >> 5)]!;
    out[o + 7] = a[b4 & 31]!;
    o += 8;
  }
  if (whole === bytes.length) return o - at;
  return o - at + base32Bytes(bytes.length - whole, (i) => bytes.charCodeAt(whole + i), out, o);
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
