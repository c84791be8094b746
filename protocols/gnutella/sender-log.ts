import { GenerationMap } from './generation-map.js';
import type { LinkId } from './router.js';

/** How a copy of a query or push stands against what the same link sent before. */
export type SenderSeen =
  /** The link never sent us this MUID (another may have). */
  | 'first'
  /** It did, with a TTL as high or higher: a duplicate of its own (peer-conduct.ts counts it). */
  | 'again'
  /** It did, with a lower TTL: a re-probe, not counted. */
  | 'higher';

/** Links remembered per MUID (a MUID legitimately comes once per neighbour at most). */
export const MAX_SENDERS_PER_MUID = 64;

/**
 * Who sent us each query or push, with the highest TTL each sent it with, as
 * gtk-gnutella keeps them beside a message in its routing table (routing.c:
 * m->routes and m->ttls): a copy from a neighbour that sent that MUID before,
 * first or not, with a TTL no higher than its own earlier copy, is a duplicate
 * of that neighbour's (routing.c handle_duplicate). One log per descriptor type.
 *
 * Bounded: a GenerationMap (one to two generations of MUIDs), at most
 * MAX_SENDERS_PER_MUID links per MUID. One sender, the common case, is packed
 * in a number (link * 256 + TTL); a Map only once a second link sends it.
 */
export class SenderLog {
  readonly #map: GenerationMap<string, number | Map<LinkId, number>>;

  constructor(opts: { maxPerGeneration: number; generationMs: number; now: () => number }) {
    this.#map = new GenerationMap(opts);
  }

  /** Records that `link` sent the MUID (`key`) with `ttl`, and says how it stands. */
  note(key: string, link: LinkId, ttl: number): SenderSeen {
    const v = this.#map.get(key);
    if (v === undefined) {
      this.#map.set(key, link * 256 + ttl);
      return 'first';
    }
    if (typeof v === 'number') {
      const [first, firstTtl] = [Math.floor(v / 256), v % 256];
      if (first !== link) {
        this.#map.set(key, new Map([[first, firstTtl], [link, ttl]]));
        return 'first';
      }
      if (ttl <= firstTtl) return 'again';
      this.#map.set(key, link * 256 + ttl);
      return 'higher';
    }
    const before = v.get(link);
    if (before === undefined) {
      if (v.size < MAX_SENDERS_PER_MUID) v.set(link, ttl);
      return 'first';
    }
    if (ttl <= before) return 'again';
    v.set(link, ttl);
    return 'higher';
  }

  get size(): number {
    return this.#map.size;
  }
}
