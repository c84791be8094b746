import { LRUCache } from 'lru-cache';

export interface SeenCacheOptions {
  /** Most ids remembered; the oldest is evicted past it. */
  max: number;
  /** How long an id is remembered. */
  ttlMs: number;
  /** Clock for the TTL (ms); defaults to performance.now via lru-cache. */
  now?: () => number;
}

/**
 * Remembers message ids for flood dedup: bounded in count (LRU eviction) and in
 * time (TTL), so a peer that invents ids cannot grow it without limit.
 */
export class SeenCache {
  readonly #lru: LRUCache<string, true>;

  constructor(opts: SeenCacheOptions) {
    this.#lru = new LRUCache<string, true>({
      max: opts.max,
      ttl: opts.ttlMs,
      ttlAutopurge: false,
      updateAgeOnGet: false,
      updateAgeOnHas: false,
      ttlResolution: 0,
      ...(opts.now ? { perf: { now: opts.now } } : {}),
    });
  }

  /** Records the id; true when it was not seen before (deliver and forward it). */
  markSeen(id: string): boolean {
    if (this.#lru.has(id)) return false;
    this.#lru.set(id, true);
    return true;
  }

  has(id: string): boolean {
    return this.#lru.has(id);
  }

  get size(): number {
    return this.#lru.size;
  }
}
