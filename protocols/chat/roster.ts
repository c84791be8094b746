/**
 * Nicks in use by live nodes of the mesh (README "Nicks"): learned from the lines each node
 * floods (JOIN, MSG, ACT, NICK; PART forgets it) and from neighbours' HELLO. The chat has no
 * registry, so "live" means seen within `ttlMs`. Used to refuse `/nick` of a nick another
 * node uses, and to show two nodes that still share a nick apart (`alice~3f2a`: the nick and
 * the first hex digits of the origin node id). Bounded: `maxOrigins` nodes (least recently
 * seen forgotten first), a few nicks each (a node that relays plain peers speaks for them).
 * Pure: time comes in.
 */
import type { FloodMessage } from './messages.js';

/** Nodes remembered. */
export const ROSTER_MAX_ORIGINS = 1_024;
/** Nicks remembered per node (its own, and plain peers it relays). */
export const ROSTER_NICKS_PER_ORIGIN = 4;
/** A nick not seen for this long no longer counts as in use. */
export const ROSTER_TTL_MS = 30 * 60_000;
/** Hex digits of the node id shown after a shared nick. */
export const ROSTER_SUFFIX_DIGITS = 4;

const fold = (nick: string): string => nick.toLowerCase();

/** Who uses which nick; see the file comment. */
export class Roster {
  /** origin -> (folded nick -> last seen); Map order = least recently seen first. */
  readonly #byOrigin = new Map<string, Map<string, number>>();

  constructor(
    private readonly ttlMs = ROSTER_TTL_MS,
    private readonly maxOrigins = ROSTER_MAX_ORIGINS,
  ) {}

  /** `origin` used `nick` at `now`. */
  seen(origin: string, nick: string, now: number): void {
    let nicks = this.#byOrigin.get(origin);
    if (nicks) this.#byOrigin.delete(origin);
    else nicks = new Map();
    this.#byOrigin.set(origin, nicks);
    const key = fold(nick);
    nicks.delete(key);
    nicks.set(key, now);
    if (nicks.size > ROSTER_NICKS_PER_ORIGIN) nicks.delete(nicks.keys().next().value!);
    if (this.#byOrigin.size > this.maxOrigins) this.#byOrigin.delete(this.#byOrigin.keys().next().value!);
  }

  /** `origin` changed nick. */
  renamed(origin: string, from: string, to: string, now: number): void {
    this.#byOrigin.get(origin)?.delete(fold(from));
    this.seen(origin, to, now);
  }

  /** `origin` left the mesh. */
  left(origin: string): void {
    this.#byOrigin.delete(origin);
  }

  /** A live node other than `except` that uses `nick`, if any, with when it was last seen. */
  holder(nick: string, now: number, except?: string): { origin: string; at: number } | undefined {
    const key = fold(nick);
    for (const [origin, nicks] of this.#byOrigin) {
      if (origin === except) continue;
      const at = nicks.get(key);
      if (at !== undefined && now - at <= this.ttlMs) return { origin, at };
    }
    return undefined;
  }

  /**
   * How to show `nick` from `origin`: as is, or with a short id suffix when another live
   * node (ourselves included: `self`, `selfNick`) uses the same nick.
   */
  display(origin: string, nick: string, now: number, self: { node: string; nick: string }): string {
    if (origin === self.node) return nick;
    const clash = fold(nick) === fold(self.nick) || this.holder(nick, now, origin) !== undefined;
    return clash ? `${nick}~${origin.slice(0, ROSTER_SUFFIX_DIGITS)}` : nick;
  }

  /**
   * Learns from a flooded line of another node and returns how to show its nick (and, for
   * NICK, the new nick as `text`; for PART the reason, for JOIN '').
   */
  learn(m: FloodMessage, now: number, self: { node: string; nick: string }): { nick: string; text: string } {
    switch (m.type) {
      case 'NICK': {
        const nick = this.display(m.origin, m.nick, now, self);
        this.renamed(m.origin, m.nick, m.newNick, now);
        return { nick, text: this.display(m.origin, m.newNick, now, self) };
      }
      case 'PART': {
        const nick = this.display(m.origin, m.nick, now, self);
        this.left(m.origin);
        return { nick, text: m.text };
      }
      case 'JOIN':
      case 'MSG':
      case 'ACT':
        this.seen(m.origin, m.nick, now);
        return { nick: this.display(m.origin, m.nick, now, self), text: m.type === 'JOIN' ? '' : m.text };
    }
  }
}
