/**
 * Plain peers (specs/chat.md "Plain peers"): a `nc` user or a classic Delphi-style client
 * that never sends HELLO. Its lines become chat messages with a content-hash id, and it
 * receives rendered lines (`<nick> text`, `* nick action`) instead of protocol lines.
 *
 * The id hashes the text with a coarse time bucket: a client that re-broadcasts a line
 * it saw (the Delphi example dedups by content) sends it back within moments and hits an
 * id we already saw (we check this bucket and the previous one), while a user who types
 * the same line again a little later is not silenced for the whole dedup TTL.
 */
import { createHash } from 'node:crypto';
import { MSG_ID_BYTES, PLAIN_BUCKET_MS } from './constants.js';
import type { FloodMessage } from './messages.js';
import { isGoodNick } from '../../src/nick.js';
import { isNick, stripControls } from './text.js';

/** `nick: text`, the convention of classic clients that prefix lines with the sender. */
const NICK_PREFIX_RE = /^([^\s:<>*][^\s:]*): (.*)$/su;

/** The time bucket of `now`. */
export function plainBucket(now: number, bucketMs = PLAIN_BUCKET_MS): number {
  return Math.floor(now / bucketMs);
}

/** The id of a plain line's content in a bucket (hex, MSG_ID_BYTES long). */
export function plainId(text: string, bucket: number): string {
  return createHash('sha256').update(`${bucket}\n${text}`, 'utf8').digest('hex').slice(0, MSG_ID_BYTES * 2);
}

/** Ids to check for "seen already": this bucket's and the previous one's. */
export function plainIds(text: string, now: number, bucketMs = PLAIN_BUCKET_MS): [current: string, previous: string] {
  const b = plainBucket(now, bucketMs);
  return [plainId(text, b), plainId(text, b - 1)];
}

/**
 * Nick and text of a plain line: `nick: text` if it looks like that, else the peer's address.
 * A nick that `taken` says is ours or another node's is not believed (a `nc` user typing
 * `alice: ...` would pass for alice): the whole line shows under the peer's address.
 */
export function splitPlainLine(line: string, address: string, taken?: (nick: string) => boolean): { nick: string; text: string } | undefined {
  const clean = stripControls(line);
  if (clean.trim() === '') return undefined;
  const m = NICK_PREFIX_RE.exec(clean);
  if (m && m[1] !== undefined && m[2] !== undefined && isGoodNick(m[1]) && m[2].trim() !== '' && taken?.(m[1]) !== true) {
    return { nick: m[1], text: m[2] };
  }
  return { nick: plainNick(address), text: clean };
}

/** The nick of a plain peer known only by its address (always a valid wire nick). */
export function plainNick(address: string): string {
  return isNick(address) ? address : 'plain';
}

/** How a flooded message looks to a plain peer. */
export function renderPlain(m: FloodMessage): string {
  switch (m.type) {
    case 'MSG':
      return `<${m.nick}> ${stripControls(m.text)}`;
    case 'ACT':
      return `* ${m.nick} ${stripControls(m.text)}`;
    case 'JOIN':
      return `* ${m.nick} has joined`;
    case 'PART':
      return m.text === '' ? `* ${m.nick} has left` : `* ${m.nick} has left (${stripControls(m.text)})`;
    case 'NICK':
      return `* ${m.nick} is now known as ${m.newNick}`;
  }
}
