/**
 * One chat link's state (specs/chat.md "Lines", "Plain peers"): waiting for HELLO, waiting
 * for AUTH, ready (a protocol neighbour), or plain (a `nc` user or classic client).
 * It only records state and sends; the decisions are made by the service and the policies.
 */
import type { PeerInfo } from '../../src/app-api.js';
import type { Timer } from '../../src/clock.js';
import type { NetError } from '../../src/errors.js';
import type { Connection } from '../../src/net/connection.js';
import { shownNick } from '../../src/nick.js';
import { encodeLine } from './codec.js';
import type { ChatFrame } from './frame-decoder.js';
import type { LineRate } from './line-rate.js';
import { forwardedLength, rewriteHops, writeForwarded, type WireFlood } from './flood-bytes.js';
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
 * A run of received lines is sent as a view of its chunk when it holds at least
 * 1/RUN_SHARE of the chunk's memory, else copied: a queue holds at most this many times
 * the bytes it counts.
 */
const RUN_SHARE = 4;
const LF = 0x0a;

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
  /** A plain peer was told that this node drops unsigned lines (`--require-signed`). */
  toldUnsigned = false;
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
  /**
   * What a dial of `addr` that finished its handshake linked to (`/connect` says it);
   * `linked` is the link we already had to that node, if we know it.
   */
  dialledWords(addr: string, linked?: Link): string {
    if (this.state === 'plain') return `connected to ${addr}: a line chat that is not a peerdeck node (a plain peer)`;
    if (this.state === 'ready' && !this.conn.closed) return `connected to ${addr} (${shownNick(this.nick)})`;
    // Closed as a duplicate: we were linked to that node already, and that link stays.
    const nick = this.hello?.nick ?? linked?.hello?.nick;
    return nick !== undefined ? `already linked to ${shownNick(nick)} (${addr})` : `already linked to the node at ${addr}`;
  }

  info(now: number): PeerInfo {
    const conn = this.conn;
    const nick = this.state === 'ready' ? shownNick(this.nick) : this.state === 'plain' ? `${shownNick(this.nick)} (plain)` : '(handshake)';
    return { protocol: 'chat', address: conn.address, direction: conn.direction, nick, uptimeMs: now - conn.openedAt, queuedBytes: conn.queuedBytes };
  }

  /**
   * The burst: pieces to send at its end, in order (#pieces, then the copies in
   * `#out[#outFrom, #used)`, then the run of received lines `#runBuf[#runStart, #runEnd)`),
   * and how many bytes they hold.
   */
  #pieces: Buffer[] = [];
  #out: Buffer | undefined;
  #outFrom = 0;
  #used = 0;
  #runBuf: Buffer | undefined;
  #runStart = 0;
  #runEnd = 0;
  #pending = 0;
  #waiting = false;

  /** Sends a protocol message (after any batched lines); false if dropped or closed. */
  send(m: ChatWire, droppable = false): boolean {
    this.flush();
    return this.conn.send(encodeLine(m), { droppable });
  }

  /**
   * Queues flooded lines and hands them to the connection at the end of the current burst
   * (this turn's I/O phase), so a relay costs one write per burst, not per line.
   * Returns about how many bytes wait for this link, batched or queued.
   */
  batch(lines: string): number {
    const n = Buffer.byteLength(lines);
    this.#closeRun();
    const out = this.#reserve(n);
    this.#used += out.write(lines, this.#used, 'utf8');
    this.#pending += n;
    return this.conn.queuedBytes + this.#pending;
  }

  /**
   * Like batch(), for a received line forwarded as its own bytes with a new hops-left.
   * When the new value has as many digits and the line ended with a bare LF, hops-left is
   * rewritten in the received chunk and the line joins the run of lines before it in that
   * chunk: a burst of relayed lines goes out as pieces of the chunks they came in, with
   * no copy (a piece too small beside its chunk is copied at the end of the run, so a
   * queue never holds much more memory than the bytes it counts).
   */
  batchForward(w: WireFlood, hops: number): number {
    const b = w.buf;
    if (b[w.end] === LF && rewriteHops(w, hops)) {
      if (this.#runBuf === b && this.#runEnd === w.start) {
        this.#runEnd = w.end + 1;
      } else {
        this.#closeRun();
        this.#closeCopies();
        this.#runBuf = b;
        this.#runStart = w.start;
        this.#runEnd = w.end + 1;
        this.#wait();
      }
      this.#pending += w.end + 1 - w.start;
    } else {
      this.#closeRun();
      const n = forwardedLength(w, hops);
      this.#used = writeForwarded(w, hops, this.#reserve(n), this.#used);
      this.#pending += n;
    }
    return this.conn.queuedBytes + this.#pending;
  }

  /** Bytes batched for the end of the burst. */
  get batched(): number {
    return this.#pending;
  }

  /** Schedules the end-of-burst flush. */
  #wait(): void {
    if (this.#waiting) return;
    this.#waiting = true;
    waiting.add(this);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flushWaiting);
    }
  }

  /** Ends the run of received lines: a piece of its chunk, or a copy when it is small beside it. */
  #closeRun(): void {
    const b = this.#runBuf;
    if (b === undefined) return;
    this.#runBuf = undefined;
    const n = this.#runEnd - this.#runStart;
    if (n * RUN_SHARE >= b.buffer.byteLength) {
      this.#pieces.push(b.subarray(this.#runStart, this.#runEnd));
      return;
    }
    const out = this.#reserve(n);
    this.#used += b.copy(out, this.#used, this.#runStart, this.#runEnd);
  }

  /** Ends the region of copies in the burst buffer (a run of received lines follows it). */
  #closeCopies(): void {
    const out = this.#out;
    if (out === undefined || this.#used === this.#outFrom) return;
    // A mostly empty buffer is copied out, so a queue of small bursts never holds
    // much more memory than the bytes it counts.
    const region = out.subarray(this.#outFrom, this.#used);
    const keep = out.length <= POOLED_BYTES || this.#used * 2 >= out.length;
    this.#pieces.push(keep ? region : Buffer.from(region));
    this.#outFrom = this.#used;
  }

  /** Room for `n` more bytes in the burst buffer (grown by doubling). */
  #reserve(n: number): Buffer {
    this.#wait();
    const out = this.#out;
    if (out === undefined) return (this.#out = Buffer.allocUnsafe(Math.max(BATCH_START_BYTES, n)));
    if (this.#used + n <= out.length) return out;
    // Bytes before #outFrom are pieces already (views of this buffer): only the open region moves.
    const open = this.#used - this.#outFrom;
    const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, open + n));
    out.copy(bigger, 0, this.#outFrom, this.#used);
    this.#outFrom = 0;
    this.#used = open;
    return (this.#out = bigger);
  }

  flush(): void {
    if (!this.#waiting) return;
    this.#waiting = false;
    waiting.delete(this);
    this.#closeRun();
    this.#closeCopies();
    const pieces = this.#pieces;
    this.#pieces = [];
    this.#out = undefined;
    this.#outFrom = 0;
    this.#used = 0;
    this.#pending = 0;
    for (const p of pieces) this.conn.send(p);
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
