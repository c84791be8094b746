/**
 * Napster payload fields (specs/napster.md §2, §3.1): space-separated, a field
 * that may hold spaces is double-quoted, with no escaping at all. Pure helpers
 * shared by the server and the client.
 */
import { MAX_CHANNEL_NAME, MAX_NICK_LENGTH, RESERVED_NICKS } from './constants.js';

/**
 * Splits a payload into fields. Runs of spaces separate fields; `"..."` is one
 * field without its quotes. Returns undefined for an unterminated quote (the
 * whole command is then "unparsable", §2).
 */
export function splitFields(text: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x20) {
      i++;
      continue;
    }
    if (c === 0x22) {
      const end = text.indexOf('"', i + 1);
      if (end < 0) return undefined;
      out.push(text.slice(i + 1, end));
      i = end + 1;
      continue;
    }
    let end = text.indexOf(' ', i);
    if (end < 0) end = n;
    out.push(text.slice(i, end));
    i = end;
  }
  return out;
}

/** The first field and the rest of the payload after one separating space (205, 402, 410). */
export function splitFirst(text: string): [string, string] {
  const sp = text.indexOf(' ');
  return sp < 0 ? [text, ''] : [text.slice(0, sp), text.slice(sp + 1)];
}

/** Quotes a field; a `"` cannot be sent inside one (§10), so it is dropped. */
export function quote(s: string): string {
  return `"${s.includes('"') ? s.replaceAll('"', '') : s}"`;
}

/**
 * §3.1: an IPv4 address as the decimal u32 of its 4 bytes read little-endian
 * (127.0.0.1 -> 16777343). Non-IPv4 addresses give 0.
 */
export function ipToNapster(ip: string): number {
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  const parts = v4.split('.');
  if (parts.length !== 4) return 0;
  let n = 0;
  for (let i = 3; i >= 0; i--) {
    const b = Number(parts[i]);
    if (!Number.isInteger(b) || b < 0 || b > 255) return 0;
    n = n * 256 + b;
  }
  return n;
}

/** The inverse of ipToNapster. */
export function napsterToIp(n: number): string {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
}

const NICK_BANNED = new Set([...'%$*?.!",\\'].map((c) => c.charCodeAt(0)));
const NICK_BAD_START = new Set([...'#&:-'].map((c) => c.charCodeAt(0)));

/** §3.2 rule 2: 1-19 printable bytes, none of `%$*?.!",\`, not starting `#&:-`, not a service name. */
export function isValidNick(nick: string): boolean {
  if (nick.length < 1 || nick.length > MAX_NICK_LENGTH) return false;
  if (NICK_BAD_START.has(nick.charCodeAt(0))) return false;
  for (let i = 0; i < nick.length; i++) {
    const c = nick.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || NICK_BANNED.has(c)) return false;
  }
  return !(RESERVED_NICKS as readonly string[]).includes(nick.toLowerCase());
}

const CHANNEL_BANNED = new Set([...'%$*?",'].map((c) => c.charCodeAt(0)));

/** §4.1 (400): `#` or `&` plus 1-32 printable characters, none of `%$*?",`. */
export function isValidChannel(name: string): boolean {
  const first = name.charCodeAt(0);
  if (first !== 0x23 && first !== 0x26) return false;
  if (name.length < 2 || name.length > MAX_CHANNEL_NAME + 1) return false;
  for (let i = 1; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || CHANNEL_BANNED.has(c)) return false;
  }
  return true;
}

/** A decimal field as OpenNap's atoi reads it: leading digits, else 0 (§8 "accepted as 0 values"). */
export function atoi(s: string): number {
  let i = 0;
  let sign = 1;
  const first = s.charCodeAt(0);
  if (first === 0x2d || first === 0x2b) {
    sign = first === 0x2d ? -1 : 1;
    i = 1;
  }
  let n = 0;
  for (; i < s.length; i++) {
    const d = s.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
  }
  return sign * n;
}

/** A strictly numeric field, or undefined. */
export function strictInt(s: string): number | undefined {
  return /^\d{1,15}$/.test(s) ? Number(s) : undefined;
}

/** UTF-8 text (a nick, a path, a message) as the latin-1 string that carries its bytes on the wire (§2). */
export function toWire(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** Wire bytes back to text: UTF-8 when they are valid UTF-8, else latin-1 (old clients send cp1252/latin-1). */
export function fromWire(wire: string): string {
  const bytes = Buffer.from(wire, 'latin1');
  const utf8 = bytes.toString('utf8');
  return utf8.includes('\ufffd') ? wire : utf8;
}

/** An address field (§3.1) as a dotted quad, or undefined when it is not a u32. */
export function ipField(s: string | undefined): string | undefined {
  const v = s === undefined ? undefined : strictInt(s);
  return v === undefined || v > 0xffffffff ? undefined : napsterToIp(v);
}
