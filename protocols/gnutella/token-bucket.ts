/**
 * A token bucket: `rate` tokens a second up to `burst`. Used to throttle a
 * leaf's queries (issue 11: a flooding leaf must not take the service from
 * the others); time comes from the caller, so it is pure and testable.
 */
export class TokenBucket {
  #tokens: number;
  #at: number | undefined;

  constructor(
    readonly rate: number,
    readonly burst: number,
  ) {
    this.#tokens = burst;
  }

  /** Takes one token at time `now` (ms); false when none is left. */
  take(now: number): boolean {
    if (this.#at !== undefined) this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#at) * this.rate) / 1000);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
