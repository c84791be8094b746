export interface SeenCacheOptions {
  /** Most ids remembered; the oldest is evicted past it. */
  max: number;
  /** How long an id is remembered. */
  ttlMs: number;
  /** Clock for the TTL (ms); defaults to performance.now. */
  now?: () => number;
}

/**
 * Remembers message ids for flood dedup: bounded in count and in time (TTL),
 * so a peer that invents ids cannot grow it without limit.
 *
 * An id is recorded once and never refreshed, so "least recently used" is
 * simply "oldest inserted": a ring of the last `max` ids (evicting the oldest
 * on insert) plus a Map from id to its insertion number, which tells whether
 * the ring slot still belongs to it. One Map lookup per message and no
 * per-entry objects (issue 9: the relay spent 15% in the general LRU).
 */
export class SeenCache {
  readonly #max: number;
  readonly #ttl: number;
  readonly #now: () => number;
  /** id -> insertion number; its slot is `n % max`. */
  readonly #index = new Map<string, number>();
  /** The ids by slot (grows up to `max`). */
  readonly #ring: string[] = [];
  /** When each slot's id was recorded. */
  readonly #at: number[] = [];
  #inserted = 0;
  /** The id the last has() found absent, while nothing was recorded since (markSeen skips its lookup). */
  #absent: string | undefined;

  constructor(opts: SeenCacheOptions) {
    if (!(opts.max >= 1)) throw new RangeError('SeenCache max must be >= 1');
    this.#max = Math.floor(opts.max);
    this.#ttl = opts.ttlMs;
    this.#now = opts.now ?? (() => performance.now());
  }

  /** Records the id; true when it was not seen before (deliver and forward it). */
  markSeen(id: string): boolean {
    const now = this.#now();
    const n = id === this.#absent ? undefined : this.#index.get(id);
    this.#absent = undefined;
    if (n !== undefined && now - this.#at[n % this.#max]! < this.#ttl) return false;
    const seq = this.#inserted++;
    const slot = seq % this.#max;
    if (seq >= this.#max) {
      const old = this.#ring[slot]!;
      if (this.#index.get(old) === seq - this.#max) this.#index.delete(old);
      this.#ring[slot] = id;
      this.#at[slot] = now;
    } else {
      this.#ring.push(id);
      this.#at.push(now);
    }
    this.#index.set(id, seq);
    return true;
  }

  /**
   * Whether the id was recorded and has not expired. A relay asks this before parsing a
   * line and then records the id: an id found absent is not looked up a second time.
   */
  has(id: string): boolean {
    const n = this.#index.get(id);
    if (n === undefined) {
      this.#absent = id;
      return false;
    }
    return this.#now() - this.#at[n % this.#max]! < this.#ttl;
  }

  /** Ids held (expired ones count until their slot is reused). */
  get size(): number {
    return this.#index.size;
  }
}
