/** How many pongs the cache keeps at most, whatever peers send (a cap on remote input). */
export const PONG_CACHE_CAPACITY = 100;
/** How long a cached pong is served (GTKG: 120 s as a leaf; spec 2.6). */
export const PONG_CACHE_LIFETIME_MS = 120_000;
/** Larger pongs (a big GGEP block) are not cached: bounds the cache's memory to ~50 KiB. */
export const PONG_CACHE_MAX_PAYLOAD = 512;
/** Pongs in one answer to a ping, besides our own (spec 2.6: at most 10). */
export const PONGS_PER_PING = 10;

/** One pong we received, kept to answer later pings with (payload as it came). */
export interface CachedPong {
  /** `ip:port` of the host it describes: one entry per host. */
  host: string;
  payload: Buffer;
  /** Hops it had travelled when we received it. */
  hops: number;
  /** The link it came on: never sent back there. */
  from: number;
  at: number;
}

/**
 * A bounded cache of recent pongs (spec 2.6, "pong caching"): pings are answered
 * from it instead of being relayed. One entry per host (the newest wins), at most
 * PONG_CACHE_CAPACITY entries (the oldest is evicted), each at most
 * PONG_CACHE_MAX_PAYLOAD bytes, each served for
 * PONG_CACHE_LIFETIME_MS. Answers mix hop counts: round-robin over hops.
 */
export class PongCache {
  readonly #byHost = new Map<string, CachedPong>();

  constructor(
    private readonly now: () => number,
    private readonly capacity = PONG_CACHE_CAPACITY,
    private readonly lifetimeMs = PONG_CACHE_LIFETIME_MS,
  ) {}

  get size(): number {
    return this.#byHost.size;
  }

  add(p: Omit<CachedPong, 'at'>): void {
    if (p.payload.length > PONG_CACHE_MAX_PAYLOAD) return;
    this.#byHost.delete(p.host);
    this.#byHost.set(p.host, { ...p, at: this.now() });
    while (this.#byHost.size > this.capacity) {
      const oldest = this.#byHost.keys().next().value;
      if (oldest === undefined) break;
      this.#byHost.delete(oldest);
    }
  }

  /** Up to `max` fresh pongs for a ping that came on link `to`, mixing hop counts, newest first per hop. */
  pick(to: number, max = PONGS_PER_PING): CachedPong[] {
    const now = this.now();
    const byHops = new Map<number, CachedPong[]>();
    for (const [host, p] of this.#byHost) {
      if (now - p.at > this.lifetimeMs) {
        this.#byHost.delete(host);
        continue;
      }
      if (p.from === to) continue;
      const list = byHops.get(p.hops) ?? [];
      list.unshift(p);
      byHops.set(p.hops, list);
    }
    const lists = [...byHops.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
    const out: CachedPong[] = [];
    for (let i = 0; out.length < max && lists.some((l) => i < l.length); i++) {
      for (const l of lists) {
        const p = l[i];
        if (p && out.length < max) out.push(p);
      }
    }
    return out;
  }
}
