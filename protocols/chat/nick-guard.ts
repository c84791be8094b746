/**
 * Carries out the nick rules (README "Nicks") over the Roster: refuses a `/nick` another live
 * node uses, shows nodes that share a nick apart, and tells the user once per node when
 * someone else speaks under their nick.
 */
import { NetError } from '../../src/errors.js';
import type { Delivery } from './flooder.js';
import type { FloodType } from './messages.js';
import { nickSkeleton, shownNick } from '../../src/nick.js';
import { Roster, ROSTER_SUFFIX_DIGITS } from './roster.js';

/** Nodes remembered as already reported for using our nick. */
const MAX_WARNED = 256;

/** See the file comment; one per chat node. */
export class NickGuard {
  readonly #roster = new Roster();
  readonly #warned = new Set<string>();
  /** The last nick compared with ours, ours then, and whether they matched (a flood repeats them). */
  #usedLast: string | undefined;
  #ourLast: string | undefined;
  #matchLast = false;
  #selfLast: { node: string; nick: string } | undefined;

  constructor(
    private readonly node: string,
    private readonly notice: (text: string) => void,
  ) {}

  /** Throws REFUSED when another live node (or a neighbour, by `neighbourNicks`) uses `nick`. */
  check(nick: string, now: number, neighbourNicks: Iterable<string>): void {
    const holder = this.#roster.holder(nick, now, this.node);
    if (!holder && !isNeighbours(nick, neighbourNicks)) return;
    const min = holder ? Math.max(0, Math.round((now - holder.at) / 60_000)) : 0;
    const ago = !holder ? ' (a neighbour)' : min === 0 ? ' (seen just now)' : ` (seen ${min} min ago)`;
    throw NetError.refused(`${nick} is in use by another node of the mesh${ago}; pick another nick`);
  }

  /** Whether another live node (or a neighbour, by `neighbourNicks`) uses `nick`. */
  inUse(nick: string, now: number, neighbourNicks: Iterable<string>): boolean {
    return this.#roster.holder(nick, now, this.node) !== undefined || isNeighbours(nick, neighbourNicks);
  }

  /** Learns from a delivered line; returns the nick and text to show. */
  shown(d: Delivery, ourNick: string, now: number): { nick: string; text: string } {
    const m = d.message;
    if (d.self) return { nick: m.nick, text: m.type === 'JOIN' ? '' : m.type === 'NICK' ? m.newNick : m.text };
    const used = m.type === 'NICK' ? m.newNick : m.type === 'PART' ? undefined : m.nick;
    if (used !== undefined && this.#isOurs(used, ourNick)) this.#warn(m.origin, used);
    return this.#roster.learn(m, now, this.#self(ourNick));
  }

  /** shown() for a line of another node, of any verb but NICK, given as its fields: the nick to show. */
  shownLine(type: Exclude<FloodType, 'NICK'>, origin: string, nick: string, ourNick: string, now: number): string {
    if (type !== 'PART' && this.#isOurs(nick, ourNick)) this.#warn(origin, nick);
    return this.#roster.learnLine(type, origin, nick, now, this.#self(ourNick));
  }

  /** `{ node, nick: ourNick }` for the roster, kept while our nick stays (one object, not one a line). */
  #self(ourNick: string): { node: string; nick: string } {
    if (this.#selfLast === undefined || this.#selfLast.nick !== ourNick) this.#selfLast = { node: this.node, nick: ourNick };
    return this.#selfLast;
  }

  /** Whether `used` looks like `ourNick` (nickSkeleton); the last answer is kept. */
  #isOurs(used: string, ourNick: string): boolean {
    if (used !== this.#usedLast || ourNick !== this.#ourLast) {
      this.#usedLast = used;
      this.#ourLast = ourNick;
      this.#matchLast = nickSkeleton(used) === nickSkeleton(ourNick);
    }
    return this.#matchLast;
  }

  #warn(origin: string, nick: string): void {
    if (this.#warned.has(origin)) return;
    if (this.#warned.size >= MAX_WARNED) this.#warned.clear();
    this.#warned.add(origin);
    const shown = shownNick(nick);
    this.notice(`another node of the mesh also uses your nick ${shown}; its lines show as ${shown}~${origin.slice(0, ROSTER_SUFFIX_DIGITS)} (/nick to pick another)`);
  }
}

/** Whether one of `neighbourNicks` looks like `nick` (src/nick.ts nickSkeleton). */
function isNeighbours(nick: string, neighbourNicks: Iterable<string>): boolean {
  const folded = nickSkeleton(nick);
  for (const n of neighbourNicks) if (nickSkeleton(n) === folded) return true;
  return false;
}
