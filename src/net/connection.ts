import type { Socket } from 'node:net';
import type { Direction } from '../app-api.js';
import type { Clock, Timer } from '../clock.js';
import type { Decoder } from '../codec/decoder.js';
import { NetError, toNetError } from '../errors.js';
import { formatHostPort, normalizeIp } from './address.js';
import { BoundedInflate } from './bounded-inflate.js';
import { SendQueue } from './send-queue.js';
import type { ConnectionHooks, ConnectionInit, DeflateTuning, InflateLimits } from './connection-types.js';

/** How long a closing link may take to flush its queue before it is destroyed. */
const CLOSE_GRACE_MS = 2_000;

/**
 * One live link: it owns the socket, runs the single decode loop (bytes ->
 * decoder -> handler), keeps the send queue within its watermarks and closes
 * with a reason. Protocols never read sockets themselves; they switch decoders,
 * add compression or hand the socket off through this class.
 */
export class Connection<M = unknown> {
  readonly id: number;
  readonly group: string;
  readonly direction: Direction;
  readonly tag: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localPort: number;
  readonly address: string;
  readonly openedAt: number;
  /** A label for the peers view (a nick, a servent name). */
  nick?: string;

  #socket: Socket;
  #decoder: Decoder<unknown>;
  #hooks: ConnectionHooks<M>;
  #clock: Clock;
  /** What send() took and the kernel has not: watermarks, deflate, one writev a tick. */
  #out: SendQueue;
  #handshakeTimer: Timer | undefined;
  #closeTimer: Timer | undefined;
  #closed = false;
  #detached = false;
  #closeReason: NetError | undefined;
  #paused = false;
  #feeding = false;
  #inflate: BoundedInflate | undefined;
  /** The peer sent FIN; what it sent before is still decoded (when not paused). */
  #inputEnded = false;
  #endHandled = false;
  #idleMs: number;
  bytesIn = 0;

  constructor(init: ConnectionInit<M>) {
    this.id = init.id;
    this.group = init.group;
    this.direction = init.direction;
    this.tag = init.tag;
    this.#socket = init.socket;
    this.#decoder = init.decoder;
    this.#hooks = init.hooks;
    this.#clock = init.clock;
    this.#out = new SendQueue(init.socket, init.queue);
    this.remoteAddress = normalizeIp(init.socket.remoteAddress);
    this.remotePort = init.socket.remotePort ?? 0;
    this.localPort = init.socket.localPort ?? 0;
    this.address = formatHostPort(this.remoteAddress, this.remotePort);
    this.openedAt = init.clock.now();

    const s = this.#socket;
    s.setNoDelay(true);
    s.on('data', this.#onSocketData);
    s.on('end', this.#onSocketEnd);
    s.on('error', this.#onSocketError);
    s.on('close', this.#onSocketClose);
    s.on('drain', this.#onDrain);
    this.#idleMs = init.timeouts.idleMs;
    if (this.#idleMs > 0) {
      s.setTimeout(this.#idleMs);
      s.on('timeout', this.#onIdle);
    }
    if (init.timeouts.handshakeMs > 0) {
      const ms = init.timeouts.handshakeMs;
      this.#handshakeTimer = init.clock.setTimeout(() => {
        this.#handshakeTimer = undefined;
        this.#timedOut(NetError.handshakeTimeout(ms));
      }, ms);
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** True once detach() handed the socket to another owner. */
  get detached(): boolean {
    return this.#detached;
  }

  get closeReason(): NetError | undefined {
    return this.#closeReason;
  }

  /** Bytes accepted by send() and not yet handed to the kernel. */
  get queuedBytes(): number {
    return this.#out.queuedBytes;
  }

  /** Bytes accepted by send() so far (before compression). */
  get bytesOut(): number {
    return this.#out.bytesOut;
  }

  /** True from crossing the high watermark until the queue falls below the low one. */
  get congested(): boolean {
    return this.#out.congested;
  }

  /** True when outgoing bytes are deflated (compressOut). */
  get compressed(): boolean {
    return this.#out.compressed;
  }

  /** Bytes received and held undecoded (in the decoder, or inflated and not yet read from zlib). */
  get bufferedIn(): number {
    return this.#decoder.buffered + (this.#inflate?.buffered ?? 0);
  }

  /** True when incoming bytes are inflated (compressIn). */
  get inflating(): boolean {
    return this.#inflate !== undefined;
  }

  /** True once the peer has half-closed: it sends nothing more, but may still read. */
  get inputEnded(): boolean {
    return this.#inputEnded;
  }

  /**
   * Queues bytes for the peer. Never throws or blocks: droppable traffic above the
   * high watermark is dropped (returns false); precious traffic that would pass
   * the hard cap closes the link as a slow consumer.
   */
  send(data: Buffer | string, opts?: { droppable?: boolean }): boolean {
    if (this.#closed) return false;
    const verdict = this.#out.offer(data, opts?.droppable === true);
    if (verdict === 'cut') this.close(NetError.slowConsumer(this.#out.queuedBytes));
    return verdict === 'send';
  }

  /** Swaps the decoder; bytes already received but not decoded move to the new one. */
  setDecoder<N>(decoder: Decoder<N>): void {
    const rest = this.#decoder.takeRest();
    for (const c of rest) decoder.push(c);
    this.#decoder = decoder;
  }

  /** Ends the handshake phase: cancels the handshake timeout. */
  handshakeDone(): void {
    this.#handshakeTimer?.cancel();
    this.#handshakeTimer = undefined;
  }

  /**
   * Both directions compressed from here on: compressOut() and compressIn().
   * Used when both sides agreed on deflate at the same point.
   */
  compress(limits?: Partial<InflateLimits>): void {
    this.compressOut();
    this.compressIn(limits);
  }

  /**
   * From now on outgoing bytes are deflated, with a sync flush after each burst
   * of sends. Gnutella negotiates each direction on its own (gnutella.md,
   * "Compression": `Content-Encoding: deflate` applies to what its sender sends).
   */
  compressOut(tuning: DeflateTuning = {}): void {
    if (this.#closed) return;
    this.#out.compress({ drain: this.#onDrain, fail: (err) => this.close(err), active: () => !this.#closed }, tuning);
  }

  /**
   * From now on incoming bytes are inflated; bytes already received after the
   * switch point count as compressed. The inflated output is bounded by
   * `limits` (a ratio to the compressed input): a deflate bomb closes the link
   * with INFLATE_LIMIT. Inflating pauses with the link.
   */
  compressIn(limits: Partial<InflateLimits> = {}, tuning: Pick<DeflateTuning, 'chunkSize'> = {}): void {
    if (this.#inflate || this.#closed) return;
    const inflate = new BoundedInflate({ data: (c) => this.#feed(c), end: () => this.#drainDecoder(), fail: (err) => this.close(err) }, limits, tuning);
    this.#inflate = inflate;
    if (this.#paused) inflate.pause();
    for (const c of this.#decoder.takeRest()) inflate.write(c);
    if (this.#inputEnded) inflate.end();
  }

  /** Stops reading from the peer (and decoding what is buffered) until resume(). */
  pause(): void {
    this.#paused = true;
    this.#socket.pause();
    this.#inflate?.pause();
  }

  resume(): void {
    if (!this.#paused || this.#closed) return;
    this.#paused = false;
    this.#socket.resume();
    this.#inflate?.resume();
    this.#drainDecoder();
  }

  /**
   * Hands the raw socket, with the bytes read but not decoded, to another owner
   * (node:http for Gnutella's HTTP, a file pipeline for an upload). The
   * connection counts as closed from here on; the socket stays open.
   */
  detach(): { socket: Socket; head: Buffer } {
    if (this.#closed) throw NetError.closed('cannot detach a closed connection');
    if (this.#out.compressed || this.#inflate) throw NetError.protocol('cannot detach a compressed connection');
    const s = this.#socket;
    s.off('data', this.#onSocketData);
    s.off('end', this.#onSocketEnd);
    s.off('error', this.#onSocketError);
    s.off('close', this.#onSocketClose);
    s.off('drain', this.#onDrain);
    s.off('timeout', this.#onIdle);
    s.setTimeout(0);
    s.pause();
    const head = Buffer.concat(this.#decoder.takeRest());
    this.#detached = true;
    this.#finish(NetError.closed('handed off'));
    return { socket: s, head };
  }

  /**
   * Closes the link with a reason. Queued data is flushed (except for a slow
   * consumer, which is cut at once); the socket is destroyed after a short grace.
   */
  close(reason?: NetError | string): void {
    if (this.#closed) return;
    const err = typeof reason === 'string' ? NetError.closed(reason) : reason;
    const s = this.#socket;
    if (err?.code === 'SLOW_CONSUMER') {
      s.destroy();
    } else {
      this.#out.end();
      this.#closeTimer = this.#clock.setTimeout(() => s.destroy(), CLOSE_GRACE_MS);
    }
    this.#finish(err);
  }

  /**
   * Closes at once, without the flush grace of close(): for a link dropped under pressure
   * (a chat link that never said HELLO, dropped for a newcomer), whose socket must stop
   * counting against the limits now. Bytes already sent are handed to the kernel first.
   */
  abort(reason: NetError): void {
    if (this.#closed) return;
    this.#out.flush();
    this.#socket.destroy();
    this.#finish(reason);
  }

  #finish(reason: NetError | undefined): void {
    this.#closed = true;
    this.#closeReason = reason;
    this.#handshakeTimer?.cancel();
    this.#handshakeTimer = undefined;
    this.#inflate?.destroy();
    this.#hooks.onClose(this, reason);
  }

  #onSocketData = (chunk: Buffer): void => {
    this.bytesIn += chunk.length;
    if (this.#closed) return;
    if (this.#inflate) this.#inflate.write(chunk);
    else this.#feed(chunk);
  };

  #feed(chunk: Buffer): void {
    if (this.#closed) return;
    this.#decoder.push(chunk);
    this.#drainDecoder();
  }

  #drainDecoder(): void {
    if (this.#feeding) return; // a handler re-entered (e.g. via resume()); the outer loop continues
    this.#feeding = true;
    try {
      while (!this.#closed && !this.#paused) {
        const msg = this.#decoder.next() as M | undefined;
        if (msg === undefined) break;
        this.#hooks.onMessage(this, msg);
      }
      if (this.#inputEnded && !this.#closed && !this.#paused && !this.#inflateBusy()) this.#handleEnd();
    } catch (err) {
      this.#fail(err);
    } finally {
      this.#feeding = false;
    }
  }

  /** Inflate still holds input that may become messages. */
  #inflateBusy(): boolean {
    return this.#inflate?.busy === true;
  }

  /**
   * End of stream, after every message before it: the last unterminated one
   * (if the format allows it), then the owner's onEnd, or a close.
   */
  #handleEnd(): void {
    if (this.#endHandled) return;
    this.#endHandled = true;
    const last = this.#decoder.end?.() as M | undefined;
    if (last !== undefined) this.#hooks.onMessage(this, last);
    if (this.#closed) return;
    if (this.#hooks.onEnd) this.#hooks.onEnd(this);
    else this.close(NetError.closed('peer closed the connection'));
  }

  #fail(err: unknown): void {
    if (err instanceof NetError) {
      this.close(err);
      return;
    }
    // A programmer error is not swallowed: it is reported as a bug, and only
    // this link pays for it.
    this.#hooks.onBug(this, err);
    this.close(NetError.protocol(`internal error: ${err instanceof Error ? err.message : String(err)}`));
  }

  /**
   * FIN from the peer means "no more requests", not "drop the answer": what it
   * sent is still decoded (once resumed, if paused), then onEnd decides.
   */
  #onSocketEnd = (): void => {
    if (this.#closed) return;
    this.#inputEnded = true;
    if (this.#inflate) this.#inflate.end();
    else this.#drainDecoder();
  };

  #onIdle = (): void => {
    this.#timedOut(NetError.idleTimeout(this.#idleMs));
  };

  #timedOut(err: NetError): void {
    if (this.#closed) return;
    let keep = false;
    try {
      keep = this.#hooks.onTimeout?.(this, err) === true;
    } catch (e) {
      this.#fail(e);
      return;
    }
    if (!keep) this.close(err);
    else if (err.code === 'IDLE_TIMEOUT') this.#socket.setTimeout(this.#idleMs);
  }

  #onSocketError = (err: Error): void => {
    if (!this.#closed) this.close(toNetError(err));
    this.#socket.destroy();
  };

  #onSocketClose = (): void => {
    this.#closeTimer?.cancel();
    if (!this.#closed) this.#finish(NetError.closed('connection lost'));
  };

  #onDrain = (): void => {
    if (!this.#out.drained() || this.#closed) return;
    try {
      this.#hooks.onDrain?.(this);
    } catch (err) {
      this.#fail(err);
    }
  };
}
