import type { FileHit } from './file-protocol.js';

/** What `/get N` needs: which protocol made hit N, in which search, and the hit itself. */
export interface NumberedHit {
  n: number;
  search: string;
  protocol: string;
  hit: FileHit;
}

/** Hits remembered for `/get N` by default (about 3 MB at ~300 bytes a hit). */
export const DEFAULT_MAX_REMEMBERED_HITS = 10_000;

/**
 * Result numbers -> hits, bounded by `max`. Overflow rule: the oldest number
 * is forgotten first (numbers only grow by one, so the oldest remembered is
 * the newest minus `max`). A forgotten number is never reused: `/get` of it says so.
 */
export class HitTable {
  readonly #hits = new Map<number, NumberedHit>();
  #next = 1;

  constructor(readonly max = DEFAULT_MAX_REMEMBERED_HITS) {
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`hit table size must be a positive integer: ${max}`);
  }

  /** Gives the hit the next number, forgetting the oldest past the cap. */
  add(search: string, protocol: string, hit: FileHit): NumberedHit {
    const entry = { n: this.#next++, search, protocol, hit };
    this.#hits.set(entry.n, entry);
    // Numbers are consecutive and only the oldest goes, so the oldest is known without asking the
    // Map for its first key (which walks every slot deleted before it: quadratic past the cap).
    if (this.#hits.size > this.max) this.#hits.delete(entry.n - this.max);
    return entry;
  }

  get(n: number): NumberedHit | undefined {
    return this.#hits.get(n);
  }

  /** Whether `n` was handed out once (remembered or since forgotten). */
  issued(n: number): boolean {
    return Number.isSafeInteger(n) && n >= 1 && n < this.#next;
  }

  get size(): number {
    return this.#hits.size;
  }

  /** The newest number handed out (0: none yet). */
  get last(): number {
    return this.#next - 1;
  }
}
