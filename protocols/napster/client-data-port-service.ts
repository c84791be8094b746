import type { Socket } from 'node:net';
import { basename } from 'node:path/posix';
import type { Clock, Timer } from '../../src/clock.js';
import { NetError, toNetError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { ConnectionGroup, Listener } from '../../src/net/connection-group.js';
import type { Connection } from '../../src/net/connection.js';
import type { ConnectionManager } from '../../src/net/connection-manager.js';
import { SocketSink } from '../../src/transfer/socket-sink.js';
import * as C from './client-constants.js';
import * as W from './constants.js';
import { MAX_BROWSE_LIST_BYTES, parseBrowseList, type BrowseList } from './client-browse-list.js';
import { DataPortDecoder, encodeGetRequest, encodeSendRequest, type DataMessage } from './client-data-port.js';

/** A GET that arrived on our data port (someone downloads from us). */
export interface IncomingGet {
  nick: string;
  wirePath: string;
  offset: number;
}

/** A stream of file bytes handed to the transfer engine (with the sink that reads it, for a GET we dialled). */
export interface OpenedStream {
  stream: Socket;
  start: number;
  total: number;
  sink?: SocketSink;
}

interface PushWaiter {
  nick: string;
  wirePath: string;
  size: number;
  offset: number;
  resolve(s: OpenedStream): void;
}

interface ListWaiter {
  nick: string;
  resolve(list: BrowseList): void;
}

interface DataConn {
  decoder: DataPortDecoder;
  settle: Timer | undefined;
  waiting: { resolve(m: DataMessage): void; reject(e: NetError): void } | undefined;
  queued: DataMessage[];
}

/** Where the data-port service sends what it cannot decide itself. */
export interface DataPortHooks {
  /** A GET for one of our files; the service has detached the socket (head bytes pushed back). */
  serveGet(req: IncomingGet, socket: Socket): void;
  /** GETLIST: write our share list to the (detached) socket and end it. */
  serveList(socket: Socket): void;
}

/**
 * The client-to-client half of Napster (napster.md §6.2): our data port
 * (GET from downloaders, SEND from firewalled uploaders answering our push),
 * and the outbound GET and push connections. Request headers are read by the
 * pure DataPortDecoder; a number with no terminator is settled after a short
 * quiet time. Once the header phase is over the socket is detached and the
 * transfer engine moves the bytes.
 */
export class DataPortService {
  readonly #group: ConnectionGroup<DataMessage>;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #hooks: DataPortHooks;
  readonly #conns = new Map<Connection<DataMessage>, DataConn>();
  readonly #pushes = new Set<PushWaiter>();
  readonly #lists = new Set<ListWaiter>();
  readonly #detached = new Set<Socket>();
  #listener: Listener | undefined;

  readonly #timeouts: C.ClientTimeouts;

  constructor(net: ConnectionManager, clock: Clock, log: Logger, hooks: DataPortHooks, timeouts: C.ClientTimeouts = C.DEFAULT_TIMEOUTS) {
    this.#timeouts = timeouts;
    this.#clock = clock;
    this.#log = log;
    this.#hooks = hooks;
    this.#group = net.group<DataMessage>({
      name: 'napster-data',
      decoder: ({ direction }) => new DataPortDecoder(direction === 'in' ? { role: 'listener' } : { role: 'push' }),
      handler: {
        onOpen: (conn) => this.#opened(conn),
        onMessage: (conn, msg) => this.#message(conn, msg),
        onClose: (conn, reason) => this.#closed(conn, reason),
      },
      limits: { maxInbound: 64, perIp: 8, maxOutbound: 64 },
      timeouts: { handshakeMs: timeouts.dataHandshakeMs, idleMs: 0 },
    });
  }

  /** Our data port, or 0 when we have none (firewalled). */
  get port(): number {
    return this.#listener?.port ?? 0;
  }

  async listen(port: number, host?: string): Promise<number> {
    this.#listener = await this.#group.listen(port, { host, tag: 'data' });
    return this.#listener.port;
  }

  async stop(): Promise<void> {
    for (const w of this.#pushes) this.#pushes.delete(w);
    this.#lists.clear();
    for (const s of this.#detached) s.destroy();
    await this.#group.close();
  }

  /**
   * GET from an uploader's data port (§6.2): wait for its `1`, send our
   * request, read the size with exactly the digits of the size we were told,
   * and hand back the stream from `offset`. The socket is a SocketSink's:
   * once the header is read the transfer engine moves the file with it.
   */
  async openGet(ip: string, port: number, nick: string, wirePath: string, offset: number, size: number, signal: AbortSignal): Promise<OpenedStream> {
    const sink = new SocketSink();
    const conn = await this.#group.dial(ip, port, { tag: 'get', timeoutMs: C.CONNECT_TIMEOUT_MS, reader: sink });
    const onAbort = (): void => conn.close(toNetError(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const dc = this.#conns.get(conn)!;
      dc.decoder = new DataPortDecoder({ role: 'get', sizeDigits: String(size).length });
      conn.setDecoder(dc.decoder);
      await this.#expect(conn, 'hello');
      conn.send(encodeGetRequest(nick, wirePath, offset));
      const m = await this.#expect(conn, 'number');
      if (m.kind !== 'number') throw NetError.protocol('no size');
      if (m.value !== size) throw NetError.size(`${ip}:${port} announces ${m.value} bytes, the server said ${size}`);
      return { stream: this.#detach(conn), start: offset, total: m.value, sink };
    } catch (err) {
      conn.close(toNetError(err));
      throw toNetError(err);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Waits for a firewalled uploader to connect and SEND the file (§6.1 push).
   * It is matched leniently (§6.3): same nick, and the same path or, as
   * MP3::Napster sends only the base name, the same base name and size.
   */
  expectPush(nick: string, wirePath: string, size: number, offset: number, signal: AbortSignal): Promise<OpenedStream> {
    if (this.#pushes.size >= C.MAX_PENDING_REQUESTS) return Promise.reject(NetError.limit('too many pushes waiting'));
    return new Promise((resolve, reject) => {
      const done = (): void => {
        timer.cancel();
        this.#pushes.delete(w);
        signal.removeEventListener('abort', onAbort);
      };
      const w: PushWaiter = {
        nick,
        wirePath,
        size,
        offset,
        resolve: (s) => {
          done();
          resolve(s);
        },
      };
      const timer = this.#clock.setTimeout(() => {
        done();
        reject(NetError.timeout(`${nick} never connected to push the file`, this.#timeouts.pushMs));
      }, this.#timeouts.pushMs);
      const onAbort = (): void => {
        done();
        reject(toNetError(signal.reason));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#pushes.add(w);
    });
  }

  /**
   * The firewalled uploader's side of a push (501): connect to the
   * downloader, SEND our header, read the offset it wants, return the socket.
   */
  async openPush(ip: string, port: number, ourNick: string, wirePath: string, size: number): Promise<{ socket: Socket; offset: number }> {
    const conn = await this.#group.dial(ip, port, { tag: 'push', timeoutMs: C.CONNECT_TIMEOUT_MS });
    try {
      await this.#expect(conn, 'hello');
      conn.send(encodeSendRequest(ourNick, wirePath, size));
      const m = await this.#expect(conn, 'number');
      if (m.kind !== 'number') throw NetError.protocol('no offset');
      if (m.value > size) throw NetError.protocol(`downloader asked for offset ${m.value} of a ${size}-byte file`);
      return { socket: this.#detach(conn), offset: m.value };
    } catch (err) {
      conn.close(toNetError(err));
      throw toNetError(err);
    }
  }

  /**
   * Direct browse (§6.2): connect to a browsee's data port, take its `1`,
   * send GETLIST and read the list until it closes (at most
   * MAX_BROWSE_LIST_BYTES, within `ms`).
   */
  async openBrowse(ip: string, port: number, ms: number, signal: AbortSignal): Promise<BrowseList> {
    const conn = await this.#group.dial(ip, port, { tag: 'browse', timeoutMs: C.CONNECT_TIMEOUT_MS });
    const onAbort = (): void => conn.close(toNetError(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const dc = this.#conns.get(conn)!;
      dc.decoder = new DataPortDecoder({ role: 'browse' });
      conn.setDecoder(dc.decoder);
      await this.#expect(conn, 'hello');
      conn.send(W.DATA_GETLIST);
      const list = parseBrowseList(await this.#readAll(this.#detach(conn), ms, signal), C.MAX_BROWSE_ENTRIES);
      if (!list) throw NetError.protocol(`${ip}:${port} sent no share list`);
      return list;
    } catch (err) {
      conn.close(toNetError(err));
      throw toNetError(err);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Waits for `nick` to push its list to our data port (a firewalled browsee, §6.2). */
  expectListPush(nick: string, ms: number, signal: AbortSignal): Promise<BrowseList> {
    if (this.#lists.size >= C.MAX_PENDING_REQUESTS) return Promise.reject(NetError.limit('too many browses waiting'));
    return new Promise((resolve, reject) => {
      const done = (): void => {
        timer.cancel();
        this.#lists.delete(w);
        signal.removeEventListener('abort', onAbort);
      };
      const w: ListWaiter = { nick: nick.toLowerCase(), resolve: (l) => (done(), resolve(l)) };
      const timer = this.#clock.setTimeout(() => (done(), reject(NetError.timeout(`${nick} never sent its list`, ms))), ms);
      const onAbort = (): void => (done(), reject(toNetError(signal.reason)));
      signal.addEventListener('abort', onAbort, { once: true });
      this.#lists.add(w);
    });
  }

  /** A firewalled browsee's side: connect to the requester, take its `1`, send `SENDLIST <nick>` and the list, close. */
  async pushList(ip: string, port: number, body: Buffer): Promise<void> {
    const conn = await this.#group.dial(ip, port, { tag: 'sendlist', timeoutMs: C.CONNECT_TIMEOUT_MS });
    try {
      const dc = this.#conns.get(conn)!;
      dc.decoder = new DataPortDecoder({ role: 'browse' });
      conn.setDecoder(dc.decoder);
      await this.#expect(conn, 'hello');
      this.#detach(conn).end(body);
    } catch (err) {
      conn.close(toNetError(err));
      throw toNetError(err);
    }
  }

  /** Every byte of a detached socket until it ends, at most MAX_BROWSE_LIST_BYTES, within `ms`. */
  #readAll(socket: Socket, ms: number, signal?: AbortSignal, head: Buffer = Buffer.alloc(0)): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [head];
      let bytes = head.length;
      const finish = (err?: NetError): void => {
        timer.cancel();
        signal?.removeEventListener('abort', onAbort);
        socket.off('data', onData);
        socket.destroy();
        if (err) reject(err);
        else resolve(Buffer.concat(chunks));
      };
      const onData = (c: Buffer): void => {
        chunks.push(c);
        bytes += c.length;
        if (bytes >= MAX_BROWSE_LIST_BYTES) finish();
      };
      const onAbort = (): void => finish(toNetError(signal?.reason));
      const timer = this.#clock.setTimeout(() => finish(NetError.timeout('share list not finished', ms)), ms);
      signal?.addEventListener('abort', onAbort, { once: true });
      // The peer may have sent its FIN with the list (the 'end' already went to the connection).
      if (socket.readableEnded || socket.destroyed || bytes >= MAX_BROWSE_LIST_BYTES) return finish();
      socket.on('data', onData);
      socket.once('end', () => finish());
      socket.once('close', () => finish());
      socket.resume();
    });
  }

  /** A list pushed to our data port after SENDLIST: read it, then hand it to the browse waiting for that nick. */
  #listPushed(conn: Connection<DataMessage>): void {
    this.#conns.get(conn)?.settle?.cancel();
    const { socket, head } = conn.detach();
    socket.on('error', (err) => this.#log.debug(`napster data socket: ${err.message}`));
    this.#readAll(socket, this.#timeouts.queryMs, undefined, head).then(
      (bytes) => {
        const list = parseBrowseList(bytes, C.MAX_BROWSE_ENTRIES);
        const w = list && [...this.#lists].find((x) => x.nick === list.nick.toLowerCase());
        if (w && list) w.resolve(list);
        else this.#log.info(`a share list nobody asked for${list ? ` from ${list.nick}` : ''} was dropped`);
      },
      (err: unknown) => this.#log.info(`pushed share list: ${toNetError(err).message}`),
    );
  }

  #opened(conn: Connection<DataMessage>): void {
    const decoder = new DataPortDecoder(conn.direction === 'in' ? { role: 'listener' } : { role: 'push' });
    conn.setDecoder(decoder);
    this.#conns.set(conn, { decoder, settle: undefined, waiting: undefined, queued: [] });
    if (conn.direction === 'in') conn.send(Buffer.from([W.DATA_HELLO]));
  }

  #message(conn: Connection<DataMessage>, msg: DataMessage): void {
    const dc = this.#conns.get(conn);
    if (!dc) return;
    dc.settle?.cancel();
    if (msg.kind === 'pending') {
      dc.settle = this.#clock.setTimeout(() => {
        try {
          const m = dc.decoder.settle();
          if (m) this.#message(conn, m);
        } catch (err) {
          conn.close(toNetError(err));
        }
      }, C.NUMBER_SETTLE_MS);
      return;
    }
    if (conn.direction === 'in' && msg.kind === 'request') return this.#request(conn, msg);
    if (conn.direction === 'in' && msg.kind === 'list-request') return this.#hooks.serveList(this.#detach(conn));
    if (conn.direction === 'in' && msg.kind === 'list-push') return this.#listPushed(conn);
    if (msg.kind === 'refusal') {
      const err = NetError.refused(`peer says: ${msg.text || '(nothing)'}`);
      if (dc.waiting) dc.waiting.reject(err);
      conn.close(err);
      return;
    }
    if (dc.waiting) {
      const w = dc.waiting;
      dc.waiting = undefined;
      w.resolve(msg);
    } else dc.queued.push(msg);
  }

  #closed(conn: Connection<DataMessage>, reason: NetError | undefined): void {
    const dc = this.#conns.get(conn);
    this.#conns.delete(conn);
    dc?.settle?.cancel();
    dc?.waiting?.reject(reason ?? NetError.closed('data connection closed'));
  }

  /** The next message of a kind on an outbound data connection (the handshake timeout bounds the wait). */
  #expect(conn: Connection<DataMessage>, kind: 'hello' | 'number'): Promise<DataMessage> {
    const dc = this.#conns.get(conn);
    if (!dc || conn.closed) return Promise.reject(conn.closeReason ?? NetError.closed('data connection closed'));
    const queued = dc.queued.shift();
    const check = (m: DataMessage): DataMessage => {
      if (m.kind !== kind) throw NetError.protocol(`expected ${kind} on the data port, got ${m.kind}`);
      return m;
    };
    if (queued) return Promise.resolve(queued).then(check);
    return new Promise<DataMessage>((resolve, reject) => (dc.waiting = { resolve, reject })).then(check);
  }

  #request(conn: Connection<DataMessage>, req: Extract<DataMessage, { kind: 'request' }>): void {
    if (req.command === 'GET') {
      const socket = this.#detach(conn);
      this.#hooks.serveGet({ nick: req.nick, wirePath: req.path, offset: req.value }, socket);
      return;
    }
    const w = this.#matchPush(req.nick, req.path, req.value);
    if (!w) {
      this.#log.info(`push from ${req.nick} for ${JSON.stringify(req.path.slice(0, 80))} that we never asked for`);
      conn.send('FILE NOT REQUESTED');
      conn.close(NetError.refused('unexpected push'));
      return;
    }
    conn.send(String(w.offset));
    w.resolve({ stream: this.#detach(conn), start: w.offset, total: req.value });
  }

  #matchPush(nick: string, wirePath: string, size: number): PushWaiter | undefined {
    const n = nick.toLowerCase();
    const base = (p: string): string => basename(p.replace(/\\/g, '/'));
    let lenient: PushWaiter | undefined;
    for (const w of this.#pushes) {
      if (w.nick.toLowerCase() !== n) continue;
      if (w.wirePath === wirePath) return w;
      if (!lenient && base(w.wirePath) === base(wirePath) && w.size === size) lenient = w;
    }
    return lenient;
  }

  /** Takes the socket over from the connection (bytes already read go back in front). */
  #detach(conn: Connection<DataMessage>): Socket {
    this.#conns.get(conn)?.settle?.cancel();
    const { socket, head } = conn.detach();
    this.#detached.add(socket);
    socket.on('error', (err) => this.#log.debug(`napster data socket: ${err.message}`));
    socket.once('close', () => this.#detached.delete(socket));
    if (head.length > 0) socket.unshift(head);
    return socket;
  }
}
