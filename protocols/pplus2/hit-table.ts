import type { PeerAddress } from './codec.js';

/** What `/get N` needs to know about hit N. */
export interface RememberedHit {
  n: number;
  name: string;
  peer: PeerAddress;
  source: string;
}

/**
 * Search hits by number for `/get N`, bounded: the oldest are forgotten first
 * (a FIFO over a Map's insertion order).
 */
export class HitTable {
  #hits = new Map<number, RememberedHit>();

  constructor(readonly max: number) {}

  add(hit: RememberedHit): void {
    this.#hits.set(hit.n, hit);
    while (this.#hits.size > this.max) {
      const oldest = this.#hits.keys().next().value;
      if (oldest === undefined) break;
      this.#hits.delete(oldest);
    }
  }

  get(n: number): RememberedHit | undefined {
    return this.#hits.get(n);
  }

  get size(): number {
    return this.#hits.size;
  }
}
