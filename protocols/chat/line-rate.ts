/**
 * The line rate of a plain peer (README "Plain peers"): people type a few lines a second
 * and paste a screenful now and then, so a token bucket allows `perSec` lines a second
 * with bursts of `burst`. Lines past it are dropped (the peer is *throttled*); a peer that
 * keeps pushing through a throttle is cut. Protocol links are never rate-limited: relaying
 * fast is the mesh's job, and backpressure bounds their memory. Pure: time comes in.
 */

/** What one received line gets. */
export type RateVerdict =
  /** Within the rate: handle the line. */
  | { kind: 'pass' }
  /** Dropped; `first` is true for the first drop of a throttle episode (say so once). */
  | { kind: 'throttle'; first: boolean }
  /** Dropped `cutAfter` lines in one episode: close the link. */
  | { kind: 'cut'; dropped: number };

/** A token bucket with throttle episodes. */
export class LineRate {
  #tokens: number;
  #last: number;
  /** Lines dropped since the last line that passed. */
  #dropped = 0;

  constructor(
    readonly perSec: number,
    readonly burst: number,
    readonly cutAfter: number,
    now: number,
  ) {
    this.#tokens = burst;
    this.#last = now;
  }

  /** Judges one line received at `now`. */
  take(now: number): RateVerdict {
    this.#tokens = Math.min(this.burst, this.#tokens + (Math.max(0, now - this.#last) * this.perSec) / 1000);
    this.#last = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      this.#dropped = 0;
      return { kind: 'pass' };
    }
    this.#dropped++;
    if (this.#dropped >= this.cutAfter) return { kind: 'cut', dropped: this.#dropped };
    return { kind: 'throttle', first: this.#dropped === 1 };
  }
}
