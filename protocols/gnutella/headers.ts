import { NetError } from '../../src/errors.js';
import { MAX_HEADER_LINE, MAX_HEADER_LINES } from './constants.js';

/**
 * A handshake header block (spec 1.2): the start line and the headers, names
 * lower-cased, repeated headers joined with ",", folded continuation lines
 * (SP/TAB first, as GTKG writes long `X-Try-Ultrapeers`) unfolded.
 */
export interface HeaderBlock {
  startLine: string;
  headers: Map<string, string>;
}

/** Why a handshake block is refused with 413 before it is read, in gtk-gnutella's words (spec 1.4, 1.5). */
export const HEADER_LINE_TOO_LONG = 'Header line too long';
export const HEADER_TOO_MANY_LINES = 'Header has too many lines';
export const HEADER_TOO_LARGE = 'Header too large';

/** A block past our limits: more than 64 lines, or a line over 1024 bytes (the 413 reason), else undefined. */
export function headerBlockFault(rawLines: readonly string[]): string | undefined {
  const lines = rawLines.flatMap((l) => l.split(/\r?\n/));
  if (lines.length > MAX_HEADER_LINES + 1) return HEADER_TOO_MANY_LINES;
  if (lines.some((l) => l.length > MAX_HEADER_LINE)) return HEADER_LINE_TOO_LONG;
  return undefined;
}

/**
 * Parses the lines of one block (as HeaderBlockDecoder yields them). More than
 * 64 lines or a line over 1024 bytes is a PROTOCOL error (spec 1.5: GTKG answers
 * such a peer with 413). A header line without a colon is skipped, with any
 * continuation of it, as gtk-gnutella's header parser does ("Malformed header
 * line": logged, and the rest is read).
 */
export function parseHeaderBlock(rawLines: readonly string[]): HeaderBlock {
  const lines = rawLines.flatMap((l) => l.split(/\r?\n/));
  if (lines.length > MAX_HEADER_LINES + 1) throw NetError.protocol(`${lines.length - 1} header lines (at most ${MAX_HEADER_LINES})`);
  const [startLine = '', ...rest] = lines;
  const headers = new Map<string, string>();
  let last: string | undefined;
  for (const line of [startLine, ...rest]) {
    if (line.length > MAX_HEADER_LINE) throw NetError.protocol(`header line of ${line.length} bytes (at most ${MAX_HEADER_LINE})`);
  }
  for (const line of rest) {
    if (line === '') continue;
    if ((line[0] === ' ' || line[0] === '\t') && last !== undefined) {
      headers.set(last, `${headers.get(last) ?? ''} ${line.trim()}`.trim());
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      // gtk-gnutella skips a malformed line (and what continues it) and reads on: so do we.
      last = undefined;
      continue;
    }
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const prev = headers.get(name);
    headers.set(name, prev === undefined ? value : `${prev},${value}`);
    last = name;
  }
  return { startLine, headers };
}

/** Serialises a block: start line, `Name: value` lines, empty line, all CRLF. */
export function encodeHeaderBlock(startLine: string, headers: ReadonlyArray<readonly [string, string]>): Buffer {
  const lines = [startLine, ...headers.map(([k, v]) => `${k}: ${v}`), '', ''];
  return Buffer.from(lines.join('\r\n'), 'latin1');
}

/** Boolean headers compare case-insensitively (`True`, `true`) (spec 1.2). */
export function headerTrue(h: Map<string, string>, name: string): boolean | undefined {
  const v = h.get(name);
  if (v === undefined) return undefined;
  return v.trim().toLowerCase() === 'true';
}

/** A `major.minor` header present with at least this version (spec 1.2). */
export function headerVersionAtLeast(h: Map<string, string>, name: string, min: number): boolean {
  const v = Number.parseFloat(h.get(name) ?? '');
  return Number.isFinite(v) && v >= min;
}

/** Whether a comma list header (Accept-Encoding, Content-Encoding) names a token. */
export function headerHasToken(h: Map<string, string>, name: string, token: string): boolean {
  return (h.get(name) ?? '').split(',').some((t) => t.trim().split(';')[0]!.toLowerCase() === token);
}
