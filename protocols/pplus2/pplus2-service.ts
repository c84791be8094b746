import type { Socket } from 'node:net';
import type { Clock, Timer } from '../../src/clock.js';
import { LineDecoder } from '../../src/codec/line-decoder.js';
import { NetError, toNetError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { HostCache } from '../../src/peers/host-cache.js';
import type { ConnectionGroup, Listener, SocketReader } from '../../src/net/connection-group.js';
import type { Connection } from '../../src/net/connection.js';
import type { PluginContext } from '../../src/plugin.js';
import type { FileHit } from '../../src/search/file-protocol.js';
import type { SearchQuery } from '../../src/search/search-query.js';
import { checkRemoteName } from '../../src/share/remote-name.js';
import type { ShareLibrary } from '../../src/share/share-library.js';
import type { TransferEngine } from '../../src/transfer/transfer-engine.js';
import { SocketSink } from '../../src/transfer/socket-sink.js';
import { plural } from '../../src/words.js';
import type { DownloadSource } from '../../src/transfer/transfer-types.js';
import { ADDPEER_USAGE, encodeAnswer, encodeLine, formatPeerAddress, parsePeerAddress, peerAddressProblem, type PeerAddress } from './codec.js';
import * as C from './constants.js';
import { Exchanges, type ExchangeResult } from './exchanges.js';
import { listenTriple } from './listeners.js';
import { encodeMetaLines, parseAnswer } from './meta.js';
import { PeerList, RateGate } from './peer-list.js';

/** The plugin options, as the service uses them (see Pplus2PluginOptions). */
export interface Pplus2ServiceOptions {
  port: number;
  host?: string;
  advertiseHost?: string;
  peers: string[];
  maxDownloadBytes?: number;
}

/**
 * What a P+2 hit's `ref` holds: the peer's `ip:p` (its base port) and the
 * name as it sent it. JSON-serialisable, so a persisted download can be
 * revived after a restart.
 */
export interface Pplus2Ref {
  peer: string;
  name: string;
}

/** Reads a ref back (it may come from a state file): undefined when it is not a P+2 ref. */
export function parseRef(ref: unknown): { peer: PeerAddress; name: string } | undefined {
  if (typeof ref !== 'object' || ref === null) return undefined;
  const { peer, name } = ref as Record<string, unknown>;
  if (typeof peer !== 'string' || typeof name !== 'string' || checkRemoteName(name) !== undefined) return undefined;
  const addr = parsePeerAddress(peer);
  return addr ? { peer: addr, name } : undefined;
}

const OFFSET: Record<C.Service, number> = { peers: C.PEER_LIST_OFFSET, query: C.QUERY_OFFSET, download: C.DOWNLOAD_OFFSET };

/**
 * The one thin class of the P+2 plugin: it owns the connection group, the
 * three listeners, the maintenance timer and the detached transfer sockets,
 * and carries out what the pure parts (codec, answer limits, peer list, rate
 * gate) decide. Every exchange follows pplus2.md: one line in, an answer, close.
 */
export class Pplus2Service {
  readonly peers: PeerList;
  readonly #o: Pplus2ServiceOptions;
  readonly #ctx: PluginContext;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #exchanges: Exchanges;
  readonly #gate = new RateGate(C.PEER_REQUEST_INTERVAL_MS);
  readonly #share: ShareLibrary;
  readonly #transfers: TransferEngine;
  readonly #answered = new WeakSet<Connection<string>>();
  readonly #wantsMeta = new WeakSet<Connection<string>>();
  readonly #detached = new Set<Socket>();
  readonly #work = new Set<Promise<unknown>>();
  readonly #group: ConnectionGroup<string>;
  readonly #advertise: string;
  #listeners: Listener[] = [];
  #hosts: HostCache | undefined;
  #timer: Timer | undefined;
  #stopped = false;
  readonly #stopping = new AbortController();
  port = 0;

  constructor(ctx: PluginContext, opts: Pplus2ServiceOptions) {
    this.#o = opts;
    this.#ctx = ctx;
    this.#clock = ctx.clock;
    this.#log = ctx.log;
    this.#share = ctx.share;
    this.#transfers = ctx.transfers;
    this.#exchanges = new Exchanges(ctx.clock);
    const advertise = opts.advertiseHost ?? (opts.host && opts.host !== '0.0.0.0' && opts.host !== '::' ? opts.host : '127.0.0.1');
    this.peers = new PeerList('', C.MAX_KNOWN_PEERS);
    this.#group = ctx.net.group<string>({
      name: 'pplus2',
      decoder: () => new LineDecoder({ maxLineBytes: C.MAX_LINE_BYTES }),
      handler: {
        onMessage: (conn, line) => this.#onLine(conn, line),
        onClose: (conn, reason) => this.#exchanges.onClose(conn, reason),
        // A caller may half-close right after its line (`nc -N`): its answer still goes out.
        onEnd: (conn) => {
          if (conn.direction === 'out' || !this.#answered.has(conn)) conn.close();
        },
      },
      limits: { maxInbound: C.MAX_INBOUND, maxOutbound: C.MAX_OUTBOUND, perIp: C.MAX_INBOUND_PER_IP },
      timeouts: { handshakeMs: C.REQUEST_TIMEOUT_MS, idleMs: 0 },
    });
    this.#advertise = advertise;
  }

  /** Our own `ip:p`, as sent in peer-list requests. */
  get self(): string {
    return formatPeerAddress({ host: this.#advertise, port: this.port });
  }

  async start(): Promise<void> {
    const { port, listeners } = await listenTriple(this.#group, this.#o.port, this.#o.host);
    this.port = port;
    this.#listeners = listeners;
    this.peers.setSelf(this.self);
    // Peers met in earlier runs, so a restarted node rejoins without --pplus2-peer.
    this.#hosts = await this.#ctx.hostCache('pplus2');
    for (const key of this.#hosts.list()) {
      const addr = parsePeerAddress(key);
      if (addr) this.peers.add(addr);
    }
    for (const p of this.#o.peers) {
      const addr = parsePeerAddress(p);
      if (!addr) throw NetError.usage(`--pplus2-peer wants IP:PORT, got ${p}`);
      this.#learn(addr);
    }
    this.#timer = this.#clock.setInterval(() => this.maintain(), C.PEER_REQUEST_INTERVAL_MS);
    this.maintain();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopping.abort(NetError.closed('shutting down'));
    this.#timer?.cancel();
    // A transfer cut by shutdown ends with a reset, not a clean close that would pass for end of file.
    for (const s of this.#detached) if (!s.destroyed) s.resetAndDestroy();
    await this.#group.close();
    await Promise.allSettled([...this.#work]);
  }

  /** Asks the next known peer for its list, if the rate gate allows (one request per 10 s). */
  maintain(): void {
    if (this.#stopped || this.peers.size === 0 || !this.#gate.allow(this.#clock.now())) return;
    const peer = this.peers.next()!;
    this.#hold(this.#askPeers(peer));
  }

  addPeer(text: string): string {
    const addr = parsePeerAddress(text);
    // What is wrong, and how it is written (it said only `want IP:PORT, got 1.2.3`).
    if (!addr) throw NetError.usage(`${text}: ${peerAddressProblem(text) ?? 'not an IP:P address'}; usage: ${ADDPEER_USAGE}`);
    const key = formatPeerAddress(addr);
    switch (this.peers.refusal(addr)) {
      case 'self':
        return `${key} is this node`;
      case 'known':
        return `${key} is known already`;
      case 'full':
        return `the peer list is full (${this.peers.max} peers): ${key} is not added`;
      case undefined:
        this.#learn(addr);
        return `added ${key}`;
    }
  }

  /**
   * FileProtocol.search: asks up to MAX_SEARCH_PEERS known peers (a few at a
   * time) for names containing the text; resolves with how many answered (a
   * peer that is down, refused or stayed silent was asked but not reached: it
   * made `1 hit from 2 peers` of a search that one peer answered).
   * P+2 carries no filters: the core applies them to the hits.
   */
  async search(query: SearchQuery, sink: (hit: FileHit) => void, signal: AbortSignal): Promise<{ peers: number }> {
    encodeLine(query.text); // refuses CR/LF/NUL and over-long text before anything is sent
    const targets = this.peers.addresses().slice(0, C.MAX_SEARCH_PEERS);
    let next = 0;
    let reached = 0;
    const worker = async (): Promise<void> => {
      while (next < targets.length && !this.#stopped && !signal.aborted) {
        const peer = targets[next++]!;
        // The second line asks a peerdeck callee for sizes and SHA-1s; a plain callee ignores it.
        const r = await this.#exchange(peer, C.TAG_QUERY, [query.text, C.META_REQUEST], { maxLines: C.MAX_QUERY_ANSWER_LINES + 1, maxBytes: C.MAX_ANSWER_BYTES });
        // An answer we cut off at its limit was an answer.
        if (r.error === undefined || r.error.code === 'LIMIT') reached++;
        const source = formatPeerAddress(peer);
        const seen = new Set<string>();
        for (const file of parseAnswer(r.lines).slice(0, C.MAX_QUERY_ANSWER_LINES)) {
          const name = file.name;
          // A name we would refuse to serve is no P+2 name (and may carry terminal escapes): skip it.
          if (this.#stopped || seen.has(name) || checkRemoteName(name) !== undefined) continue;
          seen.add(name);
          const ref: Pplus2Ref = { peer: source, name };
          sink({ name, size: file.size, source, ref, ...(file.sha1 !== undefined ? { sha1: file.sha1 } : {}) });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(C.SEARCH_PARALLELISM, targets.length) }, worker));
    return { peers: reached };
  }

  /** FileProtocol.source: the peer's download port, asked for the hit's name (from its ref). */
  source(hit: FileHit): DownloadSource {
    const ref = parseRef(hit.ref);
    return {
      open: (_offset, signal) => {
        if (!ref) return Promise.reject(NetError.badMessage('not a P+2 download reference'));
        return this.#openDownload(ref.peer, ref.name, signal);
      },
    };
  }

  async #askPeers(peer: PeerAddress): Promise<void> {
    const r = await this.#exchange(peer, C.TAG_PEERS, this.self, { maxLines: C.MAX_PEER_ANSWER_LINES, maxBytes: C.MAX_ANSWER_BYTES });
    let learned = 0;
    for (const line of r.lines) {
      const addr = parsePeerAddress(line.trim());
      if (addr && this.#learn(addr)) learned++;
    }
    if (learned > 0) this.#log.info(`learned ${plural(learned, 'peer')} from ${formatPeerAddress(peer)}; ${this.peers.size} known`);
  }

  /** One outbound exchange; the peer's failure count follows the outcome. */
  async #exchange(peer: PeerAddress, service: C.Service, lines: string | string[], limits: { maxLines: number; maxBytes: number }): Promise<ExchangeResult> {
    const key = formatPeerAddress(peer);
    let result: ExchangeResult;
    try {
      const conn = await this.#dial(peer, service);
      // All lines in one send: they travel in one packet (see META_REQUEST).
      result = await this.#exchanges.run(conn, (typeof lines === 'string' ? [lines] : lines).map(encodeLine).join(''), limits);
    } catch (err) {
      result = { lines: [], error: toNetError(err) };
    }
    if (result.error === undefined) {
      this.peers.succeeded(key);
      this.#hosts?.good(key);
    } else {
      this.#log.info(`${service} ${key}: ${result.error.code}: ${result.error.message}`);
      if (result.error.code !== 'LIMIT') {
        this.#hosts?.failed(key);
        if (this.peers.failed(key)) this.#log.info(`forgot ${key} after ${C.MAX_PEER_FAILURES} failures`);
      }
    }
    return result;
  }

  async #openDownload(peer: PeerAddress, name: string, signal: AbortSignal): Promise<{ stream: Socket; start: number; sink: SocketSink }> {
    // The engine moves the file with the sink (straight into the part, issue 13 "Speed").
    const sink = new SocketSink();
    const conn = await this.#dial(peer, C.TAG_DOWNLOAD, sink);
    conn.send(encodeLine(name));
    const { socket, head } = conn.detach();
    this.#adoptSocket(socket);
    if (head.length > 0) socket.unshift(head);
    const onAbort = (): void => void socket.destroy();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('close', () => signal.removeEventListener('abort', onAbort));
    // P+2 has no ranges: the file always starts at byte 0 and the engine skips what a .part holds.
    return { stream: socket, start: 0, sink };
  }

  /** Dials a peer's service port; shutdown aborts a dial still in flight. */
  #dial(peer: PeerAddress, service: C.Service, reader?: SocketReader): Promise<Connection<string>> {
    const opts = { tag: service, timeoutMs: C.CONNECT_TIMEOUT_MS, signal: this.#stopping.signal, ...(reader ? { reader } : {}) };
    return this.#group.dial(peer.host, peer.port + OFFSET[service], opts);
  }

  #onLine(conn: Connection<string>, line: string): void {
    if (conn.direction === 'out') {
      this.#exchanges.onLine(conn, line);
      return;
    }
    if (this.#answered.has(conn)) {
      // One request per link; after it only our extension's marker means anything.
      if (line === C.META_REQUEST) this.#wantsMeta.add(conn);
      return;
    }
    this.#answered.add(conn);
    conn.handshakeDone();
    switch (conn.tag) {
      case C.TAG_PEERS:
        return this.#servePeers(conn, line);
      case C.TAG_QUERY:
        // Answer after the bytes that came with the query are read: a peerdeck
        // caller's META_REQUEST arrives in the same packet as its query.
        setImmediate(() => this.#serveQuery(conn, line));
        return;
      case C.TAG_DOWNLOAD:
        return this.#hold(this.#serveDownload(conn, line));
      default:
        conn.close(NetError.protocol(`no P+2 service on ${conn.tag}`));
    }
  }

  /** pplus2.md: answer our peers, and learn the caller (its observed IP with the port it claims). */
  #servePeers(conn: Connection<string>, line: string): void {
    const claimed = parsePeerAddress(line.trim());
    let caller: string | undefined;
    if (claimed) {
      const addr = { host: conn.remoteAddress.toLowerCase(), port: claimed.port };
      caller = formatPeerAddress(addr);
      const refusal = this.peers.refusal(addr);
      if (this.#learn(addr)) this.#log.info(`learned ${caller} from its request; ${this.peers.size} known`);
      // A new address of a known host may be a node restarted on a new port: its old one goes now.
      if (refusal === undefined || refusal === 'full') this.#hold(this.#forgetMoved(addr));
    }
    conn.send(encodeAnswer(this.peers.keys().filter((k) => k !== caller), C.MAX_PEERS_PER_ANSWER, C.MAX_ANSWER_BYTES));
    conn.close();
  }

  /**
   * pplus2.md: the shared names containing the substring (case-insensitive),
   * one per line; to a caller that asked (META_REQUEST), each with its size
   * and SHA-1, so its download can be verified.
   */
  #serveQuery(conn: Connection<string>, text: string): void {
    if (conn.closed) return;
    const byName = new Map<string, { name: string; size: number; sha1?: string }>();
    for (const e of this.#share.search(text, { mode: 'substring', limit: C.MAX_QUERY_RESULTS })) {
      if (!byName.has(e.name)) byName.set(e.name, { name: e.name, size: e.size, ...(e.sha1 !== undefined ? { sha1: e.sha1 } : {}) });
    }
    if (this.#wantsMeta.has(conn)) conn.send(encodeAnswer(encodeMetaLines(byName.values()), C.MAX_QUERY_RESULTS + 1, C.MAX_ANSWER_BYTES));
    else conn.send(encodeAnswer(byName.keys(), C.MAX_QUERY_RESULTS, C.MAX_ANSWER_BYTES));
    conn.close();
  }

  /** pplus2.md: the raw bytes of that file, or nothing for a name we do not hold. */
  async #serveDownload(conn: Connection<string>, name: string): Promise<void> {
    const entry = await this.#share.resolveRemoteName(name);
    if (entry instanceof NetError) {
      this.#log.info(`download of ${JSON.stringify(name.slice(0, 80))} from ${conn.address} refused: ${entry.code}`);
      conn.close();
      return;
    }
    if (conn.closed || this.#stopped) return;
    const { socket } = conn.detach();
    this.#adoptSocket(socket);
    // The socket stays paused while the file goes out: a caller that half-closes
    // after its line must not make us end our side early. Afterwards reading
    // resumes, so its FIN closes the socket.
    try {
      await this.#transfers.upload({ path: entry.realPath, name: entry.name, peer: conn.remoteAddress, protocol: 'pplus2', sink: socket, sha1: entry.sha1 ?? null });
    } catch (err) {
      this.#log.info(`upload of ${entry.name} to ${conn.address} failed: ${toNetError(err).message}`);
      socket.destroy();
    }
    socket.resume();
    const linger = this.#clock.setTimeout(() => socket.destroy(), C.UPLOAD_LINGER_MS);
    socket.once('close', () => linger.cancel());
    if (socket.destroyed) linger.cancel();
  }

  /** A detached socket is ours: errors are expected (the engine sees them), shutdown destroys it. */
  #adoptSocket(socket: Socket): void {
    this.#detached.add(socket);
    socket.on('error', (err) => this.#log.debug(`P+2 transfer socket: ${err.message}`));
    socket.once('close', () => this.#detached.delete(socket));
  }

  /**
   * After `addr` announced itself: the known peers on its host at other ports that refuse
   * connections are forgotten at once (a node restarted on a new port leaves its old address
   * behind, which was asked in turn until MAX_PEER_FAILURES failures). A port that accepts is
   * another node on that host and stays; one that does not answer is left to those failures.
   */
  async #forgetMoved(addr: PeerAddress): Promise<void> {
    const now = formatPeerAddress(addr);
    let forgot = false;
    await Promise.all(
      this.peers.sameHost(addr).slice(0, C.MAX_MOVED_PROBES).map(async (old) => {
        const key = formatPeerAddress(old);
        try {
          (await this.#dial(old, C.TAG_PEERS)).close();
        } catch (err) {
          if ((toNetError(err).cause as { code?: unknown } | undefined)?.code !== 'ECONNREFUSED' || !this.peers.forget(key)) return;
          this.#hosts?.remove(key);
          forgot = true;
          this.#log.info(`forgot ${key}: ${now} announced itself from that host and ${key} refuses connections (restarted on a new port?)`);
        }
      }),
    );
    // A full list that refused the new address has room now.
    if (forgot && !this.peers.has(now)) this.#learn(addr);
  }

  /** Adds a peer to the live list and the persisted host cache. */
  #learn(addr: PeerAddress): boolean {
    const added = this.peers.add(addr);
    if (added) this.#hosts?.add(formatPeerAddress(addr));
    return added;
  }

  #hold(p: Promise<unknown>): void {
    const held = p.catch((err: unknown) => this.#log.error(`P+2 task failed: ${String(err)}`));
    this.#work.add(held);
    void held.finally(() => this.#work.delete(held));
  }

  listenerPorts(): number[] {
    return this.#listeners.map((l) => l.port);
  }
}
