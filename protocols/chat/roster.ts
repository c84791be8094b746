/**
 * Nicks in use by live nodes of the mesh (README "Nicks"): learned from the lines each node
 * floods (JOIN, MSG, ACT, NICK; PART forgets it) and from neighbours' HELLO. The chat has no
 * registry, so "live" means seen within `ttlMs`. Used to refuse `/nick` of a nick another
 * node uses, and to show two nodes that still share a nick apart (`alice~3f2a`: the nick and
 * the first hex digits of the origin node id). Bounded: `maxOrigins` nodes (least recently
 * seen forgotten first), a few nicks each (a node that relays plain peers speaks for them).
 * Pure: time comes in.
 */
import { nickSkeleton, shownNick } from '../../src/nick.js';
import type { FloodMessage, FloodType } from './messages.js';

/** Nodes remembered. */
export const ROSTER_MAX_ORIGINS = 1_024;
/** Nicks remembered per node (its own, and plain peers it relays). */
export const ROSTER_NICKS_PER_ORIGIN = 4;
/** A nick not seen for this long no longer counts as in use. */
export const ROSTER_TTL_MS = 30 * 60_000;
/** Hex digits of the node id shown after a shared nick. */
export const ROSTER_SUFFIX_DIGITS = 4;

/**
 * A node whose place in the least-recently-seen order was set less than this long ago is
 * not moved again: under a flood a Map delete and set per line cost more than the rest of
 * the roster, and eviction only needs the order to within a second.
 */
export const ROSTER_REORDER_MS = 1_000;

/** A nick as it is compared: what it looks like (src/nick.ts nickSkeleton, UTS #39). */
const fold = nickSkeleton;

/** One node's nicks (folded, as last written, when last seen), most recently seen last. */
interface OriginEntry {
  readonly origin: string;
  readonly keys: string[];
  readonly raws: string[];
  readonly ats: number[];
  /** When it last moved to the end of the least-recently-seen order. */
  placed: number;
}

/** A display() answer and the state it was computed from. */
interface DisplayMemo {
  readonly origin: string;
  readonly nick: string;
  readonly selfNick: string;
  readonly version: number;
  /** Valid for times in [from, until). */
  readonly from: number;
  readonly until: number;
  readonly shown: string;
}

/**
 * Who uses which nick; see the file comment.
 *
 * Speed (issue 9): every delivered line passes here, so each step is a Map lookup or two,
 * never a walk over every node: nodes are indexed by nick too, a line from a node
 * under the nick it used last only refreshes a timestamp, and how a nick shows is
 * worked out again only when the nick index changed (or a clash may have expired).
 */
export class Roster {
  /** origin -> its nicks; Map order = least recently seen first (to within reorderMs). */
  readonly #byOrigin = new Map<string, OriginEntry>();
  /** folded nick -> the nodes that use it. */
  readonly #byNick = new Map<string, Set<OriginEntry>>();
  /** Bumped whenever a node starts or stops using a nick (what display() answers from). */
  #version = 0;
  /** display()'s last answer and what it depended on (a flood repeats one origin and nick). */
  #shown: DisplayMemo | undefined;

  constructor(
    private readonly ttlMs = ROSTER_TTL_MS,
    private readonly maxOrigins = ROSTER_MAX_ORIGINS,
    private readonly reorderMs = ROSTER_REORDER_MS,
  ) {}

  /** `origin` used `nick` at `now`. */
  seen(origin: string, nick: string, now: number): void {
    let e = this.#byOrigin.get(origin);
    if (e !== undefined) {
      const last = e.raws.length - 1;
      if (last >= 0 && e.raws[last] === nick) {
        // A nick whose use had expired is in use again, or the clock went back (a use may
        // expire sooner): answers held by display() may be wrong now.
        const at = e.ats[last]!;
        if (now < at || now - at > this.ttlMs) this.#version++;
        e.ats[last] = now;
        this.#place(e, now);
        return;
      }
      this.#place(e, now);
    } else {
      e = { origin, keys: [], raws: [], ats: [], placed: now };
      this.#byOrigin.set(origin, e);
    }
    const key = fold(nick);
    const i = e.keys.indexOf(key);
    if (i !== -1) {
      e.keys.splice(i, 1);
      e.raws.splice(i, 1);
      e.ats.splice(i, 1);
    } else {
      let users = this.#byNick.get(key);
      if (!users) this.#byNick.set(key, (users = new Set()));
      users.add(e);
    }
    // A nick in use again (its use may have expired), or a new one: display() answers again.
    this.#version++;
    e.keys.push(key);
    e.raws.push(nick);
    e.ats.push(now);
    if (e.keys.length > ROSTER_NICKS_PER_ORIGIN) this.#unindex(e, e.keys[0]!);
    if (this.#byOrigin.size > this.maxOrigins) this.left(this.#byOrigin.keys().next().value!);
  }

  /** `origin` changed nick. */
  renamed(origin: string, from: string, to: string, now: number): void {
    const e = this.#byOrigin.get(origin);
    if (e) this.#unindex(e, fold(from));
    this.seen(origin, to, now);
  }

  /** `origin` left the mesh. */
  left(origin: string): void {
    const e = this.#byOrigin.get(origin);
    if (!e) return;
    for (const key of [...e.keys]) this.#unindex(e, key);
    this.#byOrigin.delete(origin);
  }

  /** Moves `e` to the end of the least-recently-seen order, unless it moved there lately. */
  #place(e: OriginEntry, now: number): void {
    if (now - e.placed < this.reorderMs) return;
    e.placed = now;
    this.#byOrigin.delete(e.origin);
    this.#byOrigin.set(e.origin, e);
  }

  /** Forgets that `e` uses the folded nick `key` (both indexes). */
  #unindex(e: OriginEntry, key: string): void {
    const i = e.keys.indexOf(key);
    if (i === -1) return;
    e.keys.splice(i, 1);
    e.raws.splice(i, 1);
    e.ats.splice(i, 1);
    const users = this.#byNick.get(key);
    if (users?.delete(e) === true && users.size === 0) this.#byNick.delete(key);
    this.#version++;
  }

  /** A live node other than `except` that uses `nick`, if any, with when it was last seen. */
  holder(nick: string, now: number, except?: string): { origin: string; at: number } | undefined {
    const key = fold(nick);
    const users = this.#byNick.get(key);
    if (!users) return undefined;
    for (const e of users) {
      if (e.origin === except) continue;
      const at = e.ats[e.keys.indexOf(key)]!;
      if (now - at <= this.ttlMs) return { origin: e.origin, at };
    }
    return undefined;
  }

  /**
   * How to show `nick` from `origin`: as is, or with a short id suffix when another live
   * node (ourselves included: `self`, `selfNick`) uses the same nick.
   */
  display(origin: string, nick: string, now: number, self: { node: string; nick: string }): string {
    if (origin === self.node) return shownNick(nick);
    const m = this.#shown;
    if (m !== undefined && m.origin === origin && m.nick === nick && m.selfNick === self.nick && m.version === this.#version && now >= m.from && now < m.until) {
      return m.shown;
    }
    // The answer holds until the nick index changes, or (a clash with another node) until
    // that node's use of the nick expires.
    let until = Infinity;
    let clash = fold(nick) === fold(self.nick);
    if (!clash) {
      const h = this.holder(nick, now, origin);
      if (h !== undefined) {
        clash = true;
        until = h.at + this.ttlMs + 1;
      }
    }
    const shown = clash ? `${shownNick(nick)}~${origin.slice(0, ROSTER_SUFFIX_DIGITS)}` : shownNick(nick);
    this.#shown = { origin, nick, selfNick: self.nick, version: this.#version, from: now, until, shown };
    return shown;
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
      case 'PART':
        return { nick: this.learnLine('PART', m.origin, m.nick, now, self), text: m.text };
      case 'JOIN':
      case 'MSG':
      case 'ACT':
        return { nick: this.learnLine(m.type, m.origin, m.nick, now, self), text: m.type === 'JOIN' ? '' : m.text };
    }
  }

  /** learn() for a line of any verb but NICK, given as its fields: how to show its nick. */
  learnLine(type: Exclude<FloodType, 'NICK'>, origin: string, nick: string, now: number, self: { node: string; nick: string }): string {
    if (type === 'PART') {
      const shown = this.display(origin, nick, now, self);
      this.left(origin);
      return shown;
    }
    this.seen(origin, nick, now);
    return this.display(origin, nick, now, self);
  }
}
