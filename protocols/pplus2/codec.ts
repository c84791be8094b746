import { isIP } from '../../src/net/address.js';
import { NetError } from '../../src/errors.js';
import { LF, MAX_BASE_PORT, MAX_LINE_BYTES } from './constants.js';

/** A peer's address: its IP and base port p. */
export interface PeerAddress {
  host: string;
  port: number;
}

/**
 * Parses one `ip:p` line (pplus2.md: "the caller's own `ip:p`", "one `ip:p`
 * per line"). Only literal IPs (v4, or v6 in brackets) and base ports whose
 * p+2 is still a port: a remote-supplied name never makes us resolve DNS.
 */
export function parsePeerAddress(line: string): PeerAddress | undefined {
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(line) ?? /^([0-9.]+):(\d{1,5})$/.exec(line);
  if (!m) return undefined;
  const host = m[1]!;
  const port = Number(m[2]);
  const family = isIP(host);
  if (family === 0 || (family === 6) !== line.startsWith('[')) return undefined;
  if (port < 1 || port > MAX_BASE_PORT) return undefined;
  return { host: host.toLowerCase(), port };
}

/** `ip:p`, brackets around IPv6: the one spelling used as a key and on the wire. */
export function formatPeerAddress(a: PeerAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/**
 * One request or answer line with its LF. Refuses text that would break the
 * framing (CR, LF, NUL) or exceed the line limit, so we never send what we
 * would refuse to receive.
 */
export function encodeLine(text: string): string {
  if (/[\r\n\u0000]/.test(text)) throw NetError.usage('line may not contain CR, LF or NUL');
  if (Buffer.byteLength(text) > MAX_LINE_BYTES) throw NetError.usage(`line longer than ${MAX_LINE_BYTES} bytes`);
  return text + LF;
}

/** True when `text` can travel as one line (names with LF etc. are left out of answers). */
export function isEncodable(text: string): boolean {
  return !/[\r\n\u0000]/.test(text) && Buffer.byteLength(text) <= MAX_LINE_BYTES;
}

/** Encodes an answer: each item one line, stopping before `maxLines` or `maxBytes`. */
export function encodeAnswer(items: Iterable<string>, maxLines: number, maxBytes: number): string {
  const out: string[] = [];
  let bytes = 0;
  for (const item of items) {
    if (out.length >= maxLines) break;
    if (!isEncodable(item)) continue;
    const line = item + LF;
    bytes += Buffer.byteLength(line);
    if (bytes > maxBytes) break;
    out.push(line);
  }
  return out.join('');
}
