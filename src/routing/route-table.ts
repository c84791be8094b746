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
  /** Which add made it: a queue entry of an older add of the same key is stale. */
  seq: number;
}

/**
 * Reverse paths for reply back-routing (gnutella.md 2.15 "Routing tables"):
 * a Ping/Query GUID -> the link it came from, so Pongs and QueryHits go back
 * the same way; a servent GUID from a QueryHit -> its link, for Pushes.
 * Bounded in count (the oldest route is evicted) and in time (a route expires
 * `ttlMs` after it was recorded), so a peer inventing GUIDs cannot grow it.
 * Every route lives equally long, so the order of adds is also expiry
 * order: expiring and evicting both take from the front of a queue of adds,
 * O(1) amortised. The queue is our own: taking the first key of a Map whose
 * front was deleted walks over every deleted slot (V8), which made 200,000
 * adds past the cap take 27 s instead of milliseconds.
 */
export class RouteTable<V> {
  readonly #routes = new Map<string, Route<V>>();
  /** Keys in the order added, with the add's seq; `#head` is the front. Stale entries are skipped. */
  #order: Array<{ key: string; seq: number }> = [];
  #head = 0;
  #seq = 0;
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
    const seq = ++this.#seq;
    this.#routes.set(key, { value, expires: now + this.#ttlMs, seq });
    this.#order.push({ key, seq });
    while (this.#routes.size > this.#max) {
      const oldest = this.#front();
      if (oldest === undefined) break;
      this.#routes.delete(oldest.key);
      this.#pop();
      this.evicted++;
    }
    this.#compact();
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

  /** Entries the add queue holds (live routes plus not yet dropped stale ones): bounded, for tests and stats. */
  get backlog(): number {
    return this.#order.length;
  }

  /** Live routes (expired ones are dropped first). */
  get size(): number {
    this.#expire(this.#now());
    return this.#routes.size;
  }

  #expire(now: number): void {
    for (let e = this.#front(); e !== undefined; e = this.#front()) {
      if (this.#routes.get(e.key)!.expires > now) break;
      this.#routes.delete(e.key);
      this.#pop();
    }
  }

  /** The oldest live add, dropping stale entries (their route was deleted or added again since). */
  #front(): { key: string; seq: number } | undefined {
    while (this.#head < this.#order.length) {
      const e = this.#order[this.#head]!;
      if (this.#routes.get(e.key)?.seq === e.seq) return e;
      this.#pop();
    }
    return undefined;
  }

  #pop(): void {
    this.#head++;
    if (this.#head === this.#order.length) {
      this.#order = [];
      this.#head = 0;
    }
  }

  /**
   * Frees the queue's taken front once it is half the array, and its stale
   * entries (routes deleted before their turn) once they outnumber the routes:
   * both rebuild at most once per as many adds as they drop, O(1) amortised.
   */
  #compact(): void {
    if (this.#head >= 1024 && this.#head * 2 >= this.#order.length) {
      this.#order = this.#order.slice(this.#head);
      this.#head = 0;
    }
    if (this.#order.length - this.#head > 2 * this.#routes.size + 1024) {
      this.#order = this.#order.slice(this.#head).filter((e) => this.#routes.get(e.key)?.seq === e.seq);
      this.#head = 0;
    }
  }
}
