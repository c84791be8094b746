/**
 * Peer-name records (issue 14 "Peer names", the PNRP idea over the chat mesh). A secured
 * name is `<authority>.<classifier>`: its record is signed by the key whose SHA-1 is the
 * authority, and it expires. An unsecured name is `0.<classifier>`: anyone may publish it,
 * so it is shown as spoofable. On the wire a record is one space-separated field list:
 *
 *   <name> <cloud> <issued-ms> <expires-ms> <key|-> <signature|-> <endpoints>
 *
 * where endpoints are `tag@host:port` joined by commas (every protocol's listeners).
 */
import { NetError } from '../../../src/errors.js';
import { parseHostPort } from '../../../src/net/address.js';
import { authorityOfKey, verifySignature, type Identity } from '../identity.js';

/** Where a name is published (issue 14 "Clouds"). */
export type CloudScope = 'global' | 'linklocal';
/** The unsecured authority. */
export const UNSECURED = '0';
/** Domain separation for record signatures (never valid as a chat-line signature). */
const NAME_DOMAIN = 'peerdeck-name/1';
/** Longest classifier; the whole name stays within a wire token. */
export const MAX_CLASSIFIER = 64;
/** Endpoints per record. */
export const MAX_ENDPOINTS = 16;
/** The longest lifetime a record may claim (a signer cannot make a record live forever). */
export const MAX_RECORD_TTL_MS = 24 * 3_600_000;
/** How far ahead of our clock a record's issue time may be. */
export const RECORD_SKEW_MS = 2 * 60_000;

const CLASSIFIER_RE = new RegExp(`^[A-Za-z0-9_-][A-Za-z0-9._-]{0,${MAX_CLASSIFIER - 1}}$`);
const AUTHORITY_RE = /^([0-9a-f]{40}|0)$/;
const MS_RE = /^[0-9]{1,15}$/;
const KEY_RE = /^[A-Za-z0-9_-]{43}$/;
const SIG_RE = /^[A-Za-z0-9_-]{86}$/;
const TAG_RE = /^[a-z0-9_-]{1,24}$/;

/** One published name with where to reach it. */
export interface NameRecord {
  name: string;
  cloud: CloudScope;
  issued: number;
  expires: number;
  /** base64url raw Ed25519 key; undefined for an unsecured name. */
  key?: string;
  sig?: string;
  /** `tag@host:port`, e.g. `chat@127.0.0.1:6350`. */
  endpoints: string[];
}

/** A peer name split into authority and classifier, or undefined when it is none. */
export function parseName(name: string): { authority: string; classifier: string } | undefined {
  const dot = name.indexOf('.');
  if (dot === -1) return undefined;
  const authority = name.slice(0, dot);
  const classifier = name.slice(dot + 1);
  if (!AUTHORITY_RE.test(authority) || !CLASSIFIER_RE.test(classifier)) return undefined;
  return { authority, classifier };
}

/** Whether `s` is a classifier `/register` accepts. */
export function isClassifier(s: string): boolean {
  return CLASSIFIER_RE.test(s);
}

/** Whether an endpoint is `tag@host:port`. */
export function isEndpoint(e: string): boolean {
  const at = e.indexOf('@');
  return at > 0 && TAG_RE.test(e.slice(0, at)) && parseHostPort(e.slice(at + 1)) !== undefined;
}

function signedBytes(r: NameRecord): Buffer {
  return Buffer.from(`${NAME_DOMAIN}\n${r.name}\n${r.cloud}\n${r.issued}\n${r.expires}\n${r.endpoints.join(',')}`, 'utf8');
}

/** A record for one of our names; secured names are signed with `id`. */
export function makeRecord(name: string, cloud: CloudScope, endpoints: string[], issued: number, ttlMs: number, id: Identity): NameRecord {
  const r: NameRecord = { name, cloud, issued, expires: issued + ttlMs, endpoints: endpoints.slice(0, MAX_ENDPOINTS) };
  if (!name.startsWith(`${UNSECURED}.`)) {
    r.key = id.publicKey;
    r.sig = id.sign(signedBytes(r));
  }
  return r;
}

/** The record's wire fields (no verb). */
export function encodeRecord(r: NameRecord): string {
  return `${r.name} ${r.cloud} ${r.issued} ${r.expires} ${r.key ?? '-'} ${r.sig ?? '-'} ${r.endpoints.join(',')}`;
}

/** Parses a record's wire fields; throws NetError BAD_MESSAGE when malformed (not when forged). */
export function parseRecord(s: string): NameRecord {
  const f = s.split(' ');
  if (f.length !== 7) throw NetError.badMessage('name record: wrong number of fields');
  const [name, cloud, issued, expires, key, sig, eps] = f as [string, string, string, string, string, string, string];
  if (!parseName(name)) throw NetError.badMessage('name record: bad name');
  if (cloud !== 'global' && cloud !== 'linklocal') throw NetError.badMessage('name record: bad cloud');
  if (!MS_RE.test(issued) || !MS_RE.test(expires)) throw NetError.badMessage('name record: bad time');
  const endpoints = eps === '' ? [] : eps.split(',');
  if (endpoints.length > MAX_ENDPOINTS || !endpoints.every(isEndpoint)) throw NetError.badMessage('name record: bad endpoints');
  const r: NameRecord = { name, cloud, issued: Number(issued), expires: Number(expires), endpoints };
  if (key !== '-' || sig !== '-') {
    if (!KEY_RE.test(key) || !SIG_RE.test(sig)) throw NetError.badMessage('name record: bad key or signature');
    r.key = key;
    r.sig = sig;
  }
  return r;
}

/** What a received record is worth (decide, then do). */
export type RecordVerdict =
  | { kind: 'valid'; secured: boolean }
  /** A secured name whose key does not hash to its authority, or whose signature fails. */
  | { kind: 'forged' }
  /** Expired, issued in the future, or claiming a lifetime past MAX_RECORD_TTL_MS. */
  | { kind: 'stale' };

/** Checks a record: signature, authority = hash of the key, not expired (issue 14). */
export function judgeRecord(r: NameRecord, now: number): RecordVerdict {
  if (r.expires <= now || r.issued > now + RECORD_SKEW_MS || r.expires - r.issued > MAX_RECORD_TTL_MS) return { kind: 'stale' };
  const n = parseName(r.name);
  if (!n) return { kind: 'forged' };
  if (n.authority === UNSECURED) return r.key === undefined ? { kind: 'valid', secured: false } : { kind: 'forged' };
  if (r.key === undefined || r.sig === undefined) return { kind: 'forged' };
  if (authorityOfKey(r.key) !== n.authority) return { kind: 'forged' };
  if (!verifySignature(r.key, signedBytes(r), r.sig)) return { kind: 'forged' };
  return { kind: 'valid', secured: true };
}
