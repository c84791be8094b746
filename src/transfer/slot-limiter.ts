import type { Clock, Timer } from '../clock.js';
import { NetError } from '../errors.js';

/** Upload slot limits (issue 4: "a global and per-peer slot limit; a queue"). */
export interface SlotLimits {
  /** Transfers running at once, in total. */
  global: number;
  /** Transfers running at once with one peer. */
  perPeer: number;
  /** Callers allowed to wait for a slot; more are refused (LIMIT). */
  maxWaiting: number;
}

/** Gives a slot back; calling it twice is harmless. */
export type Release = () => void;

interface Waiter {
  peer: string;
  resolve(release: Release): void;
  reject(err: NetError): void;
  timer: Timer;
}

/**
 * Upload slots: a global and a per-peer limit, and a bounded FIFO of waiters
 * with a timeout each (issue 4: "a global and per-peer slot limit; a queue").
 * A waiter whose peer is at its own limit does not block those behind it.
 */
export class SlotLimiter {
  #active = 0;
  #perPeer = new Map<string, number>();
  #waiting: Waiter[] = [];

  constructor(
    readonly limits: SlotLimits,
    private readonly clock: Clock,
  ) {}

  get active(): number {
    return this.#active;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  /** A slot now, or undefined when none is free (for protocols that answer "busy"). */
  tryAcquire(peer: string): Release | undefined {
    if (!this.#free(peer)) return undefined;
    return this.#take(peer);
  }

  /** A slot now or when one frees up; rejects with LIMIT when the queue is full, TIMEOUT after `timeoutMs`. */
  acquire(peer: string, timeoutMs: number): Promise<Release> {
    const now = this.tryAcquire(peer);
    if (now) return Promise.resolve(now);
    if (this.#waiting.length >= this.limits.maxWaiting) {
      return Promise.reject(NetError.limit(`upload queue full (${this.limits.maxWaiting} waiting)`));
    }
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        peer,
        resolve,
        reject,
        timer: this.clock.setTimeout(() => {
          this.#waiting = this.#waiting.filter((x) => x !== w);
          reject(NetError.timeout('waiting for an upload slot', timeoutMs));
        }, timeoutMs),
      };
      this.#waiting.push(w);
    });
  }

  /** Rejects every waiter (shutdown). */
  rejectAll(err: NetError): void {
    for (const w of this.#waiting.splice(0)) {
      w.timer.cancel();
      w.reject(err);
    }
  }

  #free(peer: string): boolean {
    return this.#active < this.limits.global && (this.#perPeer.get(peer) ?? 0) < this.limits.perPeer;
  }

  #take(peer: string): Release {
    this.#active++;
    this.#perPeer.set(peer, (this.#perPeer.get(peer) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
      const n = (this.#perPeer.get(peer) ?? 1) - 1;
      if (n <= 0) this.#perPeer.delete(peer);
      else this.#perPeer.set(peer, n);
      this.#wake();
    };
  }

  #wake(): void {
    for (let i = 0; i < this.#waiting.length; i++) {
      const w = this.#waiting[i]!;
      if (!this.#free(w.peer)) continue;
      this.#waiting.splice(i, 1);
      w.timer.cancel();
      w.resolve(this.#take(w.peer));
      return;
    }
  }
}
