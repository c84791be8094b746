/**
 * Backpressure across the relay (STYLE.md rule 4; specs/chat.md "Lines"): when forwarding
 * leaves a neighbour's send queue above its high watermark, the link the traffic came from
 * stops being read, so TCP slows the sender instead of a queue growing. Reading resumes
 * once no neighbour is congested (on the drain of the last congested queue, not by
 * polling). A neighbour that stays congested longer than `slowLinkMs` would hold the
 * whole mesh back: it is closed as a slow consumer.
 */
import type { Clock, Timer } from '../../src/clock.js';
import { NetError } from '../../src/errors.js';
import type { Link } from './link.js';

/**
 * How often a throttled node re-checks its neighbours' queues. Sources resume on the
 * congested link's drain (drained()); this slower tick enforces the slow-consumer
 * deadline and is a safety net.
 */
const CHECK_MS = 250;

/** Pauses the sources of traffic that congests a neighbour; see the file comment. */
export class Backpressure {
  readonly #paused = new Set<Link>();
  readonly #since = new Map<Link, number>();
  #timer: Timer | undefined;
  #soon = false;

  constructor(
    private readonly clock: Clock,
    private readonly slowLinkMs: number,
    private readonly links: () => Iterable<Link>,
  ) {}

  /** Stops reading `source` until the congestion clears. */
  throttle(source: Link): void {
    if (source.conn.closed || this.#paused.has(source)) return;
    source.conn.pause();
    this.#paused.add(source);
    // Writes that went straight to the kernel still count as queued until the next tick,
    // so look again right after this I/O phase; poll only if the queue is really full.
    if (!this.#soon) {
      this.#soon = true;
      setImmediate(() => {
        this.#soon = false;
        this.check();
      });
    }
    this.#timer ??= this.clock.setInterval(() => this.check(), CHECK_MS);
  }

  /** A congested link's queue fell to its low watermark: resume the sources if none is left. */
  drained(): void {
    if (this.#paused.size > 0) this.check();
  }

  /** Resumes sources when no link is congested; closes links congested for too long. */
  check(): void {
    const now = this.clock.now();
    let congested = false;
    for (const l of [...this.links()]) {
      if (!l.conn.congested) {
        this.#since.delete(l);
        continue;
      }
      const since = this.#since.get(l) ?? now;
      this.#since.set(l, since);
      if (now - since > this.slowLinkMs) l.fail(NetError.slowConsumer(l.conn.queuedBytes));
      else congested = true;
    }
    if (congested) return;
    const paused = [...this.#paused];
    this.#paused.clear();
    this.#timer?.cancel();
    this.#timer = undefined;
    for (const p of paused) p.conn.resume();
  }

  /** Whether `link` is paused here (others that pause links must not resume it). */
  holds(link: Link): boolean {
    return this.#paused.has(link);
  }

  forget(link: Link): void {
    this.#paused.delete(link);
    this.#since.delete(link);
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#paused.clear();
    this.#since.clear();
  }

  get throttled(): number {
    return this.#paused.size;
  }
}
