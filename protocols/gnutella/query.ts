import { NetError } from '../../src/errors.js';
import { NUL, QUERY_FLAG_MARK, QUERY_MIN_BYTES } from './constants.js';
import { encodeExtensions, parseExtensions, type Extensions } from './extension-area.js';
import type { GgepWrite } from './ggep.js';

/** Query payload (spec 2.7): flag word, UTF-8 text, HUGE URNs and GGEP. */
export interface Query extends Extensions {
  kind: 'query';
  /** The 16-bit flag word, read big-endian. */
  flags: number;
  text: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a Query. Shorter than 4 bytes, no NUL after the text, invalid UTF-8, or
 * a flag word of 0 ("ancient", dropped by GTKG) is a BAD_MESSAGE (spec 6). The
 * extension area may end at the payload's end without a final NUL (GTKG).
 */
export function decodeQuery(payload: Buffer): Query {
  if (payload.length < QUERY_MIN_BYTES) throw NetError.badMessage(`query of ${payload.length} bytes`);
  const flags = payload.readUInt16BE(0);
  if (flags === 0) throw NetError.badMessage('query with flag word 0');
  const nul = payload.indexOf(NUL, 2);
  if (nul === -1) throw NetError.badMessage('query text without NUL');
  let text: string;
  try {
    text = utf8.decode(payload.subarray(2, nul));
  } catch {
    throw NetError.badMessage('query text is not UTF-8');
  }
  const ext = parseExtensions(payload, nul + 1);
  return { kind: 'query', flags, text, huge: ext.huge, ggep: ext.ggep, sha1s: ext.sha1s };
}

/** What a caller gives to build a Query; flags default to the mark bit only. */
export interface QueryInit {
  flags?: number;
  text: string;
  huge?: readonly string[];
  ggep?: readonly GgepWrite[];
}

/** Serialises a Query: flags BE, text, NUL, and (when present) extensions + NUL. */
export function encodeQuery(q: QueryInit): Buffer {
  const flags = Buffer.alloc(2);
  flags.writeUInt16BE(q.flags ?? QUERY_FLAG_MARK, 0);
  const text = Buffer.from(q.text, 'utf8');
  if (text.includes(NUL)) throw new RangeError('query text holds a NUL');
  const parts: Buffer[] = [flags, text, Buffer.from([NUL])];
  if ((q.huge?.length ?? 0) > 0 || (q.ggep?.length ?? 0) > 0) {
    parts.push(encodeExtensions(q.huge ?? [], q.ggep ?? []), Buffer.from([NUL]));
  }
  return Buffer.concat(parts);
}

/** The flags are meaningful only with bit 15 set (spec 2.7). */
export function queryFlag(flags: number, bit: number): boolean {
  return (flags & QUERY_FLAG_MARK) !== 0 && (flags & bit) !== 0;
}
