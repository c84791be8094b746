/**
 * Signed chat lines (issue 14 "Signed messages", the Peer Channel message security idea).
 * A signed flooded message travels, between nodes that both said EXT (extensions.ts), as
 *
 *   SIG <public-key> <signature> <the classic flood line>
 *
 * `public-key` is the raw Ed25519 key and `signature` the Ed25519 signature, both base64url,
 * over the canonical bytes below: every field but hops-left (which changes on the way).
 * Classic nodes are sent the classic line only; they relay it unsigned (README "Names").
 */
import { NetError } from '../../src/errors.js';
import { parseLine } from './codec.js';
import { authorityOfKey, verifySignature, type Identity } from './identity.js';
import { isFlood, type FloodMessage, type SignatureTag } from './messages.js';
import { stripControls } from './text.js';

/** The verb of a signed line (a link-local wrapper; old nodes never receive it). */
export const SIG_VERB = 'SIG';
/** Domain separation of what we sign, so a chat signature never passes for a name record's. */
const SIG_DOMAIN = 'peerdeck-sig/1';
/** Bytes a SIG wrapper adds to a classic line: verb, key, signature and three spaces. */
export const SIG_OVERHEAD = SIG_VERB.length + 43 + 86 + 3;
const KEY_RE = /^[A-Za-z0-9_-]{43}$/;
const SIGNATURE_RE = /^[A-Za-z0-9_-]{86}$/;


/** The bytes a flooded message's signature covers (all but hops-left). */
export function signedBytes(m: FloodMessage): Buffer {
  const payload = m.type === 'JOIN' ? '' : m.type === 'NICK' ? m.newNick : stripControls(m.text);
  return Buffer.from(`${SIG_DOMAIN}\n${m.type}\n${m.id}\n${m.origin}\n${m.at}\n${m.nick}\n${payload}`, 'utf8');
}

/** Signs one of our own messages. */
export function signFlood(m: FloodMessage, id: Identity): SignatureTag {
  return { key: id.publicKey, sig: id.sign(signedBytes(m)), authority: id.authority };
}

/** The SIG wrapper line (without terminator) for a signed message, given its classic line. */
export function encodeSigned(tag: SignatureTag, classic: string): string {
  return `${SIG_VERB} ${tag.key} ${tag.sig} ${classic}`;
}

/** A parsed SIG line: the wrapped message and its unverified signature. */
export interface SignedLine {
  message: FloodMessage;
  key: string;
  sig: string;
}

/** Parses the part after `SIG `; throws NetError BAD_MESSAGE on a malformed line. */
export function parseSigned(rest: string): SignedLine {
  const a = rest.indexOf(' ');
  const b = a === -1 ? -1 : rest.indexOf(' ', a + 1);
  if (a === -1 || b === -1) throw NetError.badMessage('SIG: missing fields');
  const key = rest.slice(0, a);
  const sig = rest.slice(a + 1, b);
  if (!KEY_RE.test(key)) throw NetError.badMessage('SIG: bad public key');
  if (!SIGNATURE_RE.test(sig)) throw NetError.badMessage('SIG: bad signature');
  const m = parseLine(rest.slice(b + 1));
  if (m.type === 'PLAIN' || !isFlood(m)) throw NetError.badMessage('SIG: does not wrap a flooded line');
  return { message: m, key, sig };
}

/** What a received signature is worth (decide, then do). */
export type SignatureVerdict =
  | { kind: 'valid'; tag: SignatureTag }
  /** The signature does not match the line (tampered or forged). */
  | { kind: 'bad-signature' }
  /** Stamped too long ago (past the dedup window) or too far ahead: a replay. */
  | { kind: 'replay' };

/** Whether a signed line's stamp is inside the window (decided before spending a verification). */
export function freshStamp(m: FloodMessage, now: number, maxAgeMs: number, skewMs: number): boolean {
  return m.at >= now - maxAgeMs && m.at <= now + skewMs;
}

/**
 * Verifies a signed line. `maxAgeMs` is the dedup window: within it the seen cache stops
 * a replayed id; past it the timestamp does. `skewMs` bounds how far ahead of us a clock may be.
 * (A node verifies on the thread pool instead: signed-queue.ts, same checks.)
 */
export function judgeSigned(s: SignedLine, now: number, maxAgeMs: number, skewMs: number): SignatureVerdict {
  const m = s.message;
  if (!freshStamp(m, now, maxAgeMs, skewMs)) return { kind: 'replay' };
  if (!verifySignature(s.key, signedBytes(m), s.sig)) return { kind: 'bad-signature' };
  return { kind: 'valid', tag: { key: s.key, sig: s.sig, authority: authorityOfKey(s.key) } };
}
