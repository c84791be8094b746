import { hostProblem, isHostName, isIP } from '../../src/net/address.js';
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

/** How `/addpeer` is used, said with every refusal of its argument. */
export const ADDPEER_USAGE = '/addpeer <ip:p> (e.g. /addpeer 192.0.2.10:7000, or [2001:db8::1]:7000)';

/**
 * Why `text` is not a peer address parsePeerAddress takes, in words (`/addpeer 1.2.3` said only
 * `want IP:PORT, got 1.2.3`); undefined when it is one.
 */
export function peerAddressProblem(text: string): string | undefined {
  if (parsePeerAddress(text) !== undefined) return undefined;
  if (text === '') return 'no address';
  const bracketed = /^\[(.*)\](?::(.*))?$/.exec(text);
  const colon = text.lastIndexOf(':');
  const [host, port] = bracketed ? [bracketed[1]!, bracketed[2]] : isIP(text) === 6 || colon < 0 ? [text, undefined] : [text.slice(0, colon), text.slice(colon + 1)];
  if (isIP(host) === 6 && !bracketed) return `an IPv6 address goes in brackets, with the port after them: [${host}]:7000`;
  if (bracketed && isIP(host) !== 6) return `${host} in brackets is not an IPv6 address`;
  if (isIP(host) === 0) {
    if (isHostName(host)) return `${host} is a host name: a P+2 peer is given by its IP address (P+2 passes only addresses around)`;
    return `${host} is ${hostProblem(host) ?? 'not an IP address'}`;
  }
  if (port === undefined || port === '') return `no port after ${host} (the peer's base port P: it uses P, P+1 and P+2)`;
  if (!/^\d+$/.test(port)) return `the port ${port} is not a number`;
  return `the port ${port} is out of range: P+2 uses P, P+1 and P+2, so P is 1-${MAX_BASE_PORT}`;
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
