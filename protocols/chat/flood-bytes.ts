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
import { WordView } from '../../src/word-view.js';
import { MAX_NODE_ID_LENGTH, MAX_WIRE_HOPS } from './constants.js';
import type { FloodType } from './messages.js';
import { isNick } from './text.js';
import { latin1, utf8, WireFlood } from './wire-flood.js';

export { RANGE_DECODERS, WireFlood } from './wire-flood.js';

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

/** Bytes the word loops below read at a time. */
const WORD = 4;
const EACH_BYTE = 0x01010101;
const EACH_HIGH_BIT = 0x80808080 | 0;
const EACH_SPACE = 0x20202020;
const EACH_DEL = DEL * EACH_BYTE;

/** The view of the chunk whose lines are parsed (src/word-view.ts). */
const chunkWords = new WordView();

/** 1 for the bytes of [A-Za-z0-9_-], by byte value (one load a byte instead of five comparisons). */
const ID_BYTES = new Uint8Array(256);
for (const c of Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-', 'latin1')) ID_BYTES[c] = 1;

/** 0x80 in each byte of `v` that is zero (exact: no carry crosses a byte). */
function zeroBytes(v: number): number {
  return ~(((v & 0x7f7f7f7f) + 0x7f7f7f7f) | v | 0x7f7f7f7f);
}

/**
 * Whether all four bytes of `w` are [A-Za-z0-9_-] (floodIdEnd reads a line's id a word at a
 * time). Exact: once every byte is below 0x80, each byte's sums below stay below 0x100, so no
 * carry crosses into the next byte, and the high bit of each byte of `x + (0x80 - a)` says
 * x >= a, of `~(x + (0x7f - b))` x <= b.
 */
function allIdBytes(w: number): boolean {
  if ((w & EACH_HIGH_BIT) !== 0) return false;
  const y = w | 0x20202020; // A-Z as a-z
  const letter = (y + 0x1f1f1f1f) & ~(y + 0x05050505); // 0x61 <= y <= 0x7a
  const digit = (w + 0x50505050) & ~(w + 0x46464646); // 0x30 <= w <= 0x39
  const ok = letter | digit | zeroBytes(w ^ 0x5f5f5f5f) | zeroBytes(w ^ 0x2d2d2d2d);
  return (ok & EACH_HIGH_BIT) === EACH_HIGH_BIT;
}

/** [A-Za-z0-9_-] */
function isIdByte(c: number): boolean {
  return ID_BYTES[c] === 1;
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
 *
 * It answers only for the chunk (socket read) it was last set from: the first line of each
 * chunk reads, checks and decodes its origin and nick as a new node's would be (`keep()` then
 * gives back the string it had for the same bytes). So the code a line from a new node runs
 * is code every chunk runs, and V8 has compiled the parse with it: before, only a relay's
 * first few lines ran it (before V8 kept type feedback), and the first line from a node that
 * came later threw the compiled parse away, to be compiled again (issue 9).
 */
class TokenMemo {
  readonly #bytes = Buffer.alloc(MAX_MEMO_BYTES);
  readonly #words = new DataView(this.#bytes.buffer, this.#bytes.byteOffset, this.#bytes.length);
  #len = -1;
  #text = '';
  /** The chunk the token was last set from. */
  #chunk: Uint8Array | undefined;

  /**
   * When the token at `b[at, ...)` (ending at a space or at `end`) is the one remembered:
   * where it ends; else -1. `text()` is then its string.
   */
  match(b: Buffer, at: number, end: number): number {
    const n = this.#len;
    const stop = at + n;
    if (n < 0 || b !== this.#chunk || stop > end || (stop < end && b[stop] !== SP)) return -1;
    // Four bytes a compare (a 32-character origin in 8): the check runs on every line.
    let i = 0;
    if (n >= WORD) {
      const v = chunkWords.of(b);
      const mv = this.#words;
      for (; i + WORD <= n; i += WORD) if (v.getUint32(at + i, true) !== mv.getUint32(i, true)) return -1;
    }
    const m = this.#bytes;
    for (; i < n; i++) if (b[at + i] !== m[i]) return -1;
    return stop;
  }

  /** The string of the token remembered. */
  text(): string {
    return this.#text;
  }

  /**
   * Remembers `b[at, end)` (already checked), whose string `decoded` is, and returns the
   * string to use: the one it had when the bytes are those it held (so one origin's lines
   * carry one string, chunk after chunk), else `decoded`.
   */
  keep(b: Buffer, at: number, end: number, decoded: string): string {
    const n = end - at;
    this.#chunk = b;
    if (n > MAX_MEMO_BYTES) {
      this.#len = -1;
      return decoded;
    }
    // Compared and copied in one pass, byte by byte (once a chunk, at most MAX_MEMO_BYTES),
    // with no step that only a new token takes.
    const m = this.#bytes;
    let diff = n ^ this.#len;
    for (let i = 0; i < n; i++) {
      const c = b[at + i]!;
      diff |= m[i]! ^ c;
      m[i] = c;
    }
    this.#len = n;
    const text = diff === 0 ? this.#text : decoded;
    this.#text = text;
    return text;
  }
}

/** Longest token a TokenMemo keeps (node ids and nicks are shorter). */
const MAX_MEMO_BYTES = 128;
const lastOrigin = new TokenMemo();
const lastNick = new TokenMemo();

/** The flood verb `b[start, end)` starts with (followed by a space), or undefined. */
function verbOf(b: Buffer, start: number, end: number): FloodType | undefined {
  if (end - start < 5) return undefined;
  const c0 = b[start];
  if (b[start + 3] === SP) {
    if (c0 === 0x4d && b[start + 1] === 0x53 && b[start + 2] === 0x47) return 'MSG';
    if (c0 === 0x41 && b[start + 1] === 0x43 && b[start + 2] === 0x54) return 'ACT';
    return undefined;
  }
  if (b[start + 4] !== SP) return undefined;
  if (c0 === 0x4a && b[start + 1] === 0x4f && b[start + 2] === 0x49 && b[start + 3] === 0x4e) return 'JOIN';
  if (c0 === 0x50 && b[start + 1] === 0x41 && b[start + 2] === 0x52 && b[start + 3] === 0x54) return 'PART';
  if (c0 === 0x4e && b[start + 1] === 0x49 && b[start + 2] === 0x43 && b[start + 3] === 0x4b) return 'NICK';
  return undefined;
}

/** End of the token starting at `from`: the next space, or `end`. */
function tokenEnd(b: Buffer, from: number, end: number): number {
  for (let i = from; i < end; i++) if (b[i] === SP) return i;
  return end;
}

/** Spaces in `b[from, end)`. */
function spacesIn(b: Buffer, from: number, end: number): number {
  let n = 0;
  for (let i = from; i < end; i++) if (b[i] === SP) n++;
  return n;
}

/** Whether text bytes `b[from, end)` hold a character `stripControls` removes (C0 but tab, DEL, C1). */
function hasControls(b: Buffer, from: number, end: number): boolean {
  let i = from;
  if (end - from >= WORD) {
    // Words of printable ASCII (nearly every word of a chat line) are passed four bytes at a
    // time: no byte below 0x20 ("hasless"), none 0x7f ("haszero" of w ^ 0x7f7f7f7f), none with
    // its high bit set. The loop below looks again at the first word that is not.
    const v = chunkWords.of(b);
    for (; i + WORD <= end; i += WORD) {
      const w = v.getUint32(i, true);
      const d = w ^ EACH_DEL;
      if ((((w - EACH_SPACE) & ~w) | ((d - EACH_BYTE) & ~d) | w) & EACH_HIGH_BIT) break;
    }
  }
  for (; i < end; i++) {
    const c = b[i]!;
    if (c >= SP && c < DEL) continue; // printable ASCII: nearly every byte of a chat line
    if (c === TAB) continue;
    if (c < 0x80) return true; // C0, DEL
    if (c === C2 && i + 1 < end) {
      const n = b[i + 1]!;
      if (n >= 0x80 && n <= 0x9f) return true;
    }
  }
  return false;
}

/**
 * Where the message id of the flooded line `b[start, end)` ends, read without parsing the
 * rest; -1 when the line is not `<flood verb> <valid id> ...`. The id starts at
 * `floodIdAt(b, start)`. A relay checks the id against its seen-cache first (as bytes:
 * SeenCache.hasBytes): most lines a mesh node receives are copies it already has (one per
 * extra path), and a copy is dropped whatever its other fields say.
 */
export function floodIdEnd(b: Buffer, start: number, end: number): number {
  if (verbOf(b, start, end) === undefined) return -1;
  const at = floodIdAt(b, start);
  let i = at;
  if (end - at >= WORD) {
    const v = chunkWords.of(b);
    for (; i + WORD <= end; i += WORD) if (!allIdBytes(v.getUint32(i, true))) break;
  }
  while (i < end && isIdByte(b[i]!)) i++;
  if (i < end && b[i] !== SP) return -1;
  return i - at < MIN_ID || i - at > MAX_ID ? -1 : i;
}

/** Where the id of a flood line starting at `start` starts (after `MSG ` or `JOIN `). */
export function floodIdAt(b: Buffer, start: number): number {
  return b[start + 3] === SP ? start + 4 : start + 5;
}

/** The message id of a flooded line (floodIdEnd over a whole buffer), or undefined. */
export function floodId(line: Buffer): string | undefined {
  const end = floodIdEnd(line, 0, line.length);
  return end === -1 ? undefined : line.toString('latin1', floodIdAt(line, 0), end);
}

/**
 * Parses a flooded line from its bytes. Returns undefined for a line that is not
 * `<flood verb> ...` (the caller takes the general `parseLine` path); throws the
 * same NetError `parseLine` throws for a malformed one. `knownId`: what floodId() read
 * from this very line (it must be), reused instead of read and checked again.
 */
export function parseFloodBytes(line: Buffer, knownId?: string): WireFlood | undefined {
  return parseFloodAt(line, 0, line.length, knownId === undefined ? -1 : floodIdAt(line, 0) + knownId.length);
}

/**
 * parseFloodBytes() for the line `b[start, end)`, which must be UTF-8 without NUL.
 * `knownIdEnd`: what floodIdEnd() answered for this very line, or -1 to read and check the id
 * here. One pass over the bytes: each field is checked as its end is found. `into`: the
 * WireFlood to parse it into (a relay reuses one; what it held before is gone), else a new one.
 */
export function parseFloodAt(b: Buffer, start: number, end: number, knownIdEnd = -1, into?: WireFlood): WireFlood | undefined {
  const verb = verbOf(b, start, end);
  if (verb === undefined) return undefined;
  const len = end;
  // parseLine checks JOIN and NICK for trailing fields before anything else.
  if ((verb === 'JOIN' || verb === 'NICK') && spacesIn(b, start + verb.length + 1, len) >= (verb === 'JOIN' ? 5 : 6)) {
    throw bad(verb, 'unexpected trailing fields');
  }
  // id
  let at = start + verb.length + 1;
  let i: number;
  if (knownIdEnd !== -1) {
    // floodIdEnd() checked these bytes already.
    i = knownIdEnd;
  } else {
    i = at;
    while (i < len && isIdByte(b[i]!)) i++;
    if ((i < len && b[i] !== SP) || i - at < MIN_ID || i - at > MAX_ID) throw bad(verb, 'bad message id');
  }
  const idAt = at;
  const idEnd = i;
  // hops-left
  if (i === len) throw bad(verb, 'bad hops-left');
  const hopsAt = i + 1;
  let hopsLeft = 0;
  for (i = hopsAt; i < len; i++) {
    const c = b[i]!;
    if (!isDigit(c)) break;
    hopsLeft = hopsLeft * 10 + (c - 0x30);
  }
  if ((i < len && b[i] !== SP) || i === hopsAt || i - hopsAt > MAX_HOPS_DIGITS || hopsLeft > MAX_WIRE_HOPS) throw bad(verb, 'bad hops-left');
  const hopsEnd = i;
  // origin
  if (i === len) throw bad(verb, 'bad origin node id');
  at = i + 1;
  let origin: string;
  i = lastOrigin.match(b, at, len);
  if (i !== -1) origin = lastOrigin.text();
  else {
    i = at;
    while (i < len && isIdByte(b[i]!)) i++;
    if ((i < len && b[i] !== SP) || i === at || i - at > MAX_NODE_ID_LENGTH) throw bad(verb, 'bad origin node id');
    origin = lastOrigin.keep(b, at, i, latin1(b, at, i));
  }
  // timestamp
  if (i === len) throw bad(verb, 'bad timestamp');
  at = i + 1;
  let stamp = 0;
  for (i = at; i < len; i++) {
    const c = b[i]!;
    if (!isDigit(c)) break;
    stamp = stamp * 10 + (c - 0x30);
  }
  if ((i < len && b[i] !== SP) || i === at || i - at > MAX_AT_DIGITS) throw bad(verb, 'bad timestamp');
  // nick
  if (i === len) throw bad(verb, 'bad nick');
  at = i + 1;
  let nick: string;
  i = lastNick.match(b, at, len);
  if (i !== -1) nick = lastNick.text();
  else {
    i = tokenEnd(b, at, len);
    nick = utf8(b, at, i);
    if (!isNick(nick)) throw bad(verb, 'bad nick');
    nick = lastNick.keep(b, at, i, nick);
  }

  if (verb === 'JOIN') {
    if (i !== len) throw bad(verb, 'unexpected trailing fields');
    return (into ?? new WireFlood()).set(verb, hopsLeft, origin, stamp, nick, '', b, start, end, idAt, idEnd, hopsAt, hopsEnd, end, true);
  }
  if (verb === 'NICK') {
    if (i === len) throw bad(verb, 'bad nick');
    at = i + 1;
    i = tokenEnd(b, at, len);
    const newNick = utf8(b, at, i);
    if (!isNick(newNick)) throw bad(verb, 'bad nick');
    if (i !== len) throw bad(verb, 'unexpected trailing fields');
    return (into ?? new WireFlood()).set(verb, hopsLeft, origin, stamp, nick, newNick, b, start, end, idAt, idEnd, hopsAt, hopsEnd, end, true);
  }
  // MSG, ACT, PART: ` :text`
  if (i + 1 >= len || b[i + 1] !== COLON) throw bad(verb, 'missing " :" before the text');
  // The id and the text are decoded only when asked for (wire-flood.ts).
  const textAt = i + 2;
  return (into ?? new WireFlood()).set(verb, hopsLeft, origin, stamp, nick, '', b, start, end, idAt, idEnd, hopsAt, hopsEnd, textAt, !hasControls(b, textAt, len));
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
  return w.end - w.start - (w.hopsEnd - w.hopsAt) + hopsBytes(hops).length + 1;
}

/**
 * Writes the line with hops-left replaced, and `\n`, into `out` at `pos`
 * (which must have forwardedLength bytes free); returns the new position.
 */
export function writeForwarded(w: WireFlood, hops: number, out: Buffer, pos: number): number {
  const digits = hopsBytes(hops);
  const b = w.buf;
  let p = pos + b.copy(out, pos, w.start, w.hopsAt);
  p += digits.copy(out, p);
  p += b.copy(out, p, w.hopsEnd, w.end);
  out[p++] = 0x0a;
  return p;
}

/**
 * Sets hops-left in the received bytes themselves, when the new value has as many digits
 * (16 -> 15, the usual case): then the line can be forwarded as the bytes it arrived in.
 * Returns false (nothing changed) otherwise.
 */
export function rewriteHops(w: WireFlood, hops: number): boolean {
  const digits = hopsBytes(hops);
  if (digits.length !== w.hopsEnd - w.hopsAt) return false;
  const b = w.buf;
  for (let i = 0; i < digits.length; i++) b[w.hopsAt + i] = digits[i]!;
  return true;
}
