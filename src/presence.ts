/**
 * Who is here (README "Nick list", `/names`): the nicks present in one protocol's chat, from
 * what a UI has seen (joins, parts, nick changes, lines, links). One rule for the TUI's nick
 * list and `/names` in both the TUI and headless mode (headless `/names` was the chat's peer
 * names, `/peernames`, while the TUI's listed who is here).
 */
import type { EventOf } from './app-api.js';

/** Nicks kept per protocol; the one seen longest ago goes first. */
export const MAX_PRESENT = 200;

/** The nicks present in one protocol's chat, ours apart (see the file comment). Bounded. */
export class Presence {
  readonly #nicks = new Set<string>();
  /** The last speaker taken in: a relay shows line after line of one nick. */
  #last: string | undefined;

  /** `clean`: how a nick is shown (the TUI's terminal-safe form); `max`: nicks kept. */
  constructor(
    private readonly clean: (nick: string) => string = (n) => n,
    private readonly max = MAX_PRESENT,
  ) {}

  get size(): number {
    return this.#nicks.size;
  }

  /** A chat line: its speaker is here; a part takes them away, a nick change renames them. Our own lines change nothing. */
  line(e: EventOf<'chat.line'>, myNick: string): void {
    if (e.self) return;
    if (e.kind === 'msg' || e.kind === 'action' || e.kind === 'join') {
      if (e.nick !== this.#last) this.arrive(e.nick, myNick);
      return;
    }
    this.leave(e.nick);
    if (e.kind === 'nick') this.arrive(e.text, myNick);
  }

  /** `raw` is here (a line, a link that came up with its nick). */
  arrive(raw: string, myNick: string): void {
    const nick = this.clean(raw);
    this.#last = raw;
    if (!nick || nick === myNick || this.#nicks.has(nick)) return;
    this.#nicks.add(nick);
    if (this.#nicks.size > this.max) this.#nicks.delete(this.#nicks.values().next().value!);
  }

  /** `raw` left (a part, or a plain peer's link closed: it speaks under its address). */
  leave(raw: string): void {
    this.#nicks.delete(this.clean(raw));
    this.#last = undefined;
  }

  /** The nicks present, ours included, sorted as a person reads them. */
  names(myNick: string): string[] {
    return [myNick, ...this.#nicks].sort((a, b) => a.localeCompare(b, undefined, { sensitivity: 'base' }));
  }
}

/** The `/names` line: `names in chat (3): alice bob carol`. */
export function namesLine(where: string, names: readonly string[]): string {
  return `names in ${where} (${names.length}): ${names.join(' ')}`;
}
