import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Timer } from '../../src/clock.js';
import { HeaderBlockDecoder } from '../../src/codec/header-block-decoder.js';
import { ConnectGate } from './connect-gate.js';
import { NetError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { ConnectionGroup, Listener } from '../../src/net/connection-group.js';
import type { Connection } from '../../src/net/connection.js';
import { handToHttp } from '../../src/net/http-handoff.js';
import type { HostCache } from '../../src/peers/host-cache.js';
import type { PluginContext } from '../../src/plugin.js';
import type { FileHit } from '../../src/search/file-protocol.js';
import type { SearchQuery } from '../../src/search/search-query.js';
import * as C from './constants.js';
import { DescriptorDecoder } from './descriptor-decoder.js';
import { encodeDescriptor, type Descriptor } from './descriptor.js';
import { acceptorConfirm, acceptorRespond, connectRequest, initiatorDecide, type LocalInfo } from './handshake.js';
import { parseHeaderBlock } from './headers.js';
import { createUploadHandler } from './http-upload.js';
import { GWC_RECONTACT_MS, isWebCache, queryWebCache } from './gwebcache.js';
import { GnutellaLink, type GnutellaFrame } from './link.js';
import { MessageHandler } from './message-handler.js';
import type { GnutellaOptions } from './flags.js';
import { QrpTable } from './qrp-table.js';
import { encodeQuery } from './query.js';
import { Searches } from './searches.js';
import { loadServentGuid, newGuid } from './servent-guid.js';
import { encodeBye } from './bye.js';
import { encodeMessagesSupported } from './vendor.js';
import { GnutellaUdp } from './udp.js';
import type { UdpEndpoint } from '../../src/net/udp-endpoint.js';

/** Options beyond the command line (tests, benches). */
export interface ServentOptions extends GnutellaOptions {
  /** How long a search collects hits (default 20 s). */
  searchMs?: number;
  /** Cap on one HTTP answer's body (gtk-gnutella-like 512 KiB pieces in tests). */
  maxPieceBytes?: number;
  /** Period of dialling, alive pings and QRP updates (default 5 s). */
  maintainMs?: number;
}

/** Leaves our minimal ultrapeer takes. */
export const MAX_LEAVES = 32;
/** Ultrapeer links an ultrapeer of ours keeps at most. */
export const MAX_UP_LINKS = 32;
/** The host cache is saved (when changed) this often. */
export const HOSTS_SAVE_EVERY_MS = 60_000;
/** Alive pings go out this often per link (GTKG: 20 s to UPs, 120 s on leaf links). */
export const PING_EVERY_MS = 30_000;
/** Unanswered alive pings before Bye 406 (GTKG: 4 on leaf links). */
export const MAX_UNANSWERED_PINGS = 4;
/** Dial backoff per host: first wait and cap (appendix 8: hammering earns a ban). */
export const BACKOFF_MIN_MS = 10_000;
export const BACKOFF_MAX_MS = 10 * 60_000;
/**
 * Our deflate contexts: a 4 KiB window, memLevel 5 and a 4 KiB output buffer
 * (about 40 KiB instead of 270 KiB) keep an idle compressed link small, while
 * messages of a few hundred bytes still compress; GTKG also uses smaller
 * windows for leaves (spec 1.7), and every inflater reads them.
 */
export const DEFLATE_TUNING = { windowBits: 12, memLevel: 5, chunkSize: 4096 } as const;
/** TTL of our own queries (a leaf's UPs run the dynamic query for it). */
export const OUR_QUERY_TTL = C.MAX_TTL - 1;

/**
 * The one thin class of the Gnutella plugin: it owns the connection group, the
 * listener, the HTTP server for hand-offs, the timers and the host cache, and
 * carries out what the pure parts decide (handshake negotiation, route
 * decisions, QRP tables, query answers).
 */
export class Servent {
  readonly opts: ServentOptions;
  readonly #ctx: PluginContext;
  readonly #log: Logger;
  readonly group: ConnectionGroup<GnutellaFrame>;
  readonly links = new Map<Connection<GnutellaFrame>, GnutellaLink>();
  readonly searches = new Searches();
  readonly #http: Server;
  readonly #httpSockets = new Set<Socket>();
  readonly #dialling = new Set<string>();
  readonly #backoff = new Map<string, { until: number; wait: number }>();
  /** Dials per servent (ip:port) kept to appendix 8's rate, and 429 bans honoured. */
  readonly #gate = new ConnectGate();
  #messages!: MessageHandler;

  get messages(): MessageHandler {
    return this.#messages;
  }
  #listener: Listener | undefined;
  #timer: Timer | undefined;
  #hosts: HostCache | undefined;
  #unsubscribe: (() => void) | undefined;
  #lastPing = 0;
  readonly #gwcAsked = new Map<string, number>();
  #gwcBusy = false;
  #lastSave = 0;
  #udpEndpoint: UdpEndpoint | undefined;
  udp: GnutellaUdp | undefined;
  #stopped = false;
  guid: Buffer = Buffer.alloc(16);
  table = new QrpTable();
  /** Set by an inbound Gnutella connect from a non-local address (spec 4.1). */
  acceptedIncoming: string | undefined;
  port = 0;
  startedAt = 0;

  constructor(ctx: PluginContext, opts: ServentOptions) {
    this.opts = opts;
    this.#ctx = ctx;
    this.#log = ctx.log;
    this.group = ctx.net.group<GnutellaFrame>({
      name: 'gnutella',
      decoder: () => new HeaderBlockDecoder(C.MAX_HEADER_BLOCK),
      handler: {
        onOpen: (conn) => this.#onOpen(conn),
        onMessage: (conn, frame) => this.#onFrame(conn, frame),
        onClose: (conn, reason) => this.#onClose(conn, reason),
      },
      limits: { maxInbound: MAX_LEAVES + MAX_UP_LINKS + 16, maxOutbound: MAX_UP_LINKS, perIp: 8 },
      timeouts: { handshakeMs: 15_000, idleMs: 180_000 },
    });
    this.#http = createServer({ maxHeaderSize: C.MAX_HEADER_BLOCK, requestTimeout: 60_000, headersTimeout: 15_000, keepAliveTimeout: 15_000 }, createUploadHandler({ share: ctx.share, transfers: ctx.transfers, log: ctx.log, browse: () => this.#messages.browseBody(), ...(opts.maxPieceBytes ? { maxPieceBytes: opts.maxPieceBytes } : {}) }));
    this.#http.on('connection', (s: Socket) => {
      this.#httpSockets.add(s);
      s.on('close', () => this.#httpSockets.delete(s));
    });
    this.#http.on('clientError', (_err, socket: Socket) => socket.destroy());
  }

  /**
   * What we say about ourselves. Our address is `--gnutella-host` when it is a
   * specific IPv4, else the `Remote-IP` a peer saw us at (spec 1.3); without
   * either no `Listen-IP` is sent, and pongs and hits carry 127.0.0.1.
   */
  get local(): LocalInfo {
    const given = this.opts.host && /^\d{1,3}(\.\d{1,3}){3}$/.test(this.opts.host) && this.opts.host !== '0.0.0.0' ? this.opts.host : undefined;
    const ip = given ?? this.learnedIp;
    return { role: this.opts.mode, guid: this.guid, ...(ip ? { listen: { ip, port: this.port } } : {}), deflate: this.opts.deflate };
  }

  /** Our IPv4 as the first peer's `Remote-IP` said. */
  learnedIp: string | undefined;

  get hosts(): HostCache | undefined {
    return this.#hosts;
  }

  async start(): Promise<void> {
    this.startedAt = this.#ctx.clock.now();
    this.guid = await loadServentGuid(this.#ctx.dataDir);
    this.#messages = new MessageHandler(this, this.#ctx);
    this.#listener = await this.group.listen(this.opts.port, { ...(this.opts.host ? { host: this.opts.host } : {}) });
    this.port = this.#listener.port;
    this.#hosts = await this.#ctx.hostCache('gnutella');
    for (const p of this.opts.peers) this.#hosts.add(p);
    const hosts = this.#hosts;
    try {
      // UDP on the same port number (spec 0): pings, pongs, host caches.
      this.#udpEndpoint = await this.#ctx.net.udp('gnutella', {
        port: this.port,
        ...(this.opts.host ? { host: this.opts.host } : {}),
        onMessage: (msg, from) => this.udp?.onDatagram(msg, from),
      });
      this.udp = new GnutellaUdp(this.#udpEndpoint, hosts, () => this.#messages.ourPong(), () => this.#ctx.clock.now(), this.#log);
    } catch (err) {
      this.#log.warn(`gnutella: no UDP on port ${this.port}: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.rebuildTable();
    this.#unsubscribe = this.#ctx.share.subscribe((e) => {
      if (e.type === 'share.ready') this.rebuildTable();
    });
    this.#timer = this.#ctx.clock.setInterval(() => this.maintain(), this.opts.maintainMs ?? 5_000);
    this.maintain();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#unsubscribe?.();
    for (const l of this.links.values()) if (l.phase === 'open') this.sendBye(l, C.BYE_SHUTDOWN, 'Shutting down');
    await this.group.close();
    await this.#udpEndpoint?.close();
    for (const s of this.#httpSockets) s.destroy();
    await new Promise<void>((r) => this.#http.close(() => r()));
    await this.#hosts?.save().catch(() => undefined);
  }

  /** Open links by role. */
  openLinks(role?: 'leaf' | 'ultrapeer'): GnutellaLink[] {
    return [...this.links.values()].filter((l) => l.phase === 'open' && (role === undefined || l.role === role));
  }

  /** Dials up to the wanted number of ultrapeer links, sends alive pings, drops silent links. */
  maintain(): void {
    if (this.#stopped || !this.#hosts) return;
    const now = this.#ctx.clock.now();
    if (now - this.#lastSave >= HOSTS_SAVE_EVERY_MS) {
      this.#lastSave = now;
      // Written atomically when changed, so a crash loses at most a minute of hosts.
      this.#hosts.save().catch((err: unknown) => this.#log.warn(`gnutella: host cache not saved: ${String(err)}`));
    }
    if (now - this.#lastPing >= PING_EVERY_MS) {
      this.#lastPing = now;
      for (const l of this.openLinks()) {
        if (l.unansweredPings >= MAX_UNANSWERED_PINGS) this.sendBye(l, C.BYE_NO_PONGS, 'No reply to alive pings');
        else this.#messages.sendAlivePing(l);
      }
    }
    const want = this.opts.mode === 'leaf' ? this.opts.links : Math.min(this.opts.links, this.opts.peers.length);
    const have = this.openLinks('ultrapeer').length + this.#dialling.size;
    if (have >= want) return;
    const busy = new Set([...this.#dialling, ...[...this.links.values()].map((l) => l.dialled ?? l.conn.address)]);
    let dialled = 0;
    for (const addr of this.#hosts.pick(50, busy)) {
      if (this.openLinks('ultrapeer').length + this.#dialling.size >= want) break;
      const b = this.#backoff.get(addr);
      if (b && b.until > now) continue;
      if (!this.#gate.allows(addr, now)) continue;
      if (addr === `${this.local.listen?.ip}:${this.port}`) continue;
      this.#dial(addr);
      dialled++;
    }
    // Nobody left to try: ask the UDP host caches (spec 8), each at most every 180 s;
    // the HTTP web caches only when the host cache is empty.
    if (dialled === 0 && this.#dialling.size === 0) {
      const uhcs = this.opts.bootstrap.filter((b) => !isWebCache(b));
      if (uhcs.length > 0) this.udp?.bootstrap(uhcs);
      if (this.#hosts.size === 0) this.#askWebCaches(now);
    }
  }

  /** Asks each GWebCache from --gnutella-bootstrap not asked in the last 180 s, one at a time (spec 8). */
  #askWebCaches(now: number): void {
    if (this.#gwcBusy) return;
    const caches = this.opts.bootstrap.filter((b) => isWebCache(b) && !(now - (this.#gwcAsked.get(b) ?? -Infinity) < GWC_RECONTACT_MS));
    if (caches.length === 0) return;
    this.#gwcBusy = true;
    void (async () => {
      for (const c of caches) {
        if (this.#stopped) break;
        this.#gwcAsked.set(c, this.#ctx.clock.now());
        const r = await queryWebCache(c);
        let n = 0;
        for (const h of r.hosts) if (this.#hosts?.add(h)) n++;
        this.#log.info(`gnutella: web cache ${c} ${r.error ? `failed: ${r.error}` : `gave ${r.hosts.length} hosts (${n} new)`}`);
        if (n > 0) break;
      }
      this.#gwcBusy = false;
    })();
  }

  #dial(addr: string): void {
    const colon = addr.lastIndexOf(':');
    const host = addr.slice(0, colon);
    const port = Number(addr.slice(colon + 1));
    this.#dialling.add(addr);
    this.#gate.dialled(addr, this.#ctx.clock.now());
    this.group.dial(host, port, { timeoutMs: 10_000 }).then(
      (conn) => {
        this.#dialling.delete(addr);
        const l = this.links.get(conn);
        if (l) l.dialled = addr;
      },
      (err: unknown) => {
        this.#dialling.delete(addr);
        this.#failed(addr, err instanceof Error ? err.message : String(err));
      },
    );
  }

  #failed(addr: string, why: string): void {
    const now = this.#ctx.clock.now();
    const prev = this.#backoff.get(addr);
    const wait = prev ? Math.min(prev.wait * 2, BACKOFF_MAX_MS) : BACKOFF_MIN_MS;
    this.#backoff.set(addr, { until: now + wait, wait });
    this.#hosts?.failed(addr);
    this.#log.debug(`gnutella: ${addr}: ${why}; next try in ${Math.round(wait / 1000)} s`);
  }

  /** Rebuilds our QRP table from the share and sends what changed to every ultrapeer (spec 3.4). */
  rebuildTable(): void {
    const t = new QrpTable();
    for (const e of this.#ctx.share.entries()) t.addFile(e.name, e.sha1Base32 ? `urn:sha1:${e.sha1Base32}` : undefined);
    this.table = t;
    if (this.opts.mode === 'leaf') for (const l of this.openLinks('ultrapeer')) this.#messages.sendQrp(l);
  }

  /** FileProtocol.search: one Query to each ultrapeer (and leaf, as an ultrapeer); hits until the window closes. */
  async search(query: SearchQuery, sink: (hit: FileHit) => void, signal: AbortSignal): Promise<{ peers: number }> {
    const targets = this.openLinks();
    if (targets.length === 0) return { peers: 0 };
    const muid = newGuid();
    const payload = encodeQuery({ flags: C.OUR_QUERY_FLAGS, text: query.text });
    this.searches.add(muid, sink);
    for (const l of targets) this.send(l, { muid, type: C.DESCRIPTOR_QUERY, ttl: l.role === 'leaf' ? 1 : OUR_QUERY_TTL, hops: 0, payload });
    await new Promise<void>((resolve) => {
      const t = this.#ctx.clock.setTimeout(resolve, this.opts.searchMs ?? 20_000);
      signal.addEventListener('abort', () => (t.cancel(), resolve()), { once: true });
    });
    this.searches.remove(muid);
    return { peers: targets.length };
  }

  /** Sends one descriptor on a link and counts it; Ping, Pong and Query may be dropped under pressure. */
  send(l: GnutellaLink, d: Descriptor): void {
    const droppable = d.type === C.DESCRIPTOR_PING || d.type === C.DESCRIPTOR_PONG || d.type === C.DESCRIPTOR_QUERY;
    if (l.conn.send(encodeDescriptor(d), { droppable })) l.count('out', typeName(d.type));
  }

  /** Bye with a code, then close (spec 2.10). */
  sendBye(l: GnutellaLink, code: number, reason: string): void {
    this.send(l, { muid: newGuid(), type: C.DESCRIPTOR_BYE, ttl: 1, hops: 0, payload: encodeBye(code, reason, C.USER_AGENT) });
    l.conn.close(code < 300 ? NetError.closed(`Bye ${code} ${reason}`) : NetError.protocol(`Bye ${code} ${reason}`));
  }

  #onOpen(conn: Connection<GnutellaFrame>): void {
    const l = new GnutellaLink(conn.id, conn);
    this.links.set(conn, l);
    if (conn.direction === 'out') {
      conn.send(connectRequest(this.local, conn.remoteAddress));
      l.phase = 'await-response';
    }
  }

  #onClose(conn: Connection<GnutellaFrame>, reason: NetError | undefined): void {
    const l = this.links.get(conn);
    this.links.delete(conn);
    if (!l) return;
    if (l.phase === 'open') {
      this.#ctx.emit({ type: 'peer.down', protocol: 'gnutella', address: conn.address, direction: conn.direction, reason: reason?.message ?? 'closed' });
    } else if (l.dialled) {
      // 429: too many connects from us; gtk-gnutella bans for 5 minutes or more (appendix 8).
      if (reason?.code === 'REFUSED' && /^(peer refused in step 3: )?429\b/.test(reason.message)) this.#gate.banned(l.dialled, this.#ctx.clock.now());
      this.#failed(l.dialled, reason?.message ?? 'closed during the handshake');
    }
    this.#messages.forget(l);
  }

  #onFrame(conn: Connection<GnutellaFrame>, frame: GnutellaFrame): void {
    const l = this.links.get(conn);
    if (!l) return;
    if (Array.isArray(frame)) this.#onBlock(l, frame);
    else this.#messages.onDescriptor(l, frame);
  }

  #onBlock(l: GnutellaLink, lines: string[]): void {
    const conn = l.conn;
    if (l.phase === 'start' && /^(GET|HEAD) /.test(lines[0] ?? '')) {
      this.links.delete(conn);
      handToHttp(conn, this.#http, Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'));
      return;
    }
    const block = parseHeaderBlock(lines);
    switch (l.phase) {
      case 'start': {
        const d = acceptorRespond(block, this.local, {
          remoteIp: conn.remoteAddress,
          freeUltrapeerSlots: (this.opts.mode === 'leaf' ? this.opts.links : MAX_UP_LINKS) - this.openLinks('ultrapeer').length,
          freeLeafSlots: this.opts.mode === 'ultrapeer' ? MAX_LEAVES - this.openLinks('leaf').length : 0,
          connectedGuids: this.#connectedGuids(),
          tryHosts: (this.#hosts?.pick(C.MAX_TRY_HOSTS) ?? []).flatMap((a) => parseAddr(a)),
        });
        if (d.kind === 'drop') return conn.close(NetError.protocol(d.reason));
        conn.send(d.response);
        if (d.kind === 'refuse') return conn.close(NetError.refused(`${d.code} ${d.reason}`));
        l.peer = d.peer;
        l.role = d.peerRole;
        l.compressedOut = d.compressOut;
        l.phase = 'await-final';
        if (conn.remoteAddress !== '127.0.0.1') this.acceptedIncoming ??= conn.remoteAddress;
        return;
      }
      case 'await-final': {
        const d = acceptorConfirm(block);
        if (d.kind === 'refused') return conn.close(NetError.refused(`peer refused in step 3: ${d.code} ${d.reason}`));
        l.compressedIn = d.compressIn;
        return this.#open(l);
      }
      case 'await-response': {
        const d = initiatorDecide(block, this.local, { freeUltrapeerSlots: MAX_UP_LINKS - this.openLinks('ultrapeer').length, connectedGuids: this.#connectedGuids() });
        if (d.kind !== 'accept') for (const h of d.tryHosts) this.#hosts?.add(`${h.ip}:${h.port}`);
        if (d.kind === 'refused') return conn.close(NetError.refused(`${d.code} ${d.reason}`));
        if (d.kind === 'refuse') {
          conn.send(d.final);
          return conn.close(NetError.refused(`we refused: ${d.code} ${d.reason}`));
        }
        conn.send(d.final);
        if (d.peer.remoteIp && /^\d{1,3}(\.\d{1,3}){3}$/.test(d.peer.remoteIp)) this.learnedIp ??= d.peer.remoteIp;
        l.peer = d.peer;
        l.role = d.peerRole;
        l.compressedOut = d.compressOut;
        l.compressedIn = d.compressIn;
        return this.#open(l);
      }
      case 'open':
        throw NetError.protocol('header block on an open link');
    }
  }

  /** Step 3 done: binary descriptors from here on, compressed as negotiated (spec 1.6, 1.7). */
  #open(l: GnutellaLink): void {
    const conn = l.conn;
    conn.handshakeDone();
    conn.setDecoder(new DescriptorDecoder());
    // Each direction on its own (spec 1.7): what we send after our step 3 (or theirs), what they send after theirs.
    if (l.compressedOut) conn.compressOut(DEFLATE_TUNING);
    if (l.compressedIn) conn.compressIn({}, { chunkSize: DEFLATE_TUNING.chunkSize });
    l.phase = 'open';
    l.openedAt = this.#ctx.clock.now();
    if (l.dialled) {
      this.#hosts?.good(l.dialled);
      this.#backoff.delete(l.dialled);
    }
    this.#ctx.emit({ type: 'peer.up', protocol: 'gnutella', address: conn.address, direction: conn.direction });
    this.#log.info(`gnutella: ${l.role} ${conn.address} (${l.peer?.userAgent || 'no User-Agent'}) linked${l.compressedIn ? ', compressed' : ''}`);
    this.#messages.sendAlivePing(l);
    if (l.peer?.vendorMessages) this.send(l, { muid: Buffer.alloc(16), type: C.DESCRIPTOR_VENDOR, ttl: 1, hops: 0, payload: encodeMessagesSupported([]) });
    if (this.opts.mode === 'leaf' && l.role === 'ultrapeer') this.#messages.sendQrp(l);
  }

  #connectedGuids(): Set<string> {
    const out = new Set<string>();
    for (const l of this.links.values()) if (l.phase === 'open' && l.peer?.guid) out.add(l.peer.guid);
    return out;
  }
}

function parseAddr(a: string): Array<{ ip: string; port: number }> {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d+)$/.exec(a);
  return m ? [{ ip: m[1]!, port: Number(m[2]) }] : [];
}

/** A descriptor type's name for counters. */
export function typeName(type: number): string {
  switch (type) {
    case C.DESCRIPTOR_PING:
      return 'ping';
    case C.DESCRIPTOR_PONG:
      return 'pong';
    case C.DESCRIPTOR_BYE:
      return 'bye';
    case C.DESCRIPTOR_ROUTE_TABLE_UPDATE:
      return 'qrp';
    case C.DESCRIPTOR_VENDOR:
    case C.DESCRIPTOR_VENDOR_STD:
      return 'vendor';
    case C.DESCRIPTOR_PUSH:
      return 'push';
    case C.DESCRIPTOR_QUERY:
      return 'query';
    case C.DESCRIPTOR_QUERY_HIT:
      return 'hit';
    default:
      return 'other';
  }
}
