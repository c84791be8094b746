import type { Clock, Timer } from '../../src/clock.js';
import { NetError } from '../../src/errors.js';
import type { Connection } from '../../src/net/connection.js';
import { AnswerCollector, type AnswerLimits } from './answer.js';
import { EXCHANGE_TIMEOUT_MS } from './constants.js';

/** How one outbound exchange ended: the lines kept, and why it ended if not cleanly. */
export interface ExchangeResult {
  lines: string[];
  /** Undefined when the callee answered and closed; LIMIT when we cut it off (lines kept). */
  error?: NetError;
}

interface Pending {
  answer: AnswerCollector;
  timer: Timer;
  resolve(r: ExchangeResult): void;
}

/**
 * The caller's side of P+2's one-line exchanges (pplus2.md: "the caller
 * connects, sends one line, the callee answers and closes"). Tracks each
 * outbound link's answer against its limits and a deadline. A last line the
 * callee closed without an LF still arrives: the line decoder hands it over at
 * end of stream.
 */
export class Exchanges {
  #pending = new Map<Connection<string>, Pending>();

  constructor(private readonly clock: Clock) {}

  /** Sends the request line on a fresh outbound link and resolves when the answer is complete. */
  run(conn: Connection<string>, line: string, limits: AnswerLimits): Promise<ExchangeResult> {
    conn.handshakeDone(); // our own deadline below covers the whole exchange
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => conn.close(NetError.timeout('P+2 answer', EXCHANGE_TIMEOUT_MS)), EXCHANGE_TIMEOUT_MS);
      this.#pending.set(conn, { answer: new AnswerCollector(limits), timer, resolve });
      conn.send(line);
    });
  }

  /** True when the line belonged to an exchange of ours. */
  onLine(conn: Connection<string>, line: string): boolean {
    const p = this.#pending.get(conn);
    if (!p) return false;
    const over = p.answer.add(line);
    if (over) conn.close(over);
    return true;
  }

  onClose(conn: Connection<string>, reason: NetError | undefined): void {
    const p = this.#pending.get(conn);
    if (!p) return;
    this.#pending.delete(conn);
    p.timer.cancel();
    const cleanEnd = reason === undefined || reason.code === 'CLOSED';
    p.resolve({ lines: p.answer.lines, ...(cleanEnd ? {} : { error: reason }) });
  }
}
