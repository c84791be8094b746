import { NetError } from '../../src/errors.js';
import { GUID_BYTES } from './constants.js';

/** The GIV callback's first word (spec 4.4). */
export const GIV_PREFIX = 'GIV ';
/** Longest GIV line we accept: the name is ignored, but a line this long is hostile. */
export const MAX_GIV_LINE = 1_024;
/** Largest file index a GIV may carry (32 bits, spec 2.9). */
const MAX_INDEX = 0xffff_ffff;
/** Name written when ours would not fit on the line (GTKG always writes `file`). */
const FALLBACK_NAME = 'file';

/** A GIV callback: which file, which servent (spec 4.4). */
export interface Giv {
  index: number;
  serventGuid: Buffer;
  /** The name after the slash, as sent (ignored for matching: GTKG writes `file`). */
  name: string;
}

/** Whether a header block's first line starts a GIV (so the acceptor hands it to the push table). */
export function isGiv(firstLine: string | undefined): boolean {
  return firstLine !== undefined && firstLine.startsWith(GIV_PREFIX);
}

/**
 * `GIV <index>:<32 hex>/<name>\n\n`, two LF, no CR (spec 4.4, vector 7.5). A
 * name with a line break or one that would make the line too long is sent as
 * `file`: the downloader asks by URN or index anyway.
 */
export function encodeGiv(g: Giv): Buffer {
  if (g.serventGuid.length !== GUID_BYTES) throw new RangeError('servent GUID must be 16 bytes');
  if (!Number.isInteger(g.index) || g.index < 0 || g.index > MAX_INDEX) throw new RangeError(`file index ${g.index}`);
  const head = `${GIV_PREFIX}${g.index}:${g.serventGuid.toString('hex')}/`;
  const name = /[\r\n]/.test(g.name) || Buffer.byteLength(head + g.name) > MAX_GIV_LINE ? FALLBACK_NAME : g.name;
  return Buffer.from(`${head}${name}\n\n`, 'utf8');
}

/**
 * Parses the block a GIV came in (the lines the header-block decoder yields,
 * which bounds the whole block): `GIV `, a decimal index, `:`, 32 hex digits in
 * any case, `/`, the rest of the line ignored (spec 4.4). Anything else is a
 * BAD_MESSAGE; a first line over 1 KiB is a FRAME_TOO_LARGE.
 */
export function parseGiv(lines: readonly string[]): Giv {
  const line = lines[0] ?? '';
  if (line.length > MAX_GIV_LINE) throw NetError.frameTooLarge(line.length, MAX_GIV_LINE);
  const m = /^GIV (\d{1,10}):([0-9A-Fa-f]{32})\/(.*)$/.exec(line);
  if (!m) throw NetError.badMessage(`not a GIV line: ${JSON.stringify(line.slice(0, 80))}`);
  const index = Number(m[1]);
  if (index > MAX_INDEX) throw NetError.badMessage(`GIV file index ${m[1]} is over 32 bits`);
  // The decoder read latin1; names are UTF-8 on the wire.
  return { index, serventGuid: Buffer.from(m[2]!, 'hex'), name: Buffer.from(m[3]!, 'latin1').toString('utf8') };
}
