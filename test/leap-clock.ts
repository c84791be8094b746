/**
 * A clock for whole-node tests that must see long spans of time: it runs on
 * the real timers (sockets, handshakes and waits behave as usual), and
 * `leap(ms)` moves it forward at once, firing every timer that came due on the
 * way (an interval once, as a real one would after a stall).
 */
import type { Clock, Timer } from '../src/clock.js';

interface Entry {
  at: number;
  every: number;
  fn: () => void;
  real: NodeJS.Timeout | undefined;
}

export class LeapClock implements Clock {
  #offset = 0;
  readonly #timers = new Set<Entry>();

  now(): number {
    return Date.now() + this.#offset;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    return this.#add(fn, ms, 0);
  }

  setInterval(fn: () => void, ms: number): Timer {
    return this.#add(fn, ms, Math.max(1, ms));
  }

  /** Jumps `ms` ahead: due timers fire now, the others are re-armed for what is left. */
  leap(ms: number): void {
    this.#offset += ms;
    const now = this.now();
    for (const t of [...this.#timers]) {
      if (t.at <= now) this.#fire(t);
      else this.#arm(t);
    }
  }

  #add(fn: () => void, ms: number, every: number): Timer {
    const t: Entry = { at: this.now() + Math.max(0, ms), every, fn, real: undefined };
    this.#timers.add(t);
    this.#arm(t);
    return {
      cancel: () => {
        clearTimeout(t.real);
        this.#timers.delete(t);
      },
    };
  }

  #arm(t: Entry): void {
    clearTimeout(t.real);
    t.real = setTimeout(() => this.#fire(t), Math.max(0, t.at - this.now()));
    t.real.unref();
  }

  #fire(t: Entry): void {
    if (!this.#timers.has(t)) return;
    if (t.every > 0) {
      t.at = this.now() + t.every;
      this.#arm(t);
    } else {
      clearTimeout(t.real);
      this.#timers.delete(t);
    }
    t.fn();
  }
}
