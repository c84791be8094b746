/**
 * Alternate-location headers (spec 5.2): `X-Alt: 1.2.3.4:6347, 5.6.7.8` (the
 * compact form, port 6346 when omitted), `X-Nalt` (the same list of locations
 * found bad), and the old HUGE 0.94 long form
 * `X-Gnutella-Alternate-Location: http://1.2.3.4:6346/uri-res/N2R?urn:sha1:... <date>`.
 * Pure: strings in, `ip:port` strings out. IPv4 only: an IPv6 entry
 * (`[::1]:6346`) or anything else that is not a location is skipped.
 */
import ipaddr from 'ipaddr.js';
import { isIP } from '../../src/net/address.js';
import { base32Encode, normalizeSha1 } from '../../src/share/base32.js';

/** The port an X-Alt entry without one means (spec 5.2). */
export const ALT_DEFAULT_PORT = 6346;
/** Characters of one alt-loc header read; the rest is ignored (a hostile peer may send kilobytes). */
export const MAX_ALT_HEADER_CHARS = 4096;
/** Entries taken from one header; more are ignored. */
export const MAX_ALT_ENTRIES = 32;
/** Entries we put in one header (gtk-gnutella sends about 10). */
export const MAX_ALT_SENT = 10;

const PORT = /^\d{1,5}$/;
const LONG = /^http:\/\/([0-9.]{7,15})(?::(\d{1,5}))?\/uri-res\/N2R\?urn:sha1:([A-Za-z2-7]{32})(?:\s|$)/i;

/**
 * Where an address can be reached from: a location is only useful to (and only
 * believed from) a peer that can reach it. `none`: no host is there (0/8,
 * multicast, reserved and documentation ranges, broadcast).
 */
export type AddressScope = 'loopback' | 'private' | 'public' | 'none';

/** ipaddr.js's IPv4 ranges by the scope they give: what it calls `unicast` (and any it adds later) is public. */
const SCOPE_OF_RANGE: Readonly<Record<string, AddressScope>> = {
  loopback: 'loopback',
  private: 'private',
  linkLocal: 'private',
  carrierGradeNat: 'private',
  unspecified: 'none',
  broadcast: 'none',
  multicast: 'none',
  reserved: 'none',
};

/** The scope of a dotted IPv4 address (anything else: `none`). */
export function addressScope(ip: string): AddressScope {
  if (!validQuad(ip)) return 'none';
  return SCOPE_OF_RANGE[ipaddr.IPv4.parse(ip).range()] ?? 'public';
}

/**
 * Whether a location at `ip` means anything to a peer at `peerIp`: a public one
 * to anybody, a private or loopback one only to a peer on that kind of net
 * (tests run on 127.0.0.1, a LAN on 192.168.x.y).
 */
export function sameReach(ip: string, peerIp: string): boolean {
  const s = addressScope(ip);
  return s === 'public' || (s !== 'none' && s === addressScope(peerIp));
}

/** A dotted quad as node:net reads one (octets 0-255, no leading zeros). */
function validQuad(ip: string): boolean {
  return isIP(ip) === 4;
}

function validPort(text: string): number | undefined {
  if (!PORT.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** One compact entry (`1.2.3.4` or `1.2.3.4:6347`) as `ip:port`; undefined when it is anything else. */
function compactEntry(entry: string): string | undefined {
  const colon = entry.indexOf(':');
  const ip = colon < 0 ? entry : entry.slice(0, colon);
  const port = colon < 0 ? ALT_DEFAULT_PORT : validPort(entry.slice(colon + 1));
  if (port === undefined || !validQuad(ip)) return undefined;
  return `${ip}:${port}`;
}

/** A header value as node:http gives it (repeats joined with ", "), cut at MAX_ALT_HEADER_CHARS. */
function bounded(value: string | string[] | undefined): string {
  if (value === undefined) return '';
  const text = Array.isArray(value) ? value.slice(0, MAX_ALT_ENTRIES).join(', ') : value;
  return text.length > MAX_ALT_HEADER_CHARS ? text.slice(0, MAX_ALT_HEADER_CHARS) : text;
}

/**
 * The locations of a compact `X-Alt` or `X-Nalt` value: distinct `ip:port`
 * strings in the order given, at most MAX_ALT_ENTRIES. Entries that are no
 * IPv4 location (IPv6, LimeWire's `tls=` hint, garbage, port 0) are skipped;
 * never throws.
 */
export function parseAltHeader(value: string | string[] | undefined): string[] {
  const out: string[] = [];
  for (const raw of bounded(value).split(',')) {
    const loc = compactEntry(raw.trim());
    if (loc !== undefined && !out.includes(loc)) out.push(loc);
    if (out.length >= MAX_ALT_ENTRIES) break;
  }
  return out;
}

/**
 * The locations of the long form (`X-Gnutella-Alternate-Location`, HUGE 0.94)
 * that name the file `sha1` (hex): URLs of another file are skipped.
 */
export function parseLongAltHeader(value: string | string[] | undefined, sha1: string): string[] {
  const want = base32Encode(Buffer.from(sha1, 'hex'));
  const out: string[] = [];
  for (const raw of bounded(value).split(',')) {
    const m = LONG.exec(raw.trim());
    if (!m || m[3]!.toUpperCase() !== want) continue;
    const port = m[2] === undefined ? ALT_DEFAULT_PORT : validPort(m[2]);
    if (port === undefined || !validQuad(m[1]!)) continue;
    const loc = `${m[1]}:${port}`;
    if (!out.includes(loc)) out.push(loc);
    if (out.length >= MAX_ALT_ENTRIES) break;
  }
  return out;
}

/** A compact header value of `ip:port` locations: port 6346 left out, at most MAX_ALT_SENT. */
export function formatAltHeader(locations: readonly string[]): string {
  return locations
    .slice(0, MAX_ALT_SENT)
    .map((l) => (l.endsWith(`:${ALT_DEFAULT_PORT}`) ? l.slice(0, -String(ALT_DEFAULT_PORT).length - 1) : l))
    .join(', ');
}

/** The SHA-1 (hex) an N2R request path names (`/uri-res/N2R?urn:sha1:<base32>`), else undefined. */
export function requestedSha1(url: string): string | undefined {
  const m = /^\/uri-res\/N2R\?urn:sha1:([A-Za-z2-7]{32})$/i.exec(url);
  return m ? normalizeSha1(m[1]!) : undefined;
}

/** The IP of an `ip:port` location. */
export function locationIp(loc: string): string {
  return loc.slice(0, loc.lastIndexOf(':'));
}
