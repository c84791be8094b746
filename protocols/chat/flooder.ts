/**
 * Carries out the flood policy (specs/chat.md "Lines", "Plain peers"): dedup by id in a
 * bounded SeenCache, deliver once, forward to every link but the source with hops-left
 * decremented, render for plain peers, and report duplicate flooders.
 */
import type { Clock } from '../../src/clock.js';
import { NetError } from '../../src/errors.js';
import { SeenCache } from '../../src/routing/seen-cache.js';
import { encode, encodeLine } from './codec.js';
import type { WireFlood } from './flood-bytes.js';
import type { Link } from './link.js';
import type { FloodMessage } from './messages.js';
import { plainBucket, plainId, plainIds, renderPlain, splitPlainLine } from './plain.js';
import { decideFlood, DuplicateMeter, hopsTravelled } from './policy.js';
import { encodeSigned } from './signing.js';
import { stripControls } from './text.js';

/** A message to show the user, exactly once. */
export interface Delivery {
  message: FloodMessage;
  self: boolean;
  /** Hops travelled (0 for our own). */
  hops: number;
  /** The link it came in on (undefined for our own). */
  from: Link | undefined;
  /** When it arrived (the clock's time). */
  now: number;
}

/** What a Flooder needs from its node. */
export interface FlooderOptions {
  node: string;
  hops: number;
  seenMax: number;
  seenTtlMs: number;
  dupWindowMs: number;
  dupSlack: number;
  /** Send-queue high watermark: past it, the source of the traffic is throttled. */
  highWater: number;
  clock: Clock;
  /** Every link that takes chat traffic (ready and plain). */
  links(): Iterable<Link>;
  deliver(d: Delivery): void;
  /**
   * A received line to show, as its bytes (LineEvents.deliverWire: its id and text need not
   * be decoded); without it, deliver() gets its message.
   */
  deliverWire?(w: WireFlood, hops: number, from: Link, now: number): void;
  /** Whether a link said EXT, so a signed message goes to it with its signature (extensions.ts). */
  extended?(l: Link): boolean;
  /** Whether a plain peer may not speak as `nick`: ours, or another live node's (plain.ts). */
  nickTaken?(nick: string, now: number): boolean;
}

/** Dedup, deliver, forward (spec "Lines"), for protocol and plain links alike. */
export class Flooder {
  readonly seen: SeenCache;
  /** Set when a forward left some link above its high watermark (see Backpressure). */
  congested = false;
  readonly #dups: DuplicateMeter<Link>;
  readonly #o: FlooderOptions;

  constructor(o: FlooderOptions) {
    this.#o = o;
    this.seen = new SeenCache({ max: o.seenMax, ttlMs: o.seenTtlMs, now: () => o.clock.now() });
    this.#dups = new DuplicateMeter<Link>(o.dupWindowMs, o.dupSlack);
  }

  /** Sends one of our own messages to everyone and delivers it locally. */
  originate(m: FloodMessage, show = true): void {
    const now = this.#o.clock.now();
    this.seen.markSeen(m.id, now);
    this.#dups.fresh(now);
    if (show) this.#o.deliver({ message: m, self: true, hops: 0, from: undefined, now });
    this.#forward(m, m.hopsLeft, undefined, undefined);
    this.congested = false; // our own lines are not throttled; the hard cap guards them
  }

  /**
   * A flooded message from a protocol neighbour; a NetError means: close that link.
   * With `wire` (the line as received), forwarding sends those bytes with only the
   * hops-left field changed.
   */
  receive(from: Link, m: FloodMessage, wire?: WireFlood, now = this.#o.clock.now()): NetError | undefined {
    const decision = decideFlood(this.seen.markSeen(m.id, now), m.hopsLeft, this.#o.hops);
    if (decision.kind === 'drop-duplicate') return this.duplicate(from, now);
    this.#dups.fresh(now);
    this.#o.deliver({ message: m, self: false, hops: hopsTravelled(m.hopsLeft, this.#o.hops), from, now });
    if (decision.forwardHops !== null) this.#forward(m, decision.forwardHops, from, wire?.verbatim ? wire : undefined);
    return undefined;
  }

  /**
   * receive() for a line whose id was just found absent by isSeenBytes() (nothing looked up
   * since): the id is recorded without a second lookup, and the bytes are forwarded.
   */
  receiveChecked(from: Link, wire: WireFlood, now: number): NetError | undefined {
    const decision = decideFlood(this.seen.markSeenLast(now), wire.hopsLeft, this.#o.hops);
    if (decision.kind === 'drop-duplicate') return this.duplicate(from, now);
    this.#dups.fresh(now);
    const hops = hopsTravelled(wire.hopsLeft, this.#o.hops);
    if (this.#o.deliverWire) this.#o.deliverWire(wire, hops, from, now);
    else this.#o.deliver({ message: wire.message, self: false, hops, from, now });
    if (decision.forwardHops !== null) {
      if (wire.verbatim) this.#forward(undefined, decision.forwardHops, from, wire);
      else this.#forward(wire.message, decision.forwardHops, from, undefined);
    }
    return undefined;
  }

  /** isSeen() for an id given as its bytes `b[at, end)` (SeenCache.hasBytes). */
  isSeenBytes(b: Buffer, at: number, end: number, now: number): boolean {
    return this.seen.hasBytes(b, at, end, now);
  }

  /** Whether a message with this id was handled already (so a copy needs no parsing). */
  isSeen(id: string, now?: number): boolean {
    return this.seen.has(id, now);
  }

  /** A copy of a message already handled came from `from`; a NetError means: close that link. */
  duplicate(from: Link, now = this.#o.clock.now()): NetError | undefined {
    return this.#dups.duplicate(from, now) ? NetError.flood('keeps resending messages already seen') : undefined;
  }

  /** A line from a plain peer: a chat message with a content-hash id. */
  plainLine(from: Link, line: string): NetError | undefined {
    const now = this.#o.clock.now();
    const clean = stripControls(line);
    const taken = this.#o.nickTaken;
    const parts = splitPlainLine(clean, from.conn.address, taken && ((nick) => taken(nick, now)));
    if (!parts) return undefined;
    const [current, previous] = plainIds(clean, now);
    if (this.seen.has(current) || this.seen.has(previous)) {
      return this.#dups.duplicate(from, now) ? NetError.flood('keeps resending lines already seen') : undefined;
    }
    this.seen.markSeen(current);
    this.#dups.fresh(now);
    // The plain peer is the origin and we are its first hop: forward as if we had received it.
    const decision = decideFlood(true, this.#o.hops, this.#o.hops);
    const forwardHops = decision.kind === 'deliver' ? decision.forwardHops : null;
    const m: FloodMessage = { type: 'MSG', id: current, hopsLeft: forwardHops ?? 0, origin: this.#o.node, at: now, ...parts };
    this.#o.deliver({ message: m, self: false, hops: 1, from, now });
    if (forwardHops !== null) this.#forward(m, forwardHops, from, undefined);
    return undefined;
  }

  /** A link closed: forget its duplicate count. */
  forget(link: Link): void {
    this.#dups.forget(link);
  }

  /**
   * Sends the message with hops-left `hops` to every link but `source`: `raw`'s bytes when
   * given (`m` may then be left out: it is `raw.message`, built only if a link needs it).
   */
  #forward(given: FloodMessage | undefined, hops: number, source: Link | undefined, raw: WireFlood | undefined): void {
    let m = given;
    let wire: string | undefined;
    let signed: string | undefined;
    let rendered: string | undefined;
    for (const l of this.#o.links()) {
      if (l === source) continue;
      if (l.state === 'ready') {
        if (given?.sig !== undefined && this.#o.extended?.(l) === true) {
          signed ??= `${encodeSigned(given.sig, encode(given.hopsLeft === hops ? given : { ...given, hopsLeft: hops }))}\n`;
          if (l.batch(signed) >= this.#o.highWater) this.congested = true;
          continue;
        }
        let queued: number;
        if (raw) {
          queued = l.batchForward(raw, hops);
        } else {
          m ??= raw!.message; // without raw bytes, the message was given
          wire ??= encodeLine(m.hopsLeft === hops ? m : { ...m, hopsLeft: hops });
          queued = l.batch(wire);
        }
        if (queued >= this.#o.highWater) this.congested = true;
      } else if (l.state === 'plain') {
        if (rendered === undefined) {
          m ??= raw!.message;
          rendered = renderPlain(m);
          // A classic client echoes what it is sent: remember the rendered line's content id.
          this.seen.markSeen(plainId(rendered, plainBucket(this.#o.clock.now())));
          rendered += '\n';
        }
        if (l.batch(rendered) >= this.#o.highWater) this.congested = true;
      }
    }
  }
}
