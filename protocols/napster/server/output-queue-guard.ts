/**
 * OpenNap's dead-client rule (specs/napster.md §8 "Slow readers"): after the
 * server has handed a client's output to the kernel, a client that still has
 * more than `client_queue_length` (102,400) bytes waiting is taken for dead or
 * too slow, and its connection is closed without a word (opennap's buffer.c
 * logs `output buffer for <host> exceeded 102400 bytes` and drops it; the user
 * then leaves as on a quit). The check runs after the write, not at each
 * send, so one large answer to a client that reads (a 500-file browse is over
 * 100 KB) is not taken for a dead client; the connection's own hard cap still
 * bounds what one tick may queue.
 */
import { NetError } from '../../../src/errors.js';
import type { Connection } from '../../../src/net/connection.js';
import type { NapFrame } from '../codec.js';

export class OutputQueueGuard {
  readonly #limit: number;
  readonly #pending = new Set<Connection<NapFrame>>();
  #scheduled = false;

  constructor(limit: number) {
    this.#limit = limit;
  }

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

  #check = (): void => {
    this.#scheduled = false;
    for (const conn of this.#pending) {
      if (conn.closed) continue;
      const queued = conn.queuedBytes;
      if (queued <= this.#limit) continue;
      conn.close(new NetError('SLOW_CONSUMER', `output queue of ${queued} bytes exceeds ${this.#limit} bytes`));
    }
    this.#pending.clear();
  };
}
