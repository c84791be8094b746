/**
 * One chat link's state (specs/chat.md "Lines", "Plain peers"): waiting for HELLO, waiting
 * for AUTH, ready (a protocol neighbour), or plain (a `nc` user or classic client).
 * It only records state and sends; the decisions are made by the service and the policies.
 */
import type { PeerInfo } from '../../src/app-api.js';
import type { Timer } from '../../src/clock.js';
import type { NetError } from '../../src/errors.js';
import type { Connection } from '../../src/net/connection.js';
import { encodeLine } from './codec.js';
import type { ChatFrame } from './frame-decoder.js';
import type { LineRate } from './line-rate.js';
import { forwardedLength, writeForwarded, type WireFlood } from './flood-bytes.js';
import type { ChatWire, HelloMessage } from './messages.js';

/**
 * First size of a link's burst buffer (it doubles as a burst needs). Small, so the
 * usual burst of one line comes from Node's shared buffer pool instead of a fresh
 * allocation per line per link (a 100-node mesh forwards 100,000 bursts a second).
 */
const BATCH_START_BYTES = 1024;
/** Buffers up to this size come from Node's pool: handing out a view of one costs nothing. */
const POOLED_BYTES = 4 * 1024;

/**
 * Links with a burst waiting, flushed together once the current I/O phase is over
 * (setImmediate), not after each chunk: a node reading many sockets in one turn of the
 * event loop (a busy mesh) writes each neighbour once per turn, not once per chunk read.
 */
const waiting = new Set<Link>();
let flushScheduled = false;

function flushWaiting(): void {
  flushScheduled = false;
  for (const l of waiting) l.flush();
  waiting.clear();
}

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

  /** The link as the peers view shows it. */
  info(now: number): PeerInfo {
    const conn = this.conn;
    const nick = this.state === 'ready' ? this.nick : this.state === 'plain' ? `${this.nick} (plain)` : '(handshake)';
    return { protocol: 'chat', address: conn.address, direction: conn.direction, nick, uptimeMs: now - conn.openedAt, queuedBytes: conn.queuedBytes };
  }

  /** Lines waiting for the end of the burst, as bytes: `#out[0, #used)`. */
  #out: Buffer | undefined;
  #used = 0;

  /** Sends a protocol message (after any batched lines); false if dropped or closed. */
  send(m: ChatWire, droppable = false): boolean {
    this.flush();
    return this.conn.send(encodeLine(m), { droppable });
  }

  /**
   * Queues flooded lines and hands them to the connection in one write at the end of the
   * current burst (this turn's I/O phase), so a relay costs one write per burst, not per line.
   * Returns about how many bytes wait for this link, batched or queued.
   */
  batch(lines: string): number {
    const n = Buffer.byteLength(lines);
    const out = this.#reserve(n);
    this.#used += out.write(lines, this.#used, 'utf8');
    return this.conn.queuedBytes + this.#used;
  }

  /** Like batch(), for a received line forwarded as its own bytes with a new hops-left. */
  batchForward(w: WireFlood, hops: number): number {
    const out = this.#reserve(forwardedLength(w, hops));
    this.#used = writeForwarded(w, hops, out, this.#used);
    return this.conn.queuedBytes + this.#used;
  }

  /** Room for `n` more bytes in the burst buffer (grown by doubling). */
  #reserve(n: number): Buffer {
    const out = this.#out;
    if (out === undefined) {
      waiting.add(this);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flushWaiting);
      }
      return (this.#out = Buffer.allocUnsafe(Math.max(BATCH_START_BYTES, n)));
    }
    if (this.#used + n <= out.length) return out;
    const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, this.#used + n));
    out.copy(bigger, 0, 0, this.#used);
    return (this.#out = bigger);
  }

  flush(): void {
    const out = this.#out;
    if (out === undefined) return;
    waiting.delete(this);
    const used = this.#used;
    this.#out = undefined;
    this.#used = 0;
    if (used === 0) return;
    // A mostly empty buffer is copied out, so a queue of small bursts never holds
    // much more memory than the bytes it counts.
    const keep = out.length <= POOLED_BYTES || used * 2 >= out.length;
    this.conn.send(keep ? out.subarray(0, used) : Buffer.from(out.subarray(0, used)));
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
