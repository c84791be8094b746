/**
 * Batches redraws: any number of `request()` calls between frames produce one
 * draw, and frames are at least `intervalMs` apart (~60 fps), so a burst of
 * 10,000 chat lines costs a handful of frames, not 10,000.
 */
import type { Clock, Timer } from '../src/clock.js';

/** Minimum time between two frames. */
export const FRAME_INTERVAL_MS = 16;

/** Coalesces redraw requests into frames at most one per `intervalMs`. */
export class FrameScheduler {
  #timer: Timer | undefined;
  #last = Number.NEGATIVE_INFINITY;
  #frames = 0;
  #stopped = false;

  constructor(
    private readonly draw: () => void,
    private readonly clock: Clock,
    private readonly intervalMs = FRAME_INTERVAL_MS,
  ) {}

  /** Frames drawn so far. */
  get frames(): number {
    return this.#frames;
  }

  /** Asks for a frame; it is drawn once, as soon as the interval allows. */
  request(): void {
    if (this.#timer || this.#stopped) return;
    const wait = Math.max(0, this.#last + this.intervalMs - this.clock.now());
    this.#timer = this.clock.setTimeout(() => this.flush(), wait);
  }

  /** Draws now if a frame is pending (or `force`). */
  flush(force = false): void {
    const pending = this.#timer !== undefined;
    this.#timer?.cancel();
    this.#timer = undefined;
    if ((!pending && !force) || this.#stopped) return;
    this.#last = this.clock.now();
    this.#frames++;
    this.draw();
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
  }
}
