/** Weight of the newest sample in the smoothed rate. */
const SMOOTHING = 0.3;

/**
 * Smoothed transfer rate and ETA from (time, bytes) samples. Pure: the caller
 * supplies the time, so tests drive it with a ManualClock.
 */
export class RateMeter {
  #lastAt: number;
  #lastBytes: number;
  #rate = 0;

  constructor(now: number, bytes = 0) {
    this.#lastAt = now;
    this.#lastBytes = bytes;
  }

  /** Records the running byte count at `now`; returns the smoothed bytes/s. */
  sample(now: number, bytes: number): number {
    const dt = (now - this.#lastAt) / 1000;
    if (dt <= 0) return this.#rate;
    const inst = Math.max(0, bytes - this.#lastBytes) / dt;
    this.#rate = this.#rate === 0 ? inst : this.#rate * (1 - SMOOTHING) + inst * SMOOTHING;
    this.#lastAt = now;
    this.#lastBytes = bytes;
    return this.#rate;
  }

  get rate(): number {
    return this.#rate;
  }

  /** Seconds left, or null when the total or the rate is unknown. */
  eta(bytes: number, total: number | null): number | null {
    if (total === null || this.#rate <= 0) return null;
    return Math.max(0, Math.ceil((total - bytes) / this.#rate));
  }
}
