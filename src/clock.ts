/**
 * Time, injectable so tests can drive timers without sleeping.
 * The system clock uses the real timers and marks them unref'd where asked,
 * so a background timer never keeps the process alive on its own.
 */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): Timer;
  setInterval(fn: () => void, ms: number): Timer;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
  setInterval(fn, ms) {
    const t = setInterval(fn, ms);
    t.unref();
    return { cancel: () => clearInterval(t) };
  },
};

/** A clock that only moves when told to (tests). */
export class ManualClock implements Clock {
  #now: number;
  #timers: Array<{ at: number; fn: () => void; every: number; live: boolean }> = [];

  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    return this.#add(fn, ms, 0);
  }

  setInterval(fn: () => void, ms: number): Timer {
    return this.#add(fn, ms, Math.max(1, ms));
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      const due = this.#timers.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#now = due.at;
      if (due.every > 0) due.at += due.every;
      else due.live = false;
      due.fn();
    }
    this.#timers = this.#timers.filter((t) => t.live);
    this.#now = end;
  }

  #add(fn: () => void, ms: number, every: number): Timer {
    const t = { at: this.#now + Math.max(0, ms), fn, every, live: true };
    this.#timers.push(t);
    return { cancel: () => (t.live = false) };
  }
}
