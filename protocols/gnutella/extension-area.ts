import { NetError } from '../../src/errors.js';
import { normalizeSha1 } from '../../src/share/base32.js';
import { GGEP_H, GGEP_H_BITPRINT, GGEP_H_SHA1, GGEP_MAGIC, HUGE_SEPARATOR, NUL, SHA1_BYTES, URN_SHA1_PREFIX } from './constants.js';
import { decodeGgep, encodeGgep, type GgepExtension, type GgepWrite } from './ggep.js';

/** What an extension area (Query after the text, QueryHit result after the name) holds. */
export interface Extensions {
  /** HUGE strings (`urn:sha1:...`, `urn:`...), as sent. */
  huge: string[];
  /** GGEP extensions of every block in the area. */
  ggep: GgepExtension[];
  /** SHA-1s (lower-case hex) from `urn:sha1:` strings and GGEP `H`, deduplicated. */
  sha1s: string[];
}

/**
 * Parses an extension area from `start` up to its terminating NUL or the end of
 * `buf` (spec 2.13 "peaceful co-existence", 2.14): HUGE strings separated by
 * 0x1C, and GGEP blocks, which are self-delimiting and so may hold a NUL. Returns
 * the index of the terminating NUL (or buf.length).
 */
export function parseExtensions(buf: Buffer, start: number, maxItems = 32): Extensions & { end: number } {
  const huge: string[] = [];
  const ggep: GgepExtension[] = [];
  let p = start;
  let items = 0;
  while (p < buf.length && buf[p] !== NUL) {
    if (++items > maxItems) throw NetError.badMessage('too many extensions');
    if (buf[p] === HUGE_SEPARATOR) {
      p++;
      continue;
    }
    if (buf[p] === GGEP_MAGIC) {
      const block = decodeGgep(buf, p);
      ggep.push(...block.extensions);
      p = block.end;
      continue;
    }
    let q = p;
    while (q < buf.length && buf[q] !== NUL && buf[q] !== HUGE_SEPARATOR) q++;
    const text = buf.toString('latin1', p, q);
    if (text.length > 0) huge.push(text);
    p = q;
  }
  return { huge, ggep, sha1s: sha1sOf(huge, ggep), end: p };
}

function sha1sOf(huge: readonly string[], ggep: readonly GgepExtension[]): string[] {
  const out = new Set<string>();
  for (const h of huge) {
    if (h.toLowerCase().startsWith(URN_SHA1_PREFIX)) {
      const hex = normalizeSha1(h);
      if (hex) out.add(hex);
    }
  }
  for (const e of ggep) {
    if (e.id !== GGEP_H || e.data.length < 1 + SHA1_BYTES) continue;
    if (e.data[0] === GGEP_H_SHA1 || e.data[0] === GGEP_H_BITPRINT) out.add(e.data.toString('hex', 1, 1 + SHA1_BYTES));
  }
  return [...out];
}

/**
 * Writes an extension area (without the terminating NUL): HUGE strings joined by
 * 0x1C, then one GGEP block whose values are COBS-encoded where they hold a NUL,
 * so the area never contains a NUL byte.
 */
export function encodeExtensions(huge: readonly string[], ggep: readonly GgepWrite[] = []): Buffer {
  const parts: Buffer[] = [];
  huge.forEach((h, i) => {
    if (i > 0) parts.push(Buffer.from([HUGE_SEPARATOR]));
    parts.push(Buffer.from(h, 'latin1'));
  });
  if (ggep.length > 0) {
    if (huge.length > 0) parts.push(Buffer.from([HUGE_SEPARATOR]));
    parts.push(encodeGgep(ggep.map((e) => ({ ...e, cobs: e.cobs || e.deflate || e.data.includes(NUL) }))));
  }
  return Buffer.concat(parts);
}
