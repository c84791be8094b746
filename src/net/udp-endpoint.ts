import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { isIP } from 'node:net';
import { toNetError } from '../errors.js';
import type { Logger } from '../log.js';
import { normalizeIp } from './address.js';

/** Where a datagram came from. */
export interface UdpPeer {
  address: string;
  port: number;
}

/** What a plugin asks for: a port (0 = any; a TCP port's number to share it), and its handler. */
export interface UdpOptions {
  port: number;
  host?: string;
  /** Larger datagrams are dropped unread (default 64 KiB). */
  maxDatagram?: number;
  /** Datagrams sent per second at most; more are dropped (default 200). */
  maxSendPerSecond?: number;
  /** One datagram. A throw is logged and the datagram dropped; the socket stays. */
  onMessage(msg: Buffer, from: UdpPeer): void;
}

const DEFAULT_MAX_DATAGRAM = 64 * 1024;
const DEFAULT_SEND_RATE = 200;

/**
 * A UDP socket owned by a plugin (Gnutella pings, pongs and UDP host caches on
 * the same port number as its TCP listener). The core owns the socket: a bad
 * datagram or a handler error drops that datagram only; sending never throws
 * and is rate-capped, so a flood of requests cannot turn us into an amplifier.
 */
export class UdpEndpoint {
  readonly #socket: DgramSocket;
  readonly #opts: UdpOptions;
  readonly #log: Logger;
  #windowStart = 0;
  #sentInWindow = 0;
  #closed = false;
  received = 0;
  dropped = 0;
  sent = 0;

  private constructor(socket: DgramSocket, opts: UdpOptions, log: Logger) {
    this.#socket = socket;
    this.#opts = opts;
    this.#log = log;
  }

  /** Binds the socket; rejects with a NetError (a port in use, a bad address). */
  static async bind(opts: UdpOptions, log: Logger): Promise<UdpEndpoint> {
    const host = opts.host && opts.host !== '' ? opts.host : undefined;
    const socket = createSocket({ type: host && isIP(host) === 6 ? 'udp6' : 'udp4' });
    const ep = new UdpEndpoint(socket, opts, log);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (err) => reject(toNetError(err)));
      socket.bind({ port: opts.port, ...(host ? { address: host } : {}) }, () => {
        socket.removeAllListeners('error');
        socket.on('error', (err) => log.warn(`udp: ${err.message}`));
        resolve();
      });
    });
    socket.on('message', (msg, rinfo) => ep.#onMessage(msg, rinfo.address, rinfo.port));
    return ep;
  }

  get port(): number {
    return this.#socket.address().port;
  }

  #onMessage(msg: Buffer, address: string, port: number): void {
    if (msg.length > (this.#opts.maxDatagram ?? DEFAULT_MAX_DATAGRAM)) {
      this.dropped++;
      return;
    }
    this.received++;
    try {
      this.#opts.onMessage(msg, { address: normalizeIp(address), port });
    } catch (err) {
      this.dropped++;
      this.#log.debug(`udp: datagram from ${address}:${port} dropped: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Sends one datagram; false when closed or over the send rate. Errors are logged, never thrown. */
  send(data: Buffer, host: string, port: number): boolean {
    if (this.#closed || port < 1 || port > 65_535) return false;
    const now = Date.now();
    if (now - this.#windowStart >= 1000) {
      this.#windowStart = now;
      this.#sentInWindow = 0;
    }
    if (this.#sentInWindow >= (this.#opts.maxSendPerSecond ?? DEFAULT_SEND_RATE)) return false;
    this.#sentInWindow++;
    this.sent++;
    this.#socket.send(data, port, host, (err) => {
      if (err) this.#log.debug(`udp: send to ${host}:${port}: ${err.message}`);
    });
    return true;
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }
}
