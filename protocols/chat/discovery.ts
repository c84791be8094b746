/**
 * LAN discovery by UDP multicast (specs/chat.md "LAN discovery"): every node announces
 * `peerdeck-chat/1 <node-id> <mesh> <port> <nick>` at start-up and every few seconds,
 * and reports announcements of other nodes in its mesh so the plugin can dial them.
 * Group, port and interface are configurable so tests run on loopback with a random port.
 */
import dgram from 'node:dgram';
import type { Clock, Timer } from '../../src/clock.js';
import { formatHostPort, normalizeIp } from '../../src/net/address.js';
import { ANNOUNCE_INTERVAL_MS, CHAT_VERSION, MAX_DATAGRAM_BYTES, MULTICAST_GROUP, MULTICAST_PORT } from './constants.js';
import { isMeshName, isNick } from './text.js';

/** One discovery datagram's fields (spec "LAN discovery"). */
export interface Announcement {
  node: string;
  mesh: string;
  port: number;
  nick: string;
}

/**
 * People Near Me rides on discovery (near-me.ts): its presence goes out with every
 * announcement, and datagrams that are not announcements are offered to it.
 */
export interface DiscoveryExtra {
  presence(): string | undefined;
  /** True when the datagram was one of its own. */
  receive(data: Buffer, from: string): boolean;
  /** Called on every announcement tick. */
  tick(): void;
}

/** Where to announce and listen; defaults 239.255.63.50:6350, OS-chosen interface, every 5 s. */
export interface DiscoveryOptions {
  group?: string;
  port?: number;
  /** Local interface address for membership and sending, e.g. '127.0.0.1' in tests. */
  interface?: string;
  intervalMs?: number;
}

const NODE_RE = /^[A-Za-z0-9_-]{1,64}$/;
const PORT_RE = /^[0-9]{1,5}$/;

/** `peerdeck-chat/1 <node-id> <mesh> <port> <nick>` */
export function formatAnnouncement(a: Announcement): string {
  return `${CHAT_VERSION} ${a.node} ${a.mesh} ${a.port} ${a.nick}`;
}

/** Parses a datagram; undefined for anything that is not a well-formed announcement. */
export function parseAnnouncement(data: Buffer): Announcement | undefined {
  if (data.length > MAX_DATAGRAM_BYTES) return undefined;
  const parts = data.toString('utf8').trim().split(' ');
  if (parts.length !== 5) return undefined;
  const [version, node, mesh, port, nick] = parts as [string, string, string, string, string];
  if (version !== CHAT_VERSION || !NODE_RE.test(node) || !isMeshName(mesh) || !isNick(nick)) return undefined;
  if (!PORT_RE.test(port) || Number(port) < 1 || Number(port) > 65535) return undefined;
  return { node, mesh, port: Number(port), nick };
}

/**
 * The multicast socket. `onPeer` receives `host:port` of announced nodes of our mesh,
 * never our own node. Socket errors are logged through `onError` and stop nothing else.
 */
export class Discovery {
  #socket: dgram.Socket | undefined;
  #timer: Timer | undefined;
  readonly #group: string;
  readonly #port: number;
  readonly #iface: string | undefined;
  readonly #intervalMs: number;

  constructor(
    opts: DiscoveryOptions,
    private readonly self: () => Announcement,
    private readonly onPeer: (address: string, a: Announcement) => void,
    private readonly onError: (err: Error) => void,
    private readonly clock: Clock,
    private readonly extra?: DiscoveryExtra,
  ) {
    this.#group = opts.group ?? MULTICAST_GROUP;
    this.#port = opts.port ?? MULTICAST_PORT;
    this.#iface = opts.interface;
    this.#intervalMs = opts.intervalMs ?? ANNOUNCE_INTERVAL_MS;
  }

  async start(): Promise<void> {
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    this.#socket = socket;
    socket.on('error', (err) => this.onError(err));
    socket.on('message', (data, rinfo) => this.#receive(data, rinfo.address));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.#port, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.addMembership(this.#group, this.#iface);
    if (this.#iface !== undefined) socket.setMulticastInterface(this.#iface);
    socket.setMulticastLoopback(true);
    socket.setMulticastTTL(1);
    socket.unref();
    this.announce();
    this.#timer = this.clock.setInterval(() => this.announce(), this.#intervalMs);
  }

  /** Sends one announcement now. */
  announce(): void {
    const s = this.#socket;
    if (!s) return;
    s.send(formatAnnouncement(this.self()), this.#port, this.#group, (err) => {
      if (err) this.onError(err);
    });
    const p = this.extra?.presence();
    if (p !== undefined) this.send(p);
    this.extra?.tick();
  }

  /** Sends one datagram to the group (People Near Me). */
  send(datagram: string): void {
    this.#socket?.send(datagram, this.#port, this.#group, (err) => {
      if (err) this.onError(err);
    });
  }

  #receive(data: Buffer, from: string): void {
    if (this.extra?.receive(data, from) === true) return;
    const a = parseAnnouncement(data);
    const me = this.self();
    if (!a || a.node === me.node || a.mesh !== me.mesh) return;
    this.onPeer(formatHostPort(normalizeIp(from), a.port), a);
  }

  async stop(): Promise<void> {
    this.#timer?.cancel();
    this.#timer = undefined;
    const s = this.#socket;
    this.#socket = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
