/**
 * A `chat.line` event whose id and text are still the bytes a relay received (README
 * "Headless mode"; issue 9). A headless `--json` relay prints every line it relays, and
 * decoding each line's id and text into strings only to encode them back into its JSON cost
 * about a tenth of a chained relay's CPU: event-bytes.ts copies them from the received bytes
 * instead (escaping as JSON.stringify would).
 *
 * `id` and `text` are getters here, not own properties, so a spread or a deep comparison of
 * the event would not see them, and one object carries line after line: a node hands these
 * only to listeners that subscribed with `wireLines` (the `--json` printer), and only while
 * every listener did (PluginContext.wireLines). `toJSON()` gives the plain event, so
 * JSON.stringify gives the same text as for it.
 */
import type { AppEvent, ChatLineKind } from './app-api.js';

type ChatLineEvent = Extract<AppEvent, { type: 'chat.line' }>;

/**
 * See the file comment. The bytes must be valid UTF-8 (a chat link checks every line it reads).
 * A relay shows every line through the same one (`set()`): a listener may read it only while
 * it is called, and keeps `toJSON()` if it keeps anything.
 */
export class WireChatLine {
  readonly type = 'chat.line';
  protocol = '';
  kind: ChatLineKind = 'msg';
  /** The received bytes: the id is `bytes[idAt, idEnd)`, the text `bytes[textAt, textEnd)`. */
  bytes: Buffer = EMPTY;
  idAt = 0;
  idEnd = 0;
  nick = '';
  textAt = 0;
  textEnd = 0;
  origin = '';
  /** Unix milliseconds, as stamped by the origin. */
  at = 0;
  /** Hops travelled. */
  hops = 0;
  self = false;

  /** Holds this line from now on (in the order of the fields above); returns itself. */
  set(protocol: string, kind: ChatLineKind, bytes: Buffer, idAt: number, idEnd: number, nick: string, textAt: number, textEnd: number, origin: string, at: number, hops: number, self: boolean): this {
    this.protocol = protocol;
    this.kind = kind;
    // The chunk changes once per socket read, not per line: storing it only then spares a
    // write barrier a line (this object is old, a fresh chunk young).
    if (this.bytes !== bytes) this.bytes = bytes;
    this.idAt = idAt;
    this.idEnd = idEnd;
    this.nick = nick;
    this.textAt = textAt;
    this.textEnd = textEnd;
    this.origin = origin;
    this.at = at;
    this.hops = hops;
    this.self = self;
    return this;
  }

  get id(): string {
    return this.bytes.toString('utf8', this.idAt, this.idEnd);
  }

  get text(): string {
    return this.bytes.toString('utf8', this.textAt, this.textEnd);
  }

  /** The plain event (keys in AppEvent's order): what JSON.stringify gives, and what a listener keeps. */
  toJSON(): ChatLineEvent {
    return { type: 'chat.line', protocol: this.protocol, kind: this.kind, id: this.id, nick: this.nick, text: this.text, origin: this.origin, at: this.at, hops: this.hops, self: this.self };
  }
}

const EMPTY = Buffer.alloc(0);
