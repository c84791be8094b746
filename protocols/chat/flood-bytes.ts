/**
 * The relay's fast path through the chat codec (specs/chat.md "Lines"; issue 9): a
 * flooded line (MSG, ACT, JOIN, PART, NICK) parsed straight from its bytes, with
 * exactly the checks and results of `parseLine`, plus where its hops-left field
 * sits, so a relay can forward the original bytes with only that field changed
 * instead of re-encoding what it just parsed.
 *
 * The bytes must already be checked as UTF-8 without NUL (ChatFrameDecoder does
 * that once per chunk).
 */
import { NetError } from '../../src/errors.js';
import { MAX_NODE_ID_LENGTH, MAX_WIRE_HOPS } from './constants.js';
import type { FloodMessage, FloodType } from './messages.js';
import { isNick, stripControls } from './text.js';

/** A flooded line as received: the message, and the bytes to forward. */
export interface WireFlood {
  message: FloodMessage;
  /** The line's bytes (without the terminator). */
  line: Buffer;
  /** hops-left is `line[hopsAt, hopsEnd)`. */
  hopsAt: number;
  hopsEnd: number;
  /**
   * The bytes are what `encode` would send, apart from the hops field: no
   * control characters to strip from the text, so they can be forwarded as they are.
   */
  verbatim: boolean;
}

const SP = 0x20;
const COLON = 0x3a;
const TAB = 0x09;
const DEL = 0x7f;
/** First byte of the UTF-8 encoding of U+0080..U+00BF (C1 controls are U+0080..U+009F). */
const C2 = 0xc2;

const MIN_ID = 8;
const MAX_ID = 64;
const MAX_HOPS_DIGITS = 3;
const MAX_AT_DIGITS = 15;

/** [A-Za-z0-9_-] */
function isIdByte(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2d;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function bad(verb: string, what: string): NetError {
  return NetError.badMessage(`${verb}: ${what}`);
}

/**
 * The last token of one field (origin, nick) read from a line, as bytes and as the string
 * they decoded to, after the checks passed. A flood brings the same origin and nick line
 * after line: comparing the bytes again costs less than decoding and checking them again,
 * and the same string comes back (cheap Map lookups downstream). Holds at most
 * MAX_MEMO_BYTES, so memory stays fixed whatever the input.
 */
class TokenMemo {
  readonly #bytes = Buffer.alloc(MAX_MEMO_BYTES);
  #len = -1;
  #text = '';

  /** The string for `b[at, end)` when it is the token remembered, else undefined. */
  get(b: Buffer, at: number, end: number): string | undefined {
    const n = end - at;
    if (n !== this.#len) return undefined;
    const m = this.#bytes;
    for (let i = 0; i < n; i++) if (b[at + i] !== m[i]) return undefined;
    return this.#text;
  }

  /** Remembers `b[at, end)` (already checked) as `text`; returns `text`. */
  set(b: Buffer, at: number, end: number, text: string): string {
    if (end - at > MAX_MEMO_BYTES) return text;
    b.copy(this.#bytes, 0, at, end);
    this.#len = end - at;
    this.#text = text;
    return text;
  }
}

/** Longest token a TokenMemo keeps (node ids and nicks are shorter). */
const MAX_MEMO_BYTES = 128;
const lastOrigin = new TokenMemo();
const lastNick = new TokenMemo();

/** The flood verb a line starts with (followed by a space), or undefined. */
function verbOf(b: Buffer): FloodType | undefined {
  if (b.length < 5) return undefined;
  const c0 = b[0];
  if (b[3] === SP) {
    if (c0 === 0x4d && b[1] === 0x53 && b[2] === 0x47) return 'MSG';
    if (c0 === 0x41 && b[1] === 0x43 && b[2] === 0x54) return 'ACT';
    return undefined;
  }
  if (b[4] !== SP) return undefined;
  if (c0 === 0x4a && b[1] === 0x4f && b[2] === 0x49 && b[3] === 0x4e) return 'JOIN';
  if (c0 === 0x50 && b[1] === 0x41 && b[2] === 0x52 && b[3] === 0x54) return 'PART';
  if (c0 === 0x4e && b[1] === 0x49 && b[2] === 0x43 && b[3] === 0x4b) return 'NICK';
  return undefined;
}

/** End of the token starting at `from`: the next space, or the end of the line. */
function tokenEnd(b: Buffer, from: number): number {
  const sp = b.indexOf(SP, from);
  return sp === -1 ? b.length : sp;
}

/** Spaces in `b` from `from` on. */
function spacesFrom(b: Buffer, from: number): number {
  let n = 0;
  for (let i = b.indexOf(SP, from); i !== -1; i = b.indexOf(SP, i + 1)) n++;
  return n;
}

/** Whether text bytes hold a character `stripControls` removes (C0 but tab, DEL, C1). */
function hasControls(b: Buffer, from: number): boolean {
  for (let i = from; i < b.length; i++) {
    const c = b[i]!;
    if ((c < SP && c !== TAB) || c === DEL) return true;
    if (c === C2) {
      const n = b[i + 1]!;
      if (n >= 0x80 && n <= 0x9f) return true;
    }
  }
  return false;
}

/**
 * The message id of a flooded line, read without parsing the rest; undefined when the
 * line is not `<flood verb> <valid id> ...`. A relay checks it against its seen-cache
 * first: most lines a mesh node receives are copies it already has (one per extra
 * path), and a copy is dropped whatever its other fields say.
 */
export function floodId(line: Buffer): string | undefined {
  const verb = verbOf(line);
  if (verb === undefined) return undefined;
  const at = verb.length + 1;
  const end = tokenEnd(line, at);
  if (end - at < MIN_ID || end - at > MAX_ID) return undefined;
  for (let i = at; i < end; i++) if (!isIdByte(line[i]!)) return undefined;
  return line.toString('latin1', at, end);
}

/**
 * Parses a flooded line from its bytes. Returns undefined for a line that is not
 * `<flood verb> ...` (the caller takes the general `parseLine` path); throws the
 * same NetError `parseLine` throws for a malformed one. `knownId`: what floodId() read
 * from this very line (it must be), reused instead of read and checked again.
 */
export function parseFloodBytes(line: Buffer, knownId?: string): WireFlood | undefined {
  const verb = verbOf(line);
  if (verb === undefined) return undefined;
  const len = line.length;
  // parseLine checks JOIN and NICK for trailing fields before anything else.
  if ((verb === 'JOIN' || verb === 'NICK') && spacesFrom(line, verb.length + 1) >= (verb === 'JOIN' ? 5 : 6)) {
    throw bad(verb, 'unexpected trailing fields');
  }
  // id
  let at = verb.length + 1;
  let end: number;
  let id: string;
  if (knownId !== undefined) {
    // floodId() checked these bytes already: one latin1 character per byte.
    id = knownId;
    end = at + knownId.length;
  } else {
    end = tokenEnd(line, at);
    if (end - at < MIN_ID || end - at > MAX_ID) throw bad(verb, 'bad message id');
    for (let i = at; i < end; i++) if (!isIdByte(line[i]!)) throw bad(verb, 'bad message id');
    id = line.toString('latin1', at, end);
  }
  // hops-left
  if (end === len) throw bad(verb, 'bad hops-left');
  const hopsAt = end + 1;
  end = tokenEnd(line, hopsAt);
  if (end === hopsAt || end - hopsAt > MAX_HOPS_DIGITS) throw bad(verb, 'bad hops-left');
  let hopsLeft = 0;
  for (let i = hopsAt; i < end; i++) {
    const c = line[i]!;
    if (!isDigit(c)) throw bad(verb, 'bad hops-left');
    hopsLeft = hopsLeft * 10 + (c - 0x30);
  }
  if (hopsLeft > MAX_WIRE_HOPS) throw bad(verb, 'bad hops-left');
  const hopsEnd = end;
  // origin
  if (end === len) throw bad(verb, 'bad origin node id');
  at = end + 1;
  end = tokenEnd(line, at);
  if (end === at || end - at > MAX_NODE_ID_LENGTH) throw bad(verb, 'bad origin node id');
  let origin = lastOrigin.get(line, at, end);
  if (origin === undefined) {
    for (let i = at; i < end; i++) if (!isIdByte(line[i]!)) throw bad(verb, 'bad origin node id');
    origin = lastOrigin.set(line, at, end, line.toString('latin1', at, end));
  }
  // timestamp
  if (end === len) throw bad(verb, 'bad timestamp');
  at = end + 1;
  end = tokenEnd(line, at);
  if (end === at || end - at > MAX_AT_DIGITS) throw bad(verb, 'bad timestamp');
  let stamp = 0;
  for (let i = at; i < end; i++) {
    const c = line[i]!;
    if (!isDigit(c)) throw bad(verb, 'bad timestamp');
    stamp = stamp * 10 + (c - 0x30);
  }
  // nick
  if (end === len) throw bad(verb, 'bad nick');
  at = end + 1;
  end = tokenEnd(line, at);
  let nick = lastNick.get(line, at, end);
  if (nick === undefined) {
    nick = line.toString('utf8', at, end);
    if (!isNick(nick)) throw bad(verb, 'bad nick');
    lastNick.set(line, at, end, nick);
  }

  if (verb === 'JOIN') {
    if (end !== len) throw bad(verb, 'unexpected trailing fields');
    return { message: { type: verb, id, hopsLeft, origin, at: stamp, nick }, line, hopsAt, hopsEnd, verbatim: true };
  }
  if (verb === 'NICK') {
    if (end === len) throw bad(verb, 'bad nick');
    at = end + 1;
    end = tokenEnd(line, at);
    const newNick = line.toString('utf8', at, end);
    if (!isNick(newNick)) throw bad(verb, 'bad nick');
    if (end !== len) throw bad(verb, 'unexpected trailing fields');
    return { message: { type: verb, id, hopsLeft, origin, at: stamp, nick, newNick }, line, hopsAt, hopsEnd, verbatim: true };
  }
  // MSG, ACT, PART: ` :text`
  if (end === len || line[end + 1] !== COLON) throw bad(verb, 'missing " :" before the text');
  const textAt = end + 2;
  const dirty = hasControls(line, textAt);
  const raw = line.toString('utf8', textAt, len);
  const text = dirty ? stripControls(raw) : raw;
  // Objects of one shape per verb, built in one go (no spread): this runs once per relayed line.
  const message: FloodMessage = verb === 'MSG' ? { type: 'MSG', id, hopsLeft, origin, at: stamp, nick, text } : verb === 'ACT' ? { type: 'ACT', id, hopsLeft, origin, at: stamp, nick, text } : { type: 'PART', id, hopsLeft, origin, at: stamp, nick, text };
  return { message, line, hopsAt, hopsEnd, verbatim: !dirty };
}

/** Bytes of `String(hops)` for hops-left 0..MAX_WIRE_HOPS. */
const HOPS_DIGITS: readonly Buffer[] = Array.from({ length: MAX_WIRE_HOPS + 1 }, (_, i) => Buffer.from(String(i), 'latin1'));

/** The ASCII digits of a hops-left value. */
export function hopsBytes(hops: number): Buffer {
  const b = HOPS_DIGITS[hops];
  if (b === undefined) throw new RangeError(`hops-left ${hops} outside 0..${MAX_WIRE_HOPS}`);
  return b;
}

/** Bytes needed to forward `w` with a new hops-left (terminator included). */
export function forwardedLength(w: WireFlood, hops: number): number {
  return w.line.length - (w.hopsEnd - w.hopsAt) + hopsBytes(hops).length + 1;
}

/**
 * Writes the line with hops-left replaced, and `\n`, into `out` at `pos`
 * (which must have forwardedLength bytes free); returns the new position.
 */
export function writeForwarded(w: WireFlood, hops: number, out: Buffer, pos: number): number {
  const digits = hopsBytes(hops);
  const line = w.line;
  if (digits.length === w.hopsEnd - w.hopsAt) {
    // The usual case (16 -> 15): one copy of the whole line, then the digits patched in.
    out.set(line, pos);
    for (let i = 0; i < digits.length; i++) out[pos + w.hopsAt + i] = digits[i]!;
    out[pos + line.length] = 0x0a;
    return pos + line.length + 1;
  }
  let p = pos + line.copy(out, pos, 0, w.hopsAt);
  p += digits.copy(out, p);
  p += line.copy(out, p, w.hopsEnd);
  out[p++] = 0x0a;
  return p;
}
