/** How a RouteTable is bounded: in count and in time. */
export interface RouteTableOptions<V> {
  /** Most routes kept; past it the oldest is evicted (overflow rule: evict oldest). */
  max: number;
  /** How long a route lives after it was recorded (ms). */
  ttlMs: number;
  /** Clock (ms); defaults to Date.now. Tests inject a manual one. */
  now?: () => number;
  /** A route whose value is no longer alive (a closed link) is dropped on lookup. */
  isAlive?: (value: V) => boolean;
}

interface Route<V> {
  value: V;
  expires: number;
}

/**
 * Reverse paths for reply back-routing (gnutella.md 2.15 "Routing tables"):
 * a Ping/Query GUID -> the link it came from, so Pongs and QueryHits go back
 * the same way; a servent GUID from a QueryHit -> its link, for Pushes.
 * Bounded in count (the oldest route is evicted) and in time (a route expires
 * `ttlMs` after it was recorded), so a peer inventing GUIDs cannot grow it.
 * Every route lives equally long, so Map insertion order is also expiry
 * order: expiring and evicting both take from the front, O(1) amortised.
 */
export class RouteTable<V> {
  readonly #routes = new Map<string, Route<V>>();
  readonly #max: number;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #isAlive: ((value: V) => boolean) | undefined;
  /** Routes evicted by the cap (not by age), for stats. */
  evicted = 0;

  constructor(opts: RouteTableOptions<V>) {
    if (!(opts.max >= 1) || !(opts.ttlMs > 0)) throw new RangeError('RouteTable needs max >= 1 and ttlMs > 0');
    this.#max = opts.max;
    this.#ttlMs = opts.ttlMs;
    this.#now = opts.now ?? Date.now;
    this.#isAlive = opts.isAlive;
  }

  /**
   * Records where `key` came from. The first route wins: false (and nothing
   * changes) when a live route for `key` exists (a duplicate GUID).
   */
  add(key: string, value: V): boolean {
    const now = this.#now();
    this.#expire(now);
    if (this.#routes.has(key)) return false;
    this.#routes.set(key, { value, expires: now + this.#ttlMs });
    while (this.#routes.size > this.#max) {
      const oldest = this.#routes.keys().next().value;
      if (oldest === undefined) break;
      this.#routes.delete(oldest);
      this.evicted++;
    }
    return true;
  }

  /** Where a reply for `key` goes, or undefined ("route lost": drop the reply). */
  get(key: string): V | undefined {
    this.#expire(this.#now());
    const r = this.#routes.get(key);
    if (!r) return undefined;
    if (this.#isAlive && !this.#isAlive(r.value)) {
      this.#routes.delete(key);
      return undefined;
    }
    return r.value;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  delete(key: string): boolean {
    return this.#routes.delete(key);
  }

  /** Live routes (expired ones are dropped first). */
  get size(): number {
    this.#expire(this.#now());
    return this.#routes.size;
  }

  #expire(now: number): void {
    for (const [key, r] of this.#routes) {
      if (r.expires > now) break;
      this.#routes.delete(key);
    }
  }
}
