/**
 * `--json` event lines written as UTF-8 straight into an output buffer (README "Headless
 * mode", "Events"; issue 9: printing events must not be what limits the mesh). A headless
 * relay prints one `chat.line` per relayed line. As a string, each line was built, joined to
 * the turn's text, then flattened and encoded again by the write into a fresh allocation;
 * here the parts a relay repeats line after line are kept as bytes and copied whole, and the
 * id and text are written once, in one scan that also escapes them. The bytes are exactly
 * JSON.stringify's text of the event (keys in the order AppEvent declares them, the order
 * every producer builds them in): test/core/event-bytes.test.ts holds them to it for hostile
 * strings and odd numbers.
 */
import type { AppEvent } from './app-api.js';
import { WireChatLine } from './wire-chat-line.js';
import { WordView } from './word-view.js';

type ChatLineEvent = Extract<AppEvent, { type: 'chat.line' }>;

/** The most bytes one UTF-16 unit of a string can take as JSON string content (`\u001f`). */
const MAX_BYTES_PER_UNIT = 6;

/** Room a number needs at most as JSON (`-1.2345678901234567e+308`, `null`). */
const MAX_NUMBER_BYTES = 24;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const U = 0x75;
const DIGIT_0 = 0x30;
const HEX = Buffer.from('0123456789abcdef', 'latin1');

/** The short escapes JSON.stringify uses for C0 controls; the rest are `\u00XX`. */
const SHORT_ESCAPE: ReadonlyMap<number, number> = new Map([
  [0x08, 0x62], // \b
  [0x09, 0x74], // \t
  [0x0a, 0x6e], // \n
  [0x0c, 0x66], // \f
  [0x0d, 0x72], // \r
]);

/** `\uXXXX` with lowercase hex, as JSON.stringify writes controls and lone surrogates. */
function writeUnicodeEscape(buf: Uint8Array, pos: number, c: number): number {
  buf[pos] = BACKSLASH;
  buf[pos + 1] = U;
  buf[pos + 2] = HEX[(c >> 12) & 0xf]!;
  buf[pos + 3] = HEX[(c >> 8) & 0xf]!;
  buf[pos + 4] = HEX[(c >> 4) & 0xf]!;
  buf[pos + 5] = HEX[c & 0xf]!;
  return pos + 6;
}

/** 1 for the ASCII characters JSON.stringify copies as they are (printable and DEL, but not `"` or `\`). */
const PLAIN_ASCII = new Uint8Array(0x80);
for (let c = 0x20; c < 0x80; c++) PLAIN_ASCII[c] = c === QUOTE || c === BACKSLASH ? 0 : 1;

/**
 * Writes `s` as the content of a JSON string (what JSON.stringify puts between the quotes),
 * in UTF-8, at `buf[pos]`; returns where it ended. `buf` must have `jsonTextRoom(s)` bytes
 * free. Printable ASCII is copied as it is; `"` and `\` get a backslash, C0 controls their
 * escape, a surrogate pair its four UTF-8 bytes, a lone surrogate `\udXXX` (as the
 * well-formed JSON.stringify of Node 12+ does).
 *
 * A relay's ids and texts are nearly always plain ASCII: they are copied by a loop that does
 * nothing else (one table load a character; a 32-character id and a 35-character text in
 * about 150 ns instead of 185), and the loop that handles every case takes over from the
 * first character that needs more (issue 9).
 */
export function writeJsonText(buf: Uint8Array, pos: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80 || PLAIN_ASCII[c] === 0) return writeJsonTextFrom(buf, pos, s, i);
    buf[pos++] = c;
  }
  return pos;
}

/** writeJsonText() for `s` from its `i`-th UTF-16 unit on. */
function writeJsonTextFrom(buf: Uint8Array, pos: number, s: string, i: number): number {
  const n = s.length;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x80) {
      if (c === QUOTE || c === BACKSLASH) buf[pos++] = BACKSLASH;
      buf[pos++] = c;
    } else if (c < 0x20) {
      const short = SHORT_ESCAPE.get(c);
      if (short === undefined) pos = writeUnicodeEscape(buf, pos, c);
      else {
        buf[pos++] = BACKSLASH;
        buf[pos++] = short;
      }
    } else if (c < 0x800) {
      buf[pos++] = 0xc0 | (c >> 6);
      buf[pos++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      buf[pos++] = 0xe0 | (c >> 12);
      buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
      buf[pos++] = 0x80 | (c & 0x3f);
    } else {
      const d = c < 0xdc00 && i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        buf[pos++] = 0xf0 | (cp >> 18);
        buf[pos++] = 0x80 | ((cp >> 12) & 0x3f);
        buf[pos++] = 0x80 | ((cp >> 6) & 0x3f);
        buf[pos++] = 0x80 | (cp & 0x3f);
        i++;
      } else pos = writeUnicodeEscape(buf, pos, c);
    }
  }
  return pos;
}

/**
 * 1 for the bytes of UTF-8 text that JSON.stringify's text (in UTF-8) has as they are: printable
 * ASCII and DEL but `"` and `\`, and every byte of a multi-byte character.
 */
const PLAIN_BYTE = new Uint8Array(256);
for (let c = 0x20; c < 0x100; c++) PLAIN_BYTE[c] = c === QUOTE || c === BACKSLASH ? 0 : 1;

/** Bytes the word loop of writeJsonBytes() copies at a time. */
const WORD = 4;
const EACH_BYTE = 0x01010101;
const EACH_HIGH_BIT = 0x80808080 | 0;
const EACH_SPACE = 0x20202020;
const EACH_QUOTE = QUOTE * EACH_BYTE;
const EACH_BACKSLASH = BACKSLASH * EACH_BYTE;

/**
 * Whether any of the four bytes of `w` is below 0x20, `"` or `\` (the bytes JSON changes).
 * Exact: a byte below n (n <= 0x80) borrows in `w - n * 0x01010101` and sets its high bit,
 * which `~w` keeps; no byte >= n sets it unless a lower byte below n borrowed first (the
 * "hasless" and "haszero" word tests).
 */
function needsEscape(w: number): boolean {
  const q = w ^ EACH_QUOTE;
  const b = w ^ EACH_BACKSLASH;
  return ((((w - EACH_SPACE) & ~w) | ((q - EACH_BYTE) & ~q) | ((b - EACH_BYTE) & ~b)) & EACH_HIGH_BIT) !== 0;
}

/** Views of the received chunk and of the output batch writeJsonBytes() copies between. */
const srcWords = new WordView();
const dstWords = new WordView();

/**
 * writeJsonText() for the string that the valid UTF-8 bytes `src[from, to)` decode to, written
 * from the bytes themselves (no string made): valid UTF-8 holds no lone surrogate, so only
 * `"`, `\` and C0 controls change. `buf` must have 6 bytes free per byte of `src`.
 *
 * Four bytes at a time while none of them changes (a chat line's id and text nearly always):
 * one word load, test and store instead of four byte loads, table loads and stores (issue 9:
 * the id and text of every line a `--json` relay prints; the views: src/word-view.ts).
 */
export function writeJsonBytes(buf: Uint8Array, pos: number, src: Uint8Array, from: number, to: number): number {
  if (to - from >= WORD) {
    const sv = srcWords.of(src);
    const dv = dstWords.of(buf);
    for (; from + WORD <= to; from += WORD) {
      const w = sv.getUint32(from, true);
      if (needsEscape(w)) break;
      dv.setUint32(pos, w, true);
      pos += WORD;
    }
  }
  return writeJsonBytesEach(buf, pos, src, from, to);
}

/** writeJsonBytes() a byte at a time. */
function writeJsonBytesEach(buf: Uint8Array, pos: number, src: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const c = src[i]!;
    if (PLAIN_BYTE[c] === 1) {
      buf[pos++] = c;
      continue;
    }
    if (c === QUOTE || c === BACKSLASH) {
      buf[pos++] = BACKSLASH;
      buf[pos++] = c;
      continue;
    }
    const short = SHORT_ESCAPE.get(c);
    if (short === undefined) pos = writeUnicodeEscape(buf, pos, c);
    else {
      buf[pos++] = BACKSLASH;
      buf[pos++] = short;
    }
  }
  return pos;
}

/** Bytes `writeJsonText(s)` may take at most. */
export function jsonTextRoom(s: string): number {
  return s.length * MAX_BYTES_PER_UNIT;
}

/** Copies ASCII bytes (a constant piece of a line) to `buf[pos]`; returns the end. */
function put(buf: Uint8Array, pos: number, bytes: Uint8Array): number {
  const n = bytes.length;
  for (let i = 0; i < n; i++) buf[pos + i] = bytes[i]!;
  return pos + n;
}

/** `JSON.stringify(n)` for a number at `buf[pos]`. */
function writeJsonNumber(buf: Uint8Array, pos: number, n: number): number {
  if (n >= 0 && n < 10 && Number.isInteger(n)) {
    buf[pos] = DIGIT_0 + n; // hops, usually
    return pos + 1;
  }
  // String() of a number V8 printed a moment ago is a cache hit (a relay's lines share their time).
  const s = Number.isFinite(n) ? String(n) : 'null';
  for (let i = 0; i < s.length; i++) buf[pos++] = s.charCodeAt(i);
  return pos;
}

const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');
const HEAD = ascii('{"type":"chat.line","protocol":"');
const KIND = ascii('","kind":"');
const ID = ascii('","id":"');
const NICK = ascii('","nick":"');
const TEXT = ascii('","text":"');
const ORIGIN = ascii('","origin":"');
const AT = ascii('","at":');
const HOPS = ascii(',"hops":');
const SELF_TRUE = ascii(',"self":true');
const SELF_FALSE = ascii(',"self":false');
const SIGNED_BY = ascii(',"signedBy":"');
const CONTACT_TRUE = ascii(',"contact":true');
const CONTACT_FALSE = ascii(',"contact":false');
const END = ascii('}\n');

/** Bytes of the constant pieces of a chat.line with every optional field. */
const CHAT_LINE_FIXED =
  HEAD.length + KIND.length + ID.length + NICK.length + TEXT.length + ORIGIN.length + AT.length + HOPS.length + SELF_FALSE.length + SIGNED_BY.length + 1 + CONTACT_FALSE.length + END.length + 2 * MAX_NUMBER_BYTES;

/** `{"type":"chat.line","protocol":"chat","kind":"<kind>","id":"`, by kind (there are five). */
const CHAT_HEADS = new Map<string, Buffer>();
const MAX_HEADS = 8;

/** Bytes `writeChatLine(e)` may take at most. */
export function chatLineRoom(e: ChatLineEvent): number {
  return CHAT_LINE_FIXED + MAX_BYTES_PER_UNIT * (e.protocol.length + e.kind.length + e.id.length + e.nick.length + e.text.length + e.origin.length + (e.signedBy?.length ?? 0));
}

/** `buf[0, end)` as its own buffer (a piece kept from one line to the next). */
const keep = (buf: Buffer, end: number): Buffer => Buffer.from(buf.subarray(0, end));

/**
 * The pieces of a chat.line around its id and text that the next line most likely repeats:
 * a relay prints line after line from one origin, under one nick, often stamped in the same
 * millisecond. Each is kept as bytes with the fields it was made from, and copied whole.
 */
class LinePieces {
  #nick: string | undefined;
  /** `","nick":"<nick>","text":"` */
  #middle: Buffer = Buffer.alloc(0);
  #origin: string | undefined;
  #at = NaN;
  #hops = NaN;
  #self = false;
  #signedBy: string | undefined;
  #contact: boolean | undefined;
  /** `","origin":"<origin>","at":<at>,"hops":<hops>,"self":<self>[,"signedBy":..][,"contact":..]}\n` */
  #tail: Buffer = Buffer.alloc(0);

  middle(nick: string): Buffer {
    if (nick !== this.#nick) {
      const b = Buffer.allocUnsafe(NICK.length + jsonTextRoom(nick) + TEXT.length);
      this.#middle = keep(b, put(b, writeJsonText(b, put(b, 0, NICK), nick), TEXT));
      this.#nick = nick;
    }
    return this.#middle;
  }

  tail(e: ChatLineEvent): Buffer {
    if (e.origin !== this.#origin || !Object.is(e.at, this.#at) || !Object.is(e.hops, this.#hops) || e.self !== this.#self || e.signedBy !== this.#signedBy || e.contact !== this.#contact) {
      const b = Buffer.allocUnsafe(CHAT_LINE_FIXED + jsonTextRoom(e.origin) + jsonTextRoom(e.signedBy ?? ''));
      let pos = put(b, 0, ORIGIN);
      pos = writeJsonText(b, pos, e.origin);
      pos = put(b, pos, AT);
      pos = writeJsonNumber(b, pos, e.at);
      pos = put(b, pos, HOPS);
      pos = writeJsonNumber(b, pos, e.hops);
      pos = put(b, pos, e.self ? SELF_TRUE : SELF_FALSE);
      if (e.signedBy !== undefined) {
        pos = put(b, pos, SIGNED_BY);
        pos = writeJsonText(b, pos, e.signedBy);
        b[pos++] = QUOTE;
      }
      if (e.contact !== undefined) pos = put(b, pos, e.contact ? CONTACT_TRUE : CONTACT_FALSE);
      this.#tail = keep(b, put(b, pos, END));
      this.#origin = e.origin;
      this.#at = e.at;
      this.#hops = e.hops;
      this.#self = e.self;
      this.#signedBy = e.signedBy;
      this.#contact = e.contact;
    }
    return this.#tail;
  }
}

const pieces = new LinePieces();

/** The head of a chat.line, up to its id's opening quote. */
function chatHead(protocol: string, kind: string): Buffer {
  if (kind === lastHeadKind && protocol === lastHeadProtocol) return lastHead;
  const head = chatHeadFor(protocol, kind);
  lastHeadProtocol = protocol;
  lastHeadKind = kind;
  lastHead = head;
  return head;
}
let lastHeadProtocol = '';
let lastHeadKind = '';
let lastHead: Buffer = Buffer.alloc(0);

function chatHeadFor(protocol: string, kind: string): Buffer {
  const known = protocol === 'chat' ? CHAT_HEADS.get(kind) : undefined;
  if (known !== undefined) return known;
  const b = Buffer.allocUnsafe(HEAD.length + jsonTextRoom(protocol) + KIND.length + jsonTextRoom(kind) + ID.length);
  let pos = put(b, 0, HEAD);
  pos = writeJsonText(b, pos, protocol);
  pos = put(b, pos, KIND);
  pos = writeJsonText(b, pos, kind);
  const head = keep(b, put(b, pos, ID));
  if (protocol === 'chat' && CHAT_HEADS.size < MAX_HEADS) CHAT_HEADS.set(kind, head);
  return head;
}

/**
 * Writes a chat.line event as its `--json` line, newline included, at `buf[pos]`; returns
 * where it ended. `buf` must have `chatLineRoom(e)` bytes free. Three pieces are copied
 * whole (see LinePieces), the id and the text are written character by character.
 */
export function writeChatLine(buf: Buffer, pos: number, e: ChatLineEvent): number {
  const head = chatHead(e.protocol, e.kind);
  buf.set(head, pos);
  pos = writeJsonText(buf, pos + head.length, e.id);
  const middle = pieces.middle(e.nick);
  buf.set(middle, pos);
  pos = writeJsonText(buf, pos + middle.length, e.text);
  const tail = pieces.tail(e);
  buf.set(tail, pos);
  return pos + tail.length;
}

/** Bytes `writeWireChatLine(e)` may take at most. */
export function wireChatLineRoom(e: WireChatLine): number {
  return CHAT_LINE_FIXED + MAX_BYTES_PER_UNIT * (e.protocol.length + e.kind.length + e.nick.length + e.origin.length + (e.idEnd - e.idAt) + (e.textEnd - e.textAt));
}

/**
 * writeChatLine() for a chat.line that still holds its received bytes (`e.bytes`): its id
 * and text are copied from them (writeJsonBytes), never made into strings. `buf` must have
 * `wireChatLineRoom(e)` bytes free.
 */
export function writeWireChatLine(buf: Buffer, pos: number, e: WireChatLine): number {
  const bytes = e.bytes;
  const head = chatHead(e.protocol, e.kind);
  buf.set(head, pos);
  pos = writeJsonBytes(buf, pos + head.length, bytes, e.idAt, e.idEnd);
  const middle = pieces.middle(e.nick);
  buf.set(middle, pos);
  pos = writeJsonBytes(buf, pos + middle.length, bytes, e.textAt, e.textEnd);
  const tail = pieces.tail(e);
  buf.set(tail, pos);
  return pos + tail.length;
}

/**
 * An event's `--json` line at `buf[pos]` when it is a chat.line that fits in what is left
 * of `buf` (returns where it ended), else -1: the caller writes that event as text
 * (eventJsonLine), as it does every other, rarer, event.
 */
export function writeEventJson(buf: Buffer, pos: number, e: AppEvent): number {
  if (e.type !== 'chat.line') return -1;
  if (e instanceof WireChatLine) return wireChatLineRoom(e) > buf.length - pos ? -1 : writeWireChatLine(buf, pos, e);
  if (chatLineRoom(e) > buf.length - pos) return -1;
  return writeChatLine(buf, pos, e);
}
