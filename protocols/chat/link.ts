/**
 * One chat link's state (specs/chat.md "Lines", "Plain peers"): waiting for HELLO, waiting
 * for AUTH, ready (a protocol neighbour), or plain (a `nc` user or classic client).
 * It only records state and sends; the decisions are made by the service and the policies.
 */
import type { Timer } from '../../src/clock.js';
import type { NetError } from '../../src/errors.js';
import type { Connection } from '../../src/net/connection.js';
import { encodeLine } from './codec.js';
import type { ChatFrame } from './frame-decoder.js';
import type { LineRate } from './line-rate.js';
import type { ChatWire, HelloMessage } from './messages.js';

/** Where a link is in its life (spec "Lines", "Plain peers"). */
export type LinkState = 'hello' | 'auth' | 'ready' | 'plain';

/** The chat state of one connection, plus per-burst write batching. */
export class Link {
  state: LinkState = 'hello';
  /** The peer's HELLO once received. */
  hello: HelloMessage | undefined;
  /** The nonce we put in our HELLO (mesh password only). */
  ourNonce: string | undefined;
  helloSent = false;
  /** Whether the peer has sent at least one line. */
  spoke = false;
  /** The address we dialled (outbound links). */
  dialAddr: string | undefined = undefined;
  /** The peer's dialable listening address, once known. */
  listenAddr: string | undefined;
  /** Listening addresses this neighbour told us about (its PEERS), newest last, capped. */
  advertised: string[] = [];
  /** Last time a line arrived (keep-alive). */
  lastRx: number;
  /** `peer.up` was emitted, so `peer.down` must be too. */
  announced = false;
  readonly timers: Timer[] = [];
  /** A plain peer's line rate (set when it becomes plain). */
  rate: LineRate | undefined;
  /** Settles a dial waiting for this link to finish its handshake. */
  settle: ((err: NetError | undefined) => void) | undefined;

  constructor(
    readonly conn: Connection<ChatFrame>,
    now: number,
  ) {
    this.lastRx = now;
  }

  get direction(): 'in' | 'out' {
    return this.conn.direction;
  }

  get openedAt(): number {
    return this.conn.openedAt;
  }

  get node(): string | undefined {
    return this.hello?.node;
  }

  get nick(): string {
    return this.hello?.nick ?? this.conn.nick ?? this.conn.address;
  }

  #batch = '';
  #batchBytes = 0;

  /** Sends a protocol message (after any batched lines); false if dropped or closed. */
  send(m: ChatWire, droppable = false): boolean {
    this.flush();
    return this.conn.send(encodeLine(m), { droppable });
  }

  /**
   * Queues flooded lines and hands them to the connection in one write at the end of the
   * current burst (a microtask), so a relay costs one write per burst, not per line.
   * Returns about how many bytes wait for this link, batched or queued.
   */
  batch(lines: string): number {
    if (this.#batchBytes === 0) queueMicrotask(() => this.flush());
    this.#batch += lines;
    this.#batchBytes += lines.length;
    return this.conn.queuedBytes + this.#batchBytes;
  }

  flush(): void {
    if (this.#batchBytes === 0) return;
    const data = this.#batch;
    this.#batch = '';
    this.#batchBytes = 0;
    this.conn.send(data);
  }

  /** Sends ERROR :reason, then closes with that reason (queued data is flushed first). */
  fail(err: NetError): void {
    if (this.conn.closed) return;
    this.flush();
    this.conn.send(encodeLine({ type: 'ERROR', reason: `${err.code}: ${err.message}` }));
    this.conn.close(err);
  }

  /**
   * Like fail(), but the socket is cut at once instead of closing gracefully: for links
   * that never identified themselves, dropped under pressure (admission.ts).
   */
  drop(err: NetError): void {
    if (this.conn.closed) return;
    this.conn.send(encodeLine({ type: 'ERROR', reason: `${err.code}: ${err.message}` }));
    this.conn.abort(err);
  }

  cancelTimers(): void {
    for (const t of this.timers) t.cancel();
    this.timers.length = 0;
  }
}
