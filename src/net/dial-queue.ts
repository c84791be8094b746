import type { Clock } from '../clock.js';

export interface DialQueueOptions {
  /** Dials in flight at once. */
  concurrency: number;
  /** Performs one dial; a rejection counts as a failure and backs that address off. */
  dial(addr: string): Promise<void>;
  /** First retry delay after a failure; doubles per consecutive failure. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  clock: Clock;
  /** Most addresses waiting; enqueue() refuses past it. */
  maxQueued?: number;
}

interface Backoff {
  failures: number;
  until: number;
}

const MAX_TRACKED = 4_096;

/**
 * Bounded parallel dialling with exponential backoff per address: a mesh that
 * keeps asking for the same dead peer costs one timer, not a dial storm.
 */
export class DialQueue {
  readonly #opts: DialQueueOptions;
  readonly #queue: string[] = [];
  readonly #inFlight = new Set<string>();
  readonly #backoff = new Map<string, Backoff>();
  #stopped = false;

  constructor(opts: DialQueueOptions) {
    this.#opts = opts;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }
  get queued(): number {
    return this.#queue.length;
  }

  /** Queues a dial unless it is queued, in flight, backing off, or the queue is full. */
  enqueue(addr: string): boolean {
    if (this.#stopped || this.#inFlight.has(addr) || this.#queue.includes(addr)) return false;
    if (this.#queue.length >= (this.#opts.maxQueued ?? 256)) return false;
    const b = this.#backoff.get(addr);
    if (b && b.until > this.#opts.clock.now()) return false;
    this.#queue.push(addr);
    this.#pump();
    return true;
  }

  /** Milliseconds until `addr` may be dialled again (0 = now). */
  backoffLeft(addr: string): number {
    const b = this.#backoff.get(addr);
    return b ? Math.max(0, b.until - this.#opts.clock.now()) : 0;
  }

  /** Forgets a failure record (e.g. the address reached us itself). */
  reset(addr: string): void {
    this.#backoff.delete(addr);
  }

  stop(): void {
    this.#stopped = true;
    this.#queue.length = 0;
  }

  #pump(): void {
    while (!this.#stopped && this.#inFlight.size < this.#opts.concurrency && this.#queue.length > 0) {
      const addr = this.#queue.shift()!;
      this.#inFlight.add(addr);
      this.#opts.dial(addr).then(
        () => this.#done(addr, true),
        () => this.#done(addr, false),
      );
    }
  }

  #done(addr: string, ok: boolean): void {
    this.#inFlight.delete(addr);
    if (ok) this.#backoff.delete(addr);
    else {
      const failures = (this.#backoff.get(addr)?.failures ?? 0) + 1;
      const delay = Math.min(this.#opts.maxBackoffMs, this.#opts.baseBackoffMs * 2 ** (failures - 1));
      this.#backoff.delete(addr); // re-insert: Map order doubles as age for the cap below
      this.#backoff.set(addr, { failures, until: this.#opts.clock.now() + delay });
      if (this.#backoff.size > MAX_TRACKED) {
        const oldest = this.#backoff.keys().next().value;
        if (oldest !== undefined) this.#backoff.delete(oldest);
      }
    }
    this.#pump();
  }
}
