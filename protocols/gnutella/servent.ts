import type { Socket } from 'node:net';
import type { Timer } from '../../src/clock.js';
import { HeaderBlockDecoder } from '../../src/codec/header-block-decoder.js';
import { NetError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { ConnectionGroup, Listener } from '../../src/net/connection-group.js';
import type { Connection } from '../../src/net/connection.js';
import type { HostCache } from '../../src/peers/host-cache.js';
import type { PluginContext } from '../../src/plugin.js';
import type { FileHit } from '../../src/search/file-protocol.js';
import type { SearchQuery } from '../../src/search/search-query.js';
import * as C from './constants.js';
import { encodeDescriptor, type Descriptor } from './descriptor.js';
import { connectRequest, type LocalInfo, type Role } from './handshake.js';
import { ULTRAPEER_DEFAULTS } from './role-policy.js';
import { RoleKeeper } from './role-keeper.js';
import { LastHopTable } from './last-hop-table.js';
import { BoundedSet } from './bounded-set.js';
import { ownSearch } from './own-search.js';
import { Dialer } from './dialer.js';
import { LinkSetup } from './link-setup.js';
import { LinkUpkeep } from './link-upkeep.js';
import { typeName } from './descriptor-names.js';
import { HttpSide } from './http-side.js';
import { GnutellaLink, type GnutellaFrame } from './link.js';
import { FramingGuard } from './framing-guard.js';
import { MessageHandler } from './message-handler.js';
import { QrpTable } from './qrp-table.js';
import { Searches } from './searches.js';
import { loadServentGuid, newGuid } from './servent-guid.js';
import { encodeBye } from './bye.js';
import { OurAddress } from './our-address.js';
import { AltLocService } from './alt-loc-service.js';
import { AddressBans } from './address-bans.js';
import { ContentFilters } from './content-filters.js';
import { OpenLinks } from './open-links.js';
import { LinkEnds } from './link-ends.js';
import { INBOUND_SPARE, PER_IP, KNOWN_ULTRAPEERS, IDLE_MS, type ServentOptions } from './servent-options.js';
import { GnutellaUdp } from './udp.js';
import { PushService } from './push-service.js';
import type { UdpEndpoint } from '../../src/net/udp-endpoint.js';
import { DEFAULT_QUEUE, type QueueLimits } from '../../src/net/connection-types.js';
import { overflowVerdict, queueFullReason } from './slow-peer.js';
import { hopsFlowAllows, LEAF_MIN_FLOW } from './hops-flow.js';
import { CONGESTED_FLOW, tellHopsFlow } from './hops-flow-sender.js';

export type { ServentOptions } from './servent-options.js';

/**
 * The one thin class of the Gnutella plugin: it owns the connection group, the
 * listener, the HTTP server for hand-offs, the timers and the host cache, and
 * carries out what the pure parts decide (handshake negotiation, route
 * decisions, QRP tables, query answers).
 */
export class Servent {
  readonly opts: ServentOptions & Required<Pick<ServentOptions, 'maxLeaves' | 'upLinks' | 'promoteAfterMs'>>;
  readonly #ctx: PluginContext;
  readonly #log: Logger;
  readonly group: ConnectionGroup<GnutellaFrame>;
  readonly links = new Map<Connection<GnutellaFrame>, GnutellaLink>();
  readonly searches = new Searches();
  readonly #http: HttpSide;
  readonly dialer: Dialer;
  readonly #setup: LinkSetup;
  readonly #upkeep: LinkUpkeep;
  #messages!: MessageHandler;

  get messages(): MessageHandler {
    return this.#messages;
  }
  #listener: Listener | undefined;
  #timer: Timer | undefined;
  #hosts: HostCache | undefined;
  #unsubscribe: (() => void) | undefined;
  readonly #lastHop = new LastHopTable();
  #udpEndpoint: UdpEndpoint | undefined;
  udp: GnutellaUdp | undefined;
  #stopped = false;
  guid: Buffer = Buffer.alloc(16);
  table = new QrpTable();
  /** Firewalled state, push downloads and uploads, push-proxy service (spec 4). */
  readonly push: PushService;
  port = 0;
  startedAt = 0;
  /** Our role now and why (spec 3.1); auto mode starts as a leaf. */
  get role(): Role {
    return this.#roles.role;
  }
  get roleWhy(): string {
    return this.#roles.why;
  }
  readonly #roles: RoleKeeper;
  /** Each link's send queue (the core's default unless a test sets a smaller one). */
  readonly #queue: QueueLimits;

  constructor(ctx: PluginContext, opts: ServentOptions) {
    this.opts = {
      ...opts,
      maxLeaves: opts.maxLeaves ?? ULTRAPEER_DEFAULTS.maxLeaves,
      upLinks: opts.upLinks ?? ULTRAPEER_DEFAULTS.upLinks,
      promoteAfterMs: opts.promoteAfterMs ?? ULTRAPEER_DEFAULTS.promoteAfterMs,
    };
    this.#roles = new RoleKeeper(this, ctx);
    this.#ctx = ctx;
    this.#log = ctx.log;
    this.address = new OurAddress(opts.host, ctx.log);
    this.altLocs = new AltLocService({ self: () => ({ port: this.port, ...(this.address.current ? { ip: this.address.current } : {}) }), addSource: (req) => ctx.transfers.addSource(req) });
    this.#queue = { ...DEFAULT_QUEUE, ...opts.sendQueue };
    this.filters = new ContentFilters({ hostiles: opts.hostiles, spamSha1: opts.spamSha1 }, (ip) => this.bans.shunned(ip, ctx.clock.now()));
    this.group = ctx.net.group<GnutellaFrame>({
      name: 'gnutella',
      decoder: () => new FramingGuard(new HeaderBlockDecoder(C.MAX_HEADER_BLOCK)),
      handler: {
        onOpen: (conn) => this.#onOpen(conn),
        onMessage: (conn, frame) => this.#onFrame(conn, frame),
        onClose: (conn, reason) => this.#onClose(conn, reason),
        onTimeout: (conn, err) => this.#onTimeout(conn, err),
        onDrain: (conn) => tellHopsFlow(this, this.links.get(conn), ctx.clock.now()),
      },
      limits: { maxInbound: this.opts.maxLeaves + this.opts.upLinks + INBOUND_SPARE, maxOutbound: this.opts.upLinks, perIp: opts.perIp ?? PER_IP },
      timeouts: { handshakeMs: 15_000, idleMs: opts.idleMs ?? IDLE_MS },
      queue: this.#queue,
    });
    this.#http = new HttpSide({ share: ctx.share, transfers: ctx.transfers, log: ctx.log, browse: () => this.#messages.browseBody(), pushProxy: (req, res) => this.push.proxy.serve(req, res), headers: () => this.push.httpHeaders(), alternates: (sha1, req) => this.altLocs.answerHeaders(sha1, req), clock: ctx.clock, ...(opts.uploadQueue ? { queue: opts.uploadQueue } : {}), ...(opts.maxPieceBytes ? { maxPieceBytes: opts.maxPieceBytes } : {}) });
    this.dialer = new Dialer({
      group: this.group,
      links: this.links,
      hosts: () => this.#hosts,
      now: () => ctx.clock.now(),
      log: ctx.log,
      stopped: () => this.#stopped,
      bootstrap: opts.bootstrap,
      askUdpCaches: (uhcs) => this.udp?.bootstrap(uhcs),
      hostile: (addr) => this.filters.hostiles.hasHost(addr),
      notDialled: () => this.filters.hostiles.counts.notDialled++,
    });
    this.#setup = new LinkSetup(this, ctx, this.#http.server, this.dialer);
    this.push = new PushService(this, ctx);
    this.#upkeep = new LinkUpkeep(this, ctx.log, (now) => this.#roles.check(now));
  }

  /** Why we are firewalled, or undefined when not (spec 4.1). */
  get firewalledWhy(): string | undefined {
    return this.push.firewalled ? this.push.firewall.describe() : undefined;
  }

  /** Hands a socket we opened (a GIV callback) to the HTTP upload server (spec 4.4 step 3). */
  serveHttp(socket: Socket): void {
    this.#http.serve(socket);
  }

  /**
   * What we say about ourselves. Our address is `--gnutella-host` when it is a
   * specific IPv4, else the `Remote-IP` a peer saw us at (spec 1.3); without
   * either no `Listen-IP` is sent, and pongs and hits carry 127.0.0.1.
   */
  get local(): LocalInfo {
    const ip = this.address.current;
    return { role: this.role, guid: this.guid, degree: this.opts.upLinks, ...(ip ? { listen: { ip, port: this.port } } : {}), deflate: this.opts.deflate };
  }

  /** Addresses refused for a while after a `Bye 412` (address-bans.ts). */
  readonly bans = new AddressBans();

  /** `--gnutella-hostiles` with the shunned offenders, and `--gnutella-spam-sha1` (content-filters.ts). */
  readonly filters: ContentFilters;

  /** Why open links ended, by kind (`/gstatus`). */
  readonly ends = new LinkEnds();

  /** Our address as we tell peers: `--gnutella-host`, or what peers' votes agreed (our-address.ts). */
  readonly address: OurAddress;

  /** Where else files are: sent with uploads, read from answers into downloads (alt-loc-service.ts, spec 5.2). */
  readonly altLocs: AltLocService;

  get hosts(): HostCache | undefined {
    return this.#hosts;
  }

  async start(): Promise<void> {
    this.startedAt = this.#ctx.clock.now();
    this.guid = await loadServentGuid(this.#ctx.dataDir);
    this.#messages = new MessageHandler(this, this.#ctx);
    for (const line of await this.filters.load(this.startedAt)) this.#log.info(`gnutella: ${line}`);
    this.#listener = await this.group.listen(this.opts.port, { ...(this.opts.host ? { host: this.opts.host } : {}) });
    this.port = this.#listener.port;
    this.#hosts = await this.#ctx.hostCache('gnutella');
    for (const p of this.opts.peers) {
      this.#hosts.add(p);
      this.knownUltrapeers.add(p);
    }
    const hosts = this.#hosts;
    try {
      // UDP on the same port number (spec 0): pings, pongs, host caches.
      this.#udpEndpoint = await this.#ctx.net.udp('gnutella', {
        port: this.port,
        ...(this.opts.host ? { host: this.opts.host } : {}),
        onMessage: (msg, from) => this.udp?.onDatagram(msg, from),
      });
      this.udp = new GnutellaUdp(this.#udpEndpoint, hosts, () => this.#messages.ourPong(), () => this.#ctx.clock.now(), this.#log, (ip) => this.filters.hostiles.has(ip));
    } catch (err) {
      this.#log.warn(`gnutella: no UDP on port ${this.port}: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.push.start();
    this.rebuildTable();
    // After a scan the table has the new files' words; once they are hashed (share.hashed) it gets
    // their urn:sha1 too, so URN queries (re-queries for sources) reach us (spec 3.4).
    this.#unsubscribe = this.#ctx.share.subscribe((e) => {
      if (e.type === 'share.ready' || (e.type === 'share.hashed' && e.hashed > 0)) this.rebuildTable();
    });
    this.#timer = this.#ctx.clock.setInterval(() => this.maintain(), this.opts.maintainMs ?? 5_000);
    this.maintain();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#messages.dq.stopAll();
    await this.push.stop();
    this.#unsubscribe?.();
    for (const l of this.links.values()) if (l.phase === 'open') this.sendBye(l, C.BYE_SHUTDOWN, 'Shutting down');
    await this.group.close();
    await this.#udpEndpoint?.close();
    await this.#http.close();
    await this.#hosts?.save().catch(() => undefined);
  }

  /** An ultrapeer neighbour's table (spec 3.4): ours as a leaf; as an ultrapeer ours + leaves' with Hops Flow >= 3 (hops-flow.ts). */
  tableFor(l: GnutellaLink): QrpTable {
    return this.role === 'ultrapeer' && l.role === 'ultrapeer' ? this.#lastHop.get(this.table, this.leaves().filter((x) => x.hopsFlow >= LEAF_MIN_FLOW)) : this.table;
  }

  /**
   * Hosts known to be ultrapeers (`--gnutella-peer`, `X-Try-Ultrapeers`, pongs
   * marked as an ultrapeer's, UDP host caches): an ultrapeer dials only these,
   * never the leaves its cache also holds. Bounded, oldest forgotten.
   */
  readonly knownUltrapeers = new BoundedSet<string>(KNOWN_ULTRAPEERS);

  /** Open leaf links (as an ultrapeer). */
  leaves(): readonly GnutellaLink[] {
    return this.openLinks('leaf');
  }

  /** Open links by role (open-links.ts). */
  openLinks(role?: 'leaf' | 'ultrapeer'): readonly GnutellaLink[] {
    return this.#open.get(role);
  }

  /** A link opened or closed: the cached lists of open links are stale. */
  linksChanged(): void {
    this.#open.changed();
  }

  readonly #open = new OpenLinks(this.links);

  /** Dials up to the wanted number of ultrapeer links, sends alive pings, drops silent links (link-upkeep.ts). */
  maintain(): void {
    if (this.#stopped) return;
    this.#upkeep.run(this.#ctx.clock.now());
  }

  /** Ultrapeer links we may still take: a leaf's --gnutella-links, an ultrapeer's --gnutella-up-links. */
  freeUltrapeerSlots(): number {
    return (this.role === 'leaf' ? this.opts.links : this.opts.upLinks) - this.openLinks('ultrapeer').length;
  }

  /**
   * We take incoming connections now (spec 2.6: the condition for our own pong):
   * an ultrapeer, not firewalled, with a leaf or ultrapeer slot free.
   */
  acceptingConnections(): boolean {
    return this.role === 'ultrapeer' && !this.push.firewalled && (this.freeLeafSlots() > 0 || this.freeUltrapeerSlots() > 0);
  }

  /** Leaves we may still take (none as a leaf). */
  freeLeafSlots(): number {
    return this.role === 'ultrapeer' ? this.opts.maxLeaves - this.openLinks('leaf').length : 0;
  }

  /**
   * A clean role change (issue 11): every peer is told with a Bye (its leaves go
   * to other ultrapeers, its ultrapeers forget our QRP table), then links are
   * dialled again and negotiated for the new role.
   */
  changeRole(role: Role, why: string): void {
    this.#roles.change(role, why);
  }

  /** An ultrapeer we dial says `X-Ultrapeer-Needed`: true when we became a leaf for it (spec 3.1). */
  followGuidance(needed: boolean | undefined, host: string): boolean {
    return this.#roles.followGuidance(needed, host);
  }

  /** Rebuilds our QRP table from the share and sends what changed to every ultrapeer (spec 3.4). */
  rebuildTable(): void {
    const t = new QrpTable();
    for (const e of this.#ctx.share.entries()) t.addFile(e.name, e.sha1Base32 ? `urn:sha1:${e.sha1Base32}` : undefined);
    this.table = t;
    if (this.role === 'leaf') for (const l of this.openLinks('ultrapeer')) this.#messages.sendQrp(l);
  }

  /** FileProtocol.search (own-search.ts): as a leaf through our ultrapeers, as an ultrapeer by dynamic querying. */
  search(query: SearchQuery, sink: (hit: FileHit) => void, signal: AbortSignal): Promise<{ peers: number }> {
    return ownSearch(this, this.#messages, this.#ctx.clock, query, sink, signal);
  }

  /**
   * Sends one descriptor on a link and counts it; Ping, Pong and Query may be dropped under pressure.
   * A precious one that would fill the queue (its peer is not reading) ends the link with
   * `Bye 502 Send queue reached N bytes` (spec 6, gtk-gnutella's mq.c) instead of a silent cut.
   * A query the link's Hops Flow shuts out is not sent (hops-flow.ts). A link that becomes
   * congested is told Hops Flow 0, lifted once it drains (hops-flow-sender.ts).
   */
  send(l: GnutellaLink, d: Descriptor): void {
    if (d.type === C.DESCRIPTOR_QUERY && !hopsFlowAllows(d.hops, l.hopsFlow)) return;
    const droppable = d.type === C.DESCRIPTOR_PING || d.type === C.DESCRIPTOR_PONG || d.type === C.DESCRIPTOR_QUERY;
    const bytes = encodeDescriptor(d);
    if (overflowVerdict(l.conn.queuedBytes, bytes.length, droppable, this.#queue.hardCap) === 'bye') {
      return this.sendBye(l, C.BYE_SEND_QUEUE_FULL, queueFullReason(this.#queue.hardCap));
    }
    if (l.conn.send(bytes, { droppable })) l.count('out', typeName(d.type));
    if (l.conn.congested !== (l.sentHopsFlow.value === CONGESTED_FLOW)) tellHopsFlow(this, l, this.#ctx.clock.now());
  }

  /**
   * Bye with a code, then close (spec 2.10). The Bye goes after what is queued (send() keeps
   * room for it under the cap); a peer that does not read it within the core's close grace
   * (2 s) is cut all the same, so a Bye never holds a link open or grows its queue.
   * A 412 bans the peer's address too (address-bans.ts), as gtk-gnutella does.
   */
  sendBye(l: GnutellaLink, code: number, reason: string): void {
    if (code === C.BYE_SECURITY) this.bans.record(l.conn.remoteAddress, this.#ctx.clock.now());
    const bye = encodeDescriptor({ muid: newGuid(), type: C.DESCRIPTOR_BYE, ttl: 1, hops: 0, payload: encodeBye(code, reason, C.USER_AGENT) });
    if (l.conn.send(bye)) l.count('out', typeName(C.DESCRIPTOR_BYE));
    l.conn.close(code < 300 ? NetError.closed(`Bye ${code} ${reason}`) : NetError.protocol(`Bye ${code} ${reason}`));
  }

  #onOpen(conn: Connection<GnutellaFrame>): void {
    const l = new GnutellaLink(conn.id, conn);
    this.links.set(conn, l);
    if (conn.direction === 'in') this.push.onInbound(conn.remoteAddress);
    if (conn.direction === 'out') {
      conn.send(connectRequest(this.local, conn.remoteAddress));
      l.phase = 'await-response';
    }
  }

  #onClose(conn: Connection<GnutellaFrame>, reason: NetError | undefined): void {
    const l = this.links.get(conn);
    this.links.delete(conn);
    this.linksChanged();
    if (!l) return;
    if (l.phase === 'open') {
      this.ends.note(reason);
      this.#ctx.emit({ type: 'peer.down', protocol: 'gnutella', address: conn.address, direction: conn.direction, reason: reason?.message ?? 'closed' });
    } else if (l.dialled) {
      this.dialer.closedInHandshake(l.dialled, reason?.code, reason?.message ?? 'closed during the handshake');
    }
    this.#messages.forget(l);
    this.push.onClose(l);
  }

  /**
   * The idle timer fired on a link past its handshake: say why with Bye 405
   * (spec 1.5, 2.10), as gtk-gnutella does (`405 Activity timeout (180 secs)`),
   * which also closes it. A handshake that times out just closes.
   */
  #onTimeout(conn: Connection<GnutellaFrame>, err: NetError): boolean {
    const l = this.links.get(conn);
    if (err.code === 'IDLE_TIMEOUT' && l?.phase === 'open') {
      const secs = Math.round((this.opts.idleMs ?? IDLE_MS) / 1000);
      this.sendBye(l, C.BYE_IDLE, `Activity timeout (${secs} sec${secs === 1 ? '' : 's'})`);
    }
    return false;
  }

  #onFrame(conn: Connection<GnutellaFrame>, frame: GnutellaFrame): void {
    const l = this.links.get(conn);
    if (!l) return;
    if (Array.isArray(frame)) this.#setup.onBlock(l, frame);
    else if ('kind' in frame && l.phase !== 'open') this.#setup.onOversizedBlock(l, frame);
    else if ('kind' in frame) this.sendBye(l, C.BYE_GARBLED, `Garbled stream: ${frame.error.message}`);
    else this.#messages.onDescriptor(l, frame);
  }
}
