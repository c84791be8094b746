/**
 * A `chat.line` event whose id and text are still the bytes a relay received (README
 * "Headless mode"; issue 9). A headless `--json` relay prints every line it relays, and
 * decoding each line's id and text into strings only to encode them back into its JSON cost
 * about a tenth of a chained relay's CPU: event-bytes.ts copies them from the received bytes
 * instead (escaping as JSON.stringify would).
 *
 * `id` and `text` are getters here, not own properties, so a spread or a deep comparison of
 * the event would not see them: a node hands these only to listeners that subscribed with
 * `wireLines` (the `--json` printer), and only while every listener did (PluginContext.wireLines).
 * `toJSON()` gives the plain event, so JSON.stringify gives the same text as for it.
 */
import type { AppEvent, ChatLineKind } from './app-api.js';

type ChatLineEvent = Extract<AppEvent, { type: 'chat.line' }>;

/** See the file comment. The bytes must be valid UTF-8 (a chat link checks every line it reads). */
export class WireChatLine {
  readonly type = 'chat.line';
  /**
   * The received bytes: the id is `bytes[idAt, idEnd)`, the text `bytes[textAt, textEnd)`.
   * Undefined once detach() decoded them.
   */
  bytes: Buffer | undefined;
  #id: string | undefined;
  #text: string | undefined;

  constructor(
    readonly protocol: string,
    readonly kind: ChatLineKind,
    bytes: Buffer,
    readonly idAt: number,
    readonly idEnd: number,
    readonly nick: string,
    readonly textAt: number,
    readonly textEnd: number,
    readonly origin: string,
    /** Unix milliseconds, as stamped by the origin. */
    readonly at: number,
    /** Hops travelled. */
    readonly hops: number,
    readonly self: boolean,
  ) {
    this.bytes = bytes;
  }

  get id(): string {
    return (this.#id ??= this.bytes!.toString('utf8', this.idAt, this.idEnd));
  }

  get text(): string {
    return (this.#text ??= this.bytes!.toString('utf8', this.textAt, this.textEnd));
  }

  /** Decodes id and text and lets go of the received bytes (before the event waits in a queue). */
  detach(): void {
    if (this.bytes === undefined) return;
    void this.id;
    void this.text;
    this.bytes = undefined;
  }

  /** The plain event (keys in AppEvent's order), for JSON.stringify. */
  toJSON(): ChatLineEvent {
    return { type: 'chat.line', protocol: this.protocol, kind: this.kind, id: this.id, nick: this.nick, text: this.text, origin: this.origin, at: this.at, hops: this.hops, self: this.self };
  }
}
