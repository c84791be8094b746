import { NetError } from '../../src/errors.js';
import { sha1Urn } from '../../src/share/base32.js';
import {
  GGEP_LF,
  GGEP_MAGIC,
  GUID_BYTES,
  MAX_RESULTS_PER_HIT,
  NUL,
  QHD_BUSY,
  QHD_GGEP,
  QHD_PUSH,
  QHD_SPEED,
  QHD_UPLOADED,
  QUERY_HIT_FIXED_BYTES,
  QUERY_HIT_MIN_BYTES,
  VENDOR_CODE_BYTES,
} from './constants.js';
import { encodeExtensions, parseExtensions } from './extension-area.js';
import { decodeGgep, encodeGgep, encodeMinimalLe, decodeMinimalLe, ggepGet, type GgepExtension, type GgepWrite } from './ggep.js';
import { readIpv4, writeIpv4 } from './ipv4.js';

/** Largest size the 32-bit field carries; bigger files use 0xFFFFFFFF + GGEP `LF` (spec 2.8). */
const SIZE_IN_GGEP = 0xffff_ffff;

/** One result record of a QueryHit (spec 2.8). */
export interface HitResult {
  index: number;
  size: number;
  name: string;
  /** HUGE strings of the record (`urn:sha1:...`). */
  huge: string[];
  /** Lower-case hex SHA-1s found in the record. */
  sha1s: string[];
  ggep: GgepExtension[];
}

/**
 * The QHD trailer's open-data flags, decoded with their crossed "meaningful"
 * bits (spec 2.8): undefined = the sender did not say.
 */
export interface HitFlags {
  push?: boolean;
  busy?: boolean;
  uploaded?: boolean;
  measuredSpeed?: boolean;
  ggep?: boolean;
}

/** QueryHit payload (spec 2.8). */
export interface QueryHit {
  kind: 'query-hit';
  port: number;
  ip: string;
  /** kbit/s. */
  speed: number;
  results: HitResult[];
  /** 4-character vendor code from the trailer, if there is one. */
  vendor?: string;
  flags: HitFlags;
  /** The trailer's GGEP (`BH`, `PUSH`, `GTKGV`...). */
  ggep: GgepExtension[];
  serventGuid: Buffer;
}

/**
 * Parses a QueryHit. Shorter than 27 bytes, a count of 0, or records that do not
 * fit before the servent GUID is a BAD_MESSAGE (spec 6). Names that are not
 * UTF-8 keep replacement characters; they are checked again before any use.
 */
export function decodeQueryHit(payload: Buffer): QueryHit {
  if (payload.length < QUERY_HIT_MIN_BYTES) throw NetError.badMessage(`query hit of ${payload.length} bytes`);
  const count = payload[0]!;
  if (count === 0) throw NetError.badMessage('query hit without results');
  const guidAt = payload.length - GUID_BYTES;
  const body = payload.subarray(0, guidAt);
  const results: HitResult[] = [];
  let p = QUERY_HIT_FIXED_BYTES;
  for (let i = 0; i < count; i++) {
    if (p + 8 > body.length) throw NetError.badMessage('query hit records run past the payload');
    const index = body.readUInt32LE(p);
    let size = body.readUInt32LE(p + 4);
    const nameEnd = body.indexOf(NUL, p + 8);
    if (nameEnd === -1) throw NetError.badMessage('query hit name without NUL');
    const name = body.toString('utf8', p + 8, nameEnd);
    const ext = parseExtensions(body, nameEnd + 1);
    if (ext.end >= body.length) throw NetError.badMessage('query hit record without NUL');
    if (size === SIZE_IN_GGEP) {
      const lf = ggepGet(ext.ggep, GGEP_LF);
      const big = lf ? decodeMinimalLe(lf) : undefined;
      if (big !== undefined) size = big;
    }
    results.push({ index, size, name, huge: ext.huge, sha1s: ext.sha1s, ggep: ext.ggep });
    p = ext.end + 1;
  }
  const trailer = parseTrailer(body, p);
  return {
    kind: 'query-hit',
    port: payload.readUInt16LE(1),
    ip: readIpv4(payload, 3),
    speed: payload.readUInt32LE(7),
    results,
    ...trailer,
    serventGuid: Buffer.from(payload.subarray(guidAt)),
  };
}

function parseTrailer(body: Buffer, at: number): { vendor?: string; flags: HitFlags; ggep: GgepExtension[] } {
  if (body.length - at < VENDOR_CODE_BYTES + 1) return { flags: {}, ggep: [] };
  const vendor = body.toString('latin1', at, at + VENDOR_CODE_BYTES);
  const odLen = body[at + VENDOR_CODE_BYTES]!;
  const odAt = at + VENDOR_CODE_BYTES + 1;
  if (odAt + odLen > body.length) throw NetError.badMessage('query hit open data runs past the payload');
  const flags: HitFlags = {};
  if (odLen >= 2) {
    const a = body[odAt]!;
    const b = body[odAt + 1]!;
    if (b & QHD_PUSH) flags.push = (a & QHD_PUSH) !== 0;
    if (a & QHD_BUSY) flags.busy = (b & QHD_BUSY) !== 0;
    if (a & QHD_UPLOADED) flags.uploaded = (b & QHD_UPLOADED) !== 0;
    if (a & QHD_SPEED) flags.measuredSpeed = (b & QHD_SPEED) !== 0;
    if (a & QHD_GGEP) flags.ggep = (b & QHD_GGEP) !== 0;
  }
  let ggep: GgepExtension[] = [];
  const priv = odAt + odLen;
  const magic = flags.ggep === false ? -1 : body.indexOf(GGEP_MAGIC, priv);
  if (magic !== -1) {
    try {
      ggep = decodeGgep(body, magic).extensions;
    } catch {
      // The private area may hold vendor bytes that merely look like GGEP (spec 2.8).
      ggep = [];
    }
  }
  return { vendor, flags, ggep };
}

/** One of our shared files as we put it into a hit. */
export interface HitResultInit {
  index: number;
  size: number;
  name: string;
  /** Lower-case hex SHA-1, written as `urn:sha1:` (spec 2.8: give every file a URN). */
  sha1?: string;
}

/** What we answer with (our address, our GUID, our state). */
export interface QueryHitInit {
  port: number;
  ip: string;
  speed: number;
  results: readonly HitResultInit[];
  vendor: string;
  push: boolean;
  busy: boolean;
  uploaded: boolean;
  ggep?: readonly GgepWrite[];
  serventGuid: Buffer;
}

/**
 * Builds a QueryHit payload with the QHD trailer: two open-data bytes with every
 * bit we state marked meaningful, the trailer GGEP, and our servent GUID last.
 * At most 10 results (spec 2.5): more is a programmer error.
 */
export function encodeQueryHit(h: QueryHitInit): Buffer {
  if (h.results.length < 1 || h.results.length > MAX_RESULTS_PER_HIT) throw new RangeError(`query hit with ${h.results.length} results`);
  if (h.vendor.length !== VENDOR_CODE_BYTES) throw new RangeError('vendor code must be 4 characters');
  if (h.serventGuid.length !== GUID_BYTES) throw new RangeError('servent GUID must be 16 bytes');
  const head = Buffer.alloc(QUERY_HIT_FIXED_BYTES);
  head[0] = h.results.length;
  head.writeUInt16LE(h.port, 1);
  writeIpv4(h.ip, head, 3);
  head.writeUInt32LE(h.speed, 7);
  const parts: Buffer[] = [head];
  for (const r of h.results) {
    const fixed = Buffer.alloc(8);
    fixed.writeUInt32LE(r.index, 0);
    const big = r.size >= SIZE_IN_GGEP;
    fixed.writeUInt32LE(big ? SIZE_IN_GGEP : r.size, 4);
    const name = Buffer.from(r.name, 'utf8');
    if (name.includes(NUL)) throw new RangeError('file name holds a NUL');
    const huge = r.sha1 ? [sha1Urn(r.sha1)] : [];
    const ggep: GgepWrite[] = big ? [{ id: GGEP_LF, data: encodeMinimalLe(r.size) }] : [];
    parts.push(fixed, name, Buffer.from([NUL]), encodeExtensions(huge, ggep), Buffer.from([NUL]));
  }
  const hasGgep = (h.ggep?.length ?? 0) > 0;
  const a = QHD_BUSY | QHD_UPLOADED | QHD_GGEP | (h.push ? QHD_PUSH : 0);
  const b = QHD_PUSH | (h.busy ? QHD_BUSY : 0) | (h.uploaded ? QHD_UPLOADED : 0) | (hasGgep ? QHD_GGEP : 0);
  parts.push(Buffer.from(h.vendor, 'latin1'), Buffer.from([2, a, b]));
  if (hasGgep) parts.push(encodeGgep(h.ggep!));
  parts.push(h.serventGuid);
  return Buffer.concat(parts);
}
