/**
 * A flooded line as a relay received it (specs/chat.md "Lines"; issue 9): its checked fields,
 * where its bytes are, and its id and text still as those bytes. A relay forwards the bytes and
 * prints the `--json` event from them, so most lines never need the id and text as strings:
 * they are decoded when first asked for (`id`, `text`, `message`), from bytes nothing writes
 * over (a relay rewrites only the hops-left field of a received line).
 */
import type { FloodMessage, FloodType } from './messages.js';
import { stripControls } from './text.js';

const EMPTY = Buffer.alloc(0);

/**
 * Buffer's own decoders for a range, which `toString(encoding, start, end)` calls after
 * checking its arguments and looking the encoding up: a relay decodes a few fields of
 * every line, and the ranges here are checked already. They are not a documented API
 * (present from Node 20 to 24): where they are missing, `toString` does the same work.
 */
interface RangeDecoders {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

const proto = Buffer.prototype as unknown as Partial<RangeDecoders>;
/** Whether this Node has Buffer's range decoders (chosen once, at load). */
export const RANGE_DECODERS = typeof proto.latin1Slice === 'function' && typeof proto.utf8Slice === 'function';

/** `b.toString('latin1', start, end)` for a range inside `b`. */
export const latin1: (b: Buffer, start: number, end: number) => string = RANGE_DECODERS
  ? (b, start, end) => (b as unknown as RangeDecoders).latin1Slice(start, end)
  : (b, start, end) => b.toString('latin1', start, end);

/** `b.toString('utf8', start, end)` for a range inside `b`. */
export const utf8: (b: Buffer, start: number, end: number) => string = RANGE_DECODERS
  ? (b, start, end) => (b as unknown as RangeDecoders).utf8Slice(start, end)
  : (b, start, end) => b.toString('utf8', start, end);

/**
 * A parsed flooded line (parseFloodAt); the fields `parseLine` gives, id and text on demand.
 * A relay parses every line into the same one (`set()`, issue 9: an object less a line):
 * what it holds is valid until the next line is parsed into it.
 */
export class WireFlood {
  #message: FloodMessage | undefined;
  type: FloodType = 'MSG';
  hopsLeft = 0;
  origin = '';
  /** Unix milliseconds stamped by the origin. */
  at = 0;
  nick = '';
  /** NICK's new nick ('' for the other verbs). */
  newNick = '';
  /** The line is `buf[start, end)` (without its terminator). */
  buf: Buffer = EMPTY;
  start = 0;
  end = 0;
  /** The id is `buf[idAt, idEnd)` ([A-Za-z0-9_-], so latin1 and ASCII alike). */
  idAt = 0;
  idEnd = 0;
  /** hops-left is `buf[hopsAt, hopsEnd)`. */
  hopsAt = 0;
  hopsEnd = 0;
  /** MSG, ACT and PART: the text is `buf[textAt, end)` (checked UTF-8 without NUL); else `end`. */
  textAt = 0;
  /**
   * The bytes are what `encode` would send, apart from the hops field: no control
   * characters to strip from the text, so they can be forwarded (and printed) as they are.
   */
  verbatim = true;

  /** Holds this line from now on (in the order of the fields above); returns itself. */
  set(type: FloodType, hopsLeft: number, origin: string, at: number, nick: string, newNick: string, buf: Buffer, start: number, end: number, idAt: number, idEnd: number, hopsAt: number, hopsEnd: number, textAt: number, verbatim: boolean): this {
    this.#message = undefined;
    this.type = type;
    this.hopsLeft = hopsLeft;
    this.origin = origin;
    this.at = at;
    this.nick = nick;
    this.newNick = newNick;
    // The chunk changes once per socket read, not per line: storing it only then spares a
    // write barrier a line (this object is old, a fresh chunk young).
    if (this.buf !== buf) this.buf = buf;
    this.start = start;
    this.end = end;
    this.idAt = idAt;
    this.idEnd = idEnd;
    this.hopsAt = hopsAt;
    this.hopsEnd = hopsEnd;
    this.textAt = textAt;
    this.verbatim = verbatim;
    return this;
  }

  /** The message id. */
  get id(): string {
    return this.#message?.id ?? latin1(this.buf, this.idAt, this.idEnd);
  }

  /** MSG, ACT and PART: the text as parseLine gives it (controls stripped); '' otherwise. */
  get text(): string {
    const m = this.#message;
    if (m !== undefined) return m.type === 'JOIN' || m.type === 'NICK' ? '' : m.text;
    if (this.textAt === this.end) return '';
    const raw = utf8(this.buf, this.textAt, this.end);
    return this.verbatim ? raw : stripControls(raw);
  }

  /** The message as `parseLine` gives it (built once, on first use). */
  get message(): FloodMessage {
    return (this.#message ??= this.#build());
  }

  #build(): FloodMessage {
    const { hopsLeft, origin, at, nick } = this;
    const id = this.id;
    // Objects of one shape per verb, built in one go (no spread).
    switch (this.type) {
      case 'JOIN':
        return { type: 'JOIN', id, hopsLeft, origin, at, nick };
      case 'NICK':
        return { type: 'NICK', id, hopsLeft, origin, at, nick, newNick: this.newNick };
      case 'MSG':
        return { type: 'MSG', id, hopsLeft, origin, at, nick, text: this.text };
      case 'ACT':
        return { type: 'ACT', id, hopsLeft, origin, at, nick, text: this.text };
      case 'PART':
        return { type: 'PART', id, hopsLeft, origin, at, nick, text: this.text };
    }
  }
}
