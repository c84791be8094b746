/**
 * Flood policy as pure decisions (specs/chat.md "Lines"; ARCHITECTURE "decide, then do"):
 * deliver and forward a flooded message only the first time its id is seen, never back
 * on the link it came from, with hops-left decremented and not forwarded once it reaches 0.
 * A neighbour that keeps resending already-seen ids is disconnected (DuplicateMeter).
 */
import { DUP_SLACK, DUP_WINDOW_MS } from './constants.js';

/** What to do with a received flooded message (shared objects: never changed). */
export type FloodDecision =
  | { readonly kind: 'drop-duplicate' }
  /** Show it; forward with `forwardHops` unless null (hop limit reached). */
  | { readonly kind: 'deliver'; readonly forwardHops: number | null };

const DROP: FloodDecision = { kind: 'drop-duplicate' };
/**
 * The deliver decisions by forward hops, made once: a relay decides for every line it
 * reads (issue 9: an object less a line). Hops past the wire's 255 get their own.
 */
const DELIVER: readonly FloodDecision[] = Array.from({ length: 256 }, (_, h) => ({ kind: 'deliver', forwardHops: h > 0 ? h : null }));

/**
 * Decides what to do with a received flooded message.
 * @param firstTime SeenCache.markSeen(id): true the first time this id is seen.
 * @param hopsLeft the message's hops-left as received.
 * @param maxHops our own hop limit: a neighbour cannot make a message travel further than it.
 */
export function decideFlood(firstTime: boolean, hopsLeft: number, maxHops: number): FloodDecision {
  if (!firstTime) return DROP;
  const next = Math.min(hopsLeft, maxHops) - 1;
  if (!(next > 0)) return DELIVER[0]!;
  return DELIVER[next] ?? { kind: 'deliver', forwardHops: next };
}

/** The links a message goes out on: every ready link but the one it came from. */
export function forwardTargets<L>(links: Iterable<L>, source: L | undefined): L[] {
  const out: L[] = [];
  for (const l of links) if (l !== source) out.push(l);
  return out;
}

/** Hops travelled, for display: 1 for a neighbour's message when everyone uses `maxHops`. */
export function hopsTravelled(hopsLeft: number, maxHops: number): number {
  return Math.max(1, maxHops - hopsLeft + 1);
}

/**
 * Whether a link's already-seen count marks it as a duplicate flooder. A well-behaved
 * neighbour forwards each id to us at most once, so over a window it cannot send more
 * seen ids than there were distinct messages in the mesh; `slack` absorbs window edges.
 */
export function isDuplicateFlood(linkDuplicates: number, distinctMessages: number, slack = DUP_SLACK): boolean {
  return linkDuplicates > distinctMessages + slack;
}

/**
 * Counts, per link, the already-seen ids received in the current window, against the
 * distinct messages seen in this window and the previous one. Bounded by the number of
 * links (call `forget` when a link closes).
 */
export class DuplicateMeter<L> {
  #window = -1;
  #fresh = 0;
  #freshPrev = 0;
  readonly #dups = new Map<L, { window: number; count: number }>();

  constructor(
    private readonly windowMs = DUP_WINDOW_MS,
    private readonly slack = DUP_SLACK,
  ) {}

  #roll(now: number): number {
    const w = Math.floor(now / this.windowMs);
    if (w !== this.#window) {
      this.#freshPrev = w === this.#window + 1 ? this.#fresh : 0;
      this.#fresh = 0;
      this.#window = w;
    }
    return w;
  }

  /** A distinct message was seen (ours or anyone's). */
  fresh(now: number): void {
    this.#roll(now);
    this.#fresh++;
  }

  /** `link` sent an already-seen id; true when it crossed the flood threshold. */
  duplicate(link: L, now: number): boolean {
    const w = this.#roll(now);
    let d = this.#dups.get(link);
    if (d === undefined) this.#dups.set(link, (d = { window: w, count: 0 }));
    else if (d.window !== w) {
      d.window = w;
      d.count = 0;
    }
    d.count++;
    return isDuplicateFlood(d.count, this.#fresh + this.#freshPrev, this.slack);
  }

  forget(link: L): void {
    this.#dups.delete(link);
  }

  get size(): number {
    return this.#dups.size;
  }
}
