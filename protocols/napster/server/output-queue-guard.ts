/**
 * OpenNap's dead-client rule (specs/napster.md §8 "Slow readers"): a client
 * that has more than `client_queue_length` (102,400) bytes waiting after the
 * server wrote to its socket is taken for dead or too slow, and its
 * connection is closed without a word (opennap's buffer.c logs `output buffer
 * for <host> exceeded 102400 bytes` and drops it; the user then leaves as on
 * a quit). The queue is looked at after the write, not at each send, so one
 * large answer to a client that reads (a 500-file browse is over 100 KB) is
 * not taken for a dead client; the connection's own hard cap still bounds
 * what one burst may queue.
 *
 * Unlike opennap, a client over the limit is given a grace to drain below it
 * before the cut: opennap reads a few KB per pass of its main loop and writes
 * between passes, while we answer a whole 64 KB read at once, so a client
 * that sends thousands of commands in one burst (a 10,000-file share list gets
 * 5,000 refusals) would otherwise be cut while it reads, on a busy machine.
 */
import type { Clock, Timer } from '../../../src/clock.js';
import { NetError } from '../../../src/errors.js';
import type { Connection } from '../../../src/net/connection.js';
import type { NapFrame } from '../codec.js';

/** How long a client may stay over the limit before it is cut. */
export const SLOW_READER_GRACE_MS = 5_000;

export class OutputQueueGuard {
  readonly #pending = new Set<Connection<NapFrame>>();
  /** Clients over the limit, and the timer that cuts them unless they drain first. */
  readonly #over = new Map<Connection<NapFrame>, Timer>();
  #scheduled = false;

  constructor(
    readonly limit: number,
    readonly clock: Clock,
    readonly graceMs = SLOW_READER_GRACE_MS,
  ) {}

  /**
   * Something was queued for `conn` this tick. Its queue is looked at once the
   * tick's writes went out (the connection flushes on the next tick; an
   * immediate runs after that).
   */
  note(conn: Connection<NapFrame>): void {
    this.#pending.add(conn);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#check);
  }

  /** The client left: nothing to watch. */
  forget(conn: Connection<NapFrame>): void {
    this.#pending.delete(conn);
    this.#over.get(conn)?.cancel();
    this.#over.delete(conn);
  }

  #check = (): void => {
    this.#scheduled = false;
    for (const conn of this.#pending) this.#look(conn);
    this.#pending.clear();
  };

  #look(conn: Connection<NapFrame>): void {
    if (conn.closed) return this.forget(conn);
    if (conn.queuedBytes <= this.limit) {
      this.#over.get(conn)?.cancel();
      this.#over.delete(conn);
      return;
    }
    if (this.#over.has(conn)) return;
    this.#over.set(
      conn,
      this.clock.setTimeout(() => {
        this.#over.delete(conn);
        const queued = conn.queuedBytes;
        if (conn.closed || queued <= this.limit) return;
        conn.close(new NetError('SLOW_CONSUMER', `output queue of ${queued} bytes exceeds ${this.limit} bytes`));
      }, this.graceMs),
    );
  }
}
