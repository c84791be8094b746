/**
 * A bounded ring of lines with sequence numbers. Old lines are evicted once
 * `capacity` is reached (default 10,000 per tab, `scrollback` option), so a
 * chat burst can never grow memory without bound. A sequence number names a
 * line for as long as it is kept, which lets a scrolled-back view stay put
 * while new lines arrive.
 */
export const DEFAULT_SCROLLBACK = 10_000;

/** Ring buffer of at most `capacity` lines; see the module comment. */
export class Scrollback<T> {
  readonly #items: Array<T | undefined>;
  #start = 0;
  #length = 0;
  #next = 0;

  constructor(readonly capacity: number = DEFAULT_SCROLLBACK) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`scrollback capacity must be >= 1, got ${capacity}`);
    this.#items = new Array<T | undefined>(capacity);
  }

  /** Lines currently kept. */
  get length(): number {
    return this.#length;
  }

  /** Sequence number of the oldest kept line. */
  get firstSeq(): number {
    return this.#next - this.#length;
  }

  /** Sequence number the next pushed line will get (one past the newest). */
  get endSeq(): number {
    return this.#next;
  }

  /** Appends a line, evicting the oldest when full; returns its sequence number. */
  push(item: T): number {
    const cap = this.capacity;
    if (this.#length < cap) {
      this.#items[(this.#start + this.#length) % cap] = item;
      this.#length++;
    } else {
      this.#items[this.#start] = item;
      this.#start = (this.#start + 1) % cap;
    }
    return this.#next++;
  }

  /** The line with sequence number `seq`, or undefined once evicted (or not yet pushed). */
  get(seq: number): T | undefined {
    if (seq < this.firstSeq || seq >= this.#next) return undefined;
    return this.#items[(this.#start + (seq - this.firstSeq)) % this.capacity];
  }

  clear(): void {
    this.#items.fill(undefined);
    this.#start = 0;
    this.#length = 0;
  }
}
