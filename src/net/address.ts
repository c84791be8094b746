/**
 * `host:port` addresses, one spelling for every protocol: command lines, peer
 * lists on the wire, host caches. IPv6 hosts are bracketed: `[::1]:6350`.
 */
import { isIP } from 'node:net';

/** A parsed `host:port`. */
export interface HostPort {
  host: string;
  port: number;
}

const HOSTNAME_RE = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*\.?$/;
const PORT_RE = /^[0-9]{1,5}$/;

/**
 * A DNS host name by its spelling (RFC 1123 labels). Its last label is not all
 * digits (RFC 3696 section 2): `999.1.1.1` is a bad IPv4 address, not a name
 * to look up, so it is refused here rather than by a DNS error at start-up.
 */
export function isHostName(s: string): boolean {
  return HOSTNAME_RE.test(s) && !/(?:^|\.)[0-9]+\.?$/.test(s);
}

/**
 * Why `s` is neither a literal IP address nor a host name, in words for a
 * command-line error; undefined when it is one of them.
 */
export function hostProblem(s: string): string | undefined {
  if (isIP(s) !== 0 || isHostName(s)) return undefined;
  if (s === '') return 'empty';
  if (/^[0-9.]+$/.test(s)) return 'not an IPv4 address (four numbers 0-255, e.g. 127.0.0.1)';
  if (s.includes(':')) return 'not an IPv6 address (e.g. ::1, without brackets)';
  return 'not an IP address or host name (letters, digits, - and . only)';
}

/** Parses `host:port` or `[v6]:port`; undefined when malformed. */
export function parseHostPort(s: string): HostPort | undefined {
  let host: string;
  let portText: string;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close === -1 || s[close + 1] !== ':') return undefined;
    host = s.slice(1, close);
    portText = s.slice(close + 2);
    if (isIP(host) !== 6) return undefined;
  } else {
    const colon = s.lastIndexOf(':');
    if (colon <= 0) return undefined;
    host = s.slice(0, colon);
    portText = s.slice(colon + 1);
    if (isIP(host) !== 4 && !isHostName(host)) return undefined;
  }
  if (!PORT_RE.test(portText)) return undefined;
  const port = Number(portText);
  if (port < 1 || port > 65535) return undefined;
  return { host, port };
}

/** Formats an address the way parseHostPort reads it back. */
export function formatHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Strips the IPv4-mapped IPv6 prefix a dual-stack socket reports (`::ffff:127.0.0.1`). */
export function normalizeIp(ip: string | undefined): string {
  if (!ip) return '';
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

/** 4 or 6 for a literal IP, 0 otherwise: node:net's isIP, so protocols need not import node:net. */
export { isIP };
