import { createServer, connect, type OnReadOpts, type Server, type Socket } from 'node:net';
import type { Direction } from '../app-api.js';
import type { Clock } from '../clock.js';
import type { Decoder } from '../codec/decoder.js';
import { NetError, toNetError } from '../errors.js';
import type { Logger } from '../log.js';
import { normalizeIp } from './address.js';
import { Connection } from './connection.js';
import { DEFAULT_QUEUE, type QueueLimits, type Timeouts } from './connection-types.js';
import type { LinkLimits, LinkCounter } from './limits.js';

/** What a plugin supplies to get a typed set of connections. */
export interface GroupHandler<M> {
  /** The link was accepted or dialled and counted. */
  onOpen?(conn: Connection<M>): void;
  /** One decoded message. A thrown NetError closes only this link with that reason. */
  onMessage(conn: Connection<M>, msg: M): void;
  onClose?(conn: Connection<M>, reason: NetError | undefined): void;
  /**
   * The peer half-closed after sending what it had (`nc -N`, HTTP clients, P+2
   * callers): end-of-stream means "no more requests", not "drop the answer".
   * Without this hook the link closes, flushing its queue; with it the plugin
   * may finish its answer and close() afterwards.
   */
  onEnd?(conn: Connection<M>): void;
  /** A congested link's send queue fell back to its low watermark: resume what was held back. */
  onDrain?(conn: Connection<M>): void;
  /**
   * The idle or handshake timeout fired (err.code IDLE_TIMEOUT or
   * HANDSHAKE_TIMEOUT). Return true to keep the link (a keep-alive ping was
   * sent; the idle timer starts over); otherwise it closes with `err`.
   */
  onTimeout?(conn: Connection<M>, err: NetError): boolean;
  /** An inbound socket over a limit: the plugin may write a last line before it is closed. */
  onRefused?(socket: Socket, reason: NetError): void;
}

export interface GroupOptions<M> {
  name: string;
  decoder(info: { direction: Direction; tag: string }): Decoder<M>;
  handler: GroupHandler<M>;
  limits?: Partial<LinkLimits>;
  timeouts?: Partial<Timeouts>;
  queue?: Partial<QueueLimits>;
}

/** Reads a dialled socket into its own buffers (net `onread`); told the socket as soon as it exists. */
export interface SocketReader {
  readonly onread: OnReadOpts;
  bind(socket: Socket): void;
}

export interface Listener {
  readonly port: number;
  readonly tag: string;
  close(): Promise<void>;
}

const DEFAULT_DIAL_TIMEOUT_MS = 10_000;
/** How long a refused socket may take to receive its parting line. */
const REFUSE_GRACE_MS = 1_000;
/**
 * Refused sockets in that grace at once, per group. Each holds a descriptor: a peer that
 * connects as fast as it can and never closes its side would otherwise hold one per
 * connection a second. Past the cap a refused socket is cut at once, without the line
 * (a burst of 200 clones of one Napster user still hears why, each).
 */
export const MAX_REFUSING = 256;

/**
 * One plugin's typed set of connections: its listeners (any number, each with a
 * tag), its dials, its limits, and the one handler its messages go to.
 */
export class ConnectionGroup<M = unknown> {
  readonly name: string;
  readonly #opts: GroupOptions<M>;
  readonly #limits: LinkLimits;
  readonly #timeouts: Timeouts;
  readonly #queue: QueueLimits;
  readonly #conns = new Set<Connection<M>>();
  readonly #servers = new Set<Server>();
  readonly #tags = new WeakMap<Server, string>();
  readonly #pending = new Set<Socket>();
  /** Refused sockets given their parting line's grace (at most MAX_REFUSING). */
  readonly #refusing = new Set<Socket>();
  /** Sockets detached from their Connection (node:http, a file pipeline): still counted until they close. */
  readonly #handedOff = new Set<Socket>();
  /** Live links per direction and per remote IP, kept as links come and go. */
  readonly #byDirection = { in: 0, out: 0 };
  readonly #byIp = new Map<string, number>();
  #closing = false;

  constructor(
    opts: GroupOptions<M>,
    private readonly counter: LinkCounter,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly nextId: () => number,
  ) {
    this.name = opts.name;
    this.#opts = opts;
    this.#limits = {
      maxInbound: opts.limits?.maxInbound ?? Infinity,
      maxOutbound: opts.limits?.maxOutbound ?? Infinity,
      perIp: opts.limits?.perIp ?? Infinity,
    };
    this.#timeouts = { handshakeMs: opts.timeouts?.handshakeMs ?? 10_000, idleMs: opts.timeouts?.idleMs ?? 0 };
    this.#queue = { ...DEFAULT_QUEUE, ...opts.queue };
  }

  get connections(): ReadonlySet<Connection<M>> {
    return this.#conns;
  }

  count(direction: Direction): number {
    return this.#byDirection[direction];
  }

  /**
   * The listeners open now: tag, bound address and port (peer-name records list every
   * protocol's listening endpoints, protocols/chat/names).
   */
  listening(): { tag: string; host: string; port: number }[] {
    const out: { tag: string; host: string; port: number }[] = [];
    for (const server of this.#servers) {
      const a = server.address();
      if (typeof a === 'object' && a) out.push({ tag: this.#tags.get(server) ?? 'main', host: a.address, port: a.port });
    }
    return out;
  }

  countIp(ip: string): number {
    return this.#byIp.get(ip) ?? 0;
  }

  /** Starts a listener; port 0 picks a free one (read it from the result). */
  async listen(port: number, opts: { host?: string; tag?: string } = {}): Promise<Listener> {
    const tag = opts.tag ?? 'main';
    // Half-open allowed: a peer's FIN ends its requests, our answer still goes out.
    const server = createServer({ noDelay: true, allowHalfOpen: true }, (socket) => this.#accept(socket, tag));
    server.on('error', (err) => this.log.warn(`${this.name} listener ${tag}: ${err.message}`));
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(toNetError(err));
      server.once('error', onError);
      server.listen({ port, host: opts.host }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    this.#servers.add(server);
    this.#tags.set(server, tag);
    const addr = server.address();
    const bound = typeof addr === 'object' && addr ? addr.port : port;
    return {
      port: bound,
      tag,
      close: () => this.#closeServer(server),
    };
  }

  /**
   * Dials out; resolves once connected and counted, rejects with a NetError.
   * `signal` aborts a dial in flight (its reason, if a NetError, is the
   * rejection); a link already handed over is the caller's to close.
   * `reader` reads the socket into its own buffers (`onread`, which only
   * works when given at creation: a download's SocketSink).
   */
  dial(host: string, port: number, opts: { tag?: string; timeoutMs?: number; signal?: AbortSignal; reader?: SocketReader } = {}): Promise<Connection<M>> {
    if (this.#closing) return Promise.reject(NetError.closed('shutting down'));
    const signal = opts.signal;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const refusal = this.#checkLimits('out', host);
    if (refusal) return Promise.reject(refusal);
    const timeoutMs = opts.timeoutMs ?? DEFAULT_DIAL_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true, allowHalfOpen: true, ...(opts.reader ? { onread: opts.reader.onread } : {}) });
      opts.reader?.bind(socket);
      this.#pending.add(socket);
      this.counter.add('out', 1);
      let settled = false;
      // The timeout is checked after the poll phase (setImmediate), not in the timer itself: after the
      // event loop was busy past the deadline, a connect the kernel completed meanwhile is still waiting
      // to be read, and it wins over a timer that fell due while nobody was looking.
      const timer = this.clock.setTimeout(
        () => setImmediate(() => fail(NetError.timeout(`connect to ${host}:${port}`, timeoutMs))),
        timeoutMs,
      );
      const onAbort = (): void => fail(abortReason(signal!));
      signal?.addEventListener('abort', onAbort, { once: true });
      const fail = (err: NetError): void => {
        if (settled) return;
        settled = true;
        timer.cancel();
        signal?.removeEventListener('abort', onAbort);
        this.#pending.delete(socket);
        this.counter.add('out', -1);
        socket.destroy();
        reject(err);
      };
      socket.once('error', (err) => fail(toNetError(err)));
      // close() destroys pending dials without an 'error': settle at once, not at the timeout.
      socket.once('close', () => fail(NetError.closed('dial aborted')));
      socket.once('connect', () => {
        if (settled) return;
        settled = true;
        timer.cancel();
        signal?.removeEventListener('abort', onAbort);
        this.#pending.delete(socket);
        socket.removeAllListeners('error');
        socket.removeAllListeners('close');
        if (this.#closing) {
          this.counter.add('out', -1);
          socket.destroy();
          reject(NetError.closed('shutting down'));
          return;
        }
        resolve(this.#adopt(socket, 'out', opts.tag ?? 'main'));
      });
    });
  }

  /** Sends to every link but `except`; returns how many took it. */
  broadcast(data: Buffer | string, except?: Connection<M>, opts?: { droppable?: boolean }): number {
    let n = 0;
    for (const c of this.#conns) if (c !== except && c.send(data, opts)) n++;
    return n;
  }

  /** Closes every listener and every link (pending dials, handed-off and refused sockets included). */
  async close(): Promise<void> {
    this.#closing = true;
    for (const c of [...this.#conns]) c.close(NetError.closed('shutting down'));
    for (const s of this.#pending) s.destroy();
    for (const s of this.#handedOff) s.destroy();
    // A refused socket in its parting line's grace: the listener would wait out that grace to close.
    for (const s of this.#refusing) s.destroy();
    await Promise.all([...this.#servers].map((s) => this.#closeServer(s)));
  }

  #closeServer(server: Server): Promise<void> {
    this.#servers.delete(server);
    return new Promise((resolve) => server.close(() => resolve()));
  }

  #accept(socket: Socket, tag: string): void {
    socket.on('error', () => socket.destroy()); // until adopted: never an unhandled 'error'
    const ip = normalizeIp(socket.remoteAddress);
    const refusal = this.#closing ? NetError.closed('shutting down') : this.#checkLimits('in', ip);
    if (refusal) {
      this.log.debug(`${this.name}: refused ${ip}: ${refusal.message}`);
      if (this.#refusing.size >= MAX_REFUSING) {
        socket.destroy();
        return;
      }
      try {
        this.#opts.handler.onRefused?.(socket, refusal);
      } catch (err) {
        this.log.error(`${this.name}: onRefused failed: ${String(err)}`);
      }
      socket.end();
      this.#refusing.add(socket);
      const t = this.clock.setTimeout(() => socket.destroy(), REFUSE_GRACE_MS);
      socket.once('close', () => {
        t.cancel();
        this.#refusing.delete(socket);
      });
      return;
    }
    socket.removeAllListeners('error');
    this.counter.add('in', 1);
    this.#adopt(socket, 'in', tag);
  }

  #checkLimits(direction: Direction, ip: string): NetError | undefined {
    const max = direction === 'in' ? this.#limits.maxInbound : this.#limits.maxOutbound;
    const pending = direction === 'out' ? this.#pending.size : 0;
    if (this.count(direction) + pending >= max) {
      return NetError.limit(`${this.name}: ${direction === 'in' ? 'inbound' : 'outbound'} link limit (${max}) reached`);
    }
    if (direction === 'in' && this.countIp(ip) >= this.#limits.perIp) {
      return NetError.limit(`${this.name}: too many links from ${ip} (limit ${this.#limits.perIp})`);
    }
    return this.counter.check(direction, ip);
  }

  #adopt(socket: Socket, direction: Direction, tag: string): Connection<M> {
    const handler = this.#opts.handler;
    const conn: Connection<M> = new Connection<M>({
      id: this.nextId(),
      group: this.name,
      direction,
      tag,
      socket,
      decoder: this.#opts.decoder({ direction, tag }),
      clock: this.clock,
      timeouts: this.#timeouts,
      queue: this.#queue,
      hooks: {
        onMessage: (c, m) => this.#opts.handler.onMessage(c, m),
        ...(handler.onEnd ? { onEnd: (c: Connection<M>) => handler.onEnd?.(c) } : {}),
        onDrain: (c) => handler.onDrain?.(c),
        onTimeout: (c, err) => handler.onTimeout?.(c, err) === true,
        onClose: (c, reason) => {
          if (!this.#conns.delete(c)) return;
          // The link is gone for the plugin now; its socket counts against the
          // limits until it has really closed (a closing flush, a handed-off upload).
          const release = (): void => {
            this.#handedOff.delete(socket);
            this.#byDirection[direction]--;
            const left = (this.#byIp.get(c.remoteAddress) ?? 1) - 1;
            if (left > 0) this.#byIp.set(c.remoteAddress, left);
            else this.#byIp.delete(c.remoteAddress);
            this.counter.add(direction, -1);
            this.counter.release(c.remoteAddress);
          };
          // A destroyed socket (an aborted link) is released at once: its descriptor is going.
          if (socket.closed || socket.destroyed) release();
          else {
            if (c.detached) this.#handedOff.add(socket);
            socket.once('close', release);
          }
          if (reason && reason.code !== 'CLOSED') this.log.info(`${this.name} ${c.address}: closed: ${reason.code}: ${reason.message}`);
          this.#opts.handler.onClose?.(c, reason);
        },
        onBug: (c, err) => {
          this.log.error(`${this.name} ${c.address}: handler bug: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        },
      },
    });
    this.#conns.add(conn);
    this.#byDirection[direction]++;
    this.#byIp.set(conn.remoteAddress, (this.#byIp.get(conn.remoteAddress) ?? 0) + 1);
    this.counter.claim(conn.remoteAddress);
    this.#opts.handler.onOpen?.(conn);
    return conn;
  }
}

function abortReason(signal: AbortSignal): NetError {
  return signal.reason instanceof NetError ? signal.reason : NetError.closed('dial aborted');
}
