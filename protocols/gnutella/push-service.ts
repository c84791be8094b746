import type { Socket } from 'node:net';
import type { Hostiles } from './hostiles.js';
import { VENDOR_BEAR_HF, VMSG_HOPS_FLOW } from './hops-flow.js';
import { HeaderBlockDecoder } from '../../src/codec/header-block-decoder.js';
import { NetError, toNetError } from '../../src/errors.js';
import type { ConnectionGroup } from '../../src/net/connection-group.js';
import type { PluginContext } from '../../src/plugin.js';
import type { Timer } from '../../src/clock.js';
import type { DownloadSource } from '../../src/transfer/transfer-types.js';
import * as C from './constants.js';
import type { Descriptor } from './descriptor.js';
import { FirewallState, type InboundKind } from './firewall-state.js';
import type { GgepWrite } from './ggep.js';
import { encodeGiv, isGiv, parseGiv } from './giv.js';
import type { LocalInfo, Role } from './handshake.js';
import type { GnutellaRef } from './http-download.js';
import { packHosts, type HostPort } from './ipv4.js';
import type { GnutellaLink } from './link.js';
import type { Push } from './push.js';
import { callBack, decidePush, MAX_CALLBACKS_IN_FLIGHT, type PushDropReason } from './push-callback.js';
import { PushDownloads } from './push-download.js';
import { PushProxyService } from './push-proxy-service.js';
import {
  CONNECT_BACK_LINE,
  decodePushVendor,
  encodeConnectBack,
  encodePushProxyRequest,
  lists,
  VENDOR_BEAR,
  VENDOR_LIME,
  VMSG_PUSH_PROXY_REQUEST,
  VMSG_TCP_CONNECT_BACK,
} from './push-vendor.js';
import { decodeMessagesSupported, isMessagesSupported, type VendorMessage, type VendorMessageId } from './vendor.js';

/** Push proxies we list in a hit (GTKG sends at most 8, spec 2.8). */
export const MAX_ADVERTISED_PROXIES = 8;
/** One connect-back per link this often at most (a leaf asks again only when firewalled again). */
const CONNECT_BACK_EVERY_MS = 10 * 60_000;
/** The firewall watchdog runs this often. */
const WATCHDOG_MS = 60_000;

/** What the push side needs from the servent (kept narrow so the servent's shape may change). */
export interface PushHost {
  readonly guid: Buffer;
  readonly port: number;
  readonly local: LocalInfo;
  /** Our role now (it changes in auto mode, spec 3.1). */
  readonly role: Role;
  readonly opts: { firewalled?: boolean; pushProxy?: boolean; pushWaitMs?: number };
  openLinks(role?: Role): readonly GnutellaLink[];
  send(l: GnutellaLink, d: Descriptor): void;
  /** Hands a socket to the HTTP upload server (spec 4.4 step 3: the pushed side answers HTTP). */
  serveHttp(socket: Socket): void;
  /** Hostile addresses are not pushed to (hostiles.ts). */
  readonly filters: { readonly hostiles: Pick<Hostiles, 'has' | 'counts'> };
}

/** Counters of the push side, for `/gstatus` and tests. */
export interface PushCounters {
  pushesForUs: number;
  callbacksOk: number;
  callbacksFailed: number;
  pushDropped: Partial<Record<PushDropReason | 'unknown-guid', number>>;
  givBad: number;
  connectBacksAsked: number;
  connectBacksMade: number;
}

/**
 * Push for firewalled servents (spec 4, issue 11): our firewalled state and
 * the connect-back that proves it wrong; the push flag and push proxies in our
 * hits; downloads from firewalled holders (routed Push or push-proxy request,
 * then the GIV callback on our port and HTTP on that socket); answering a Push
 * for us with a GIV; and, as an ultrapeer, answering connect-backs and being
 * our leaves' push proxy (PushProxyService).
 */
export class PushService {
  readonly firewall: FirewallState;
  /** Our downloads from firewalled holders. */
  readonly downloads: PushDownloads;
  readonly counters: PushCounters = {
    pushesForUs: 0,
    callbacksOk: 0,
    callbacksFailed: 0,
    pushDropped: {},
    givBad: 0,
    connectBacksAsked: 0,
    connectBacksMade: 0,
  };
  /** What each link's peer said it supports (Messages Supported), by link id. */
  readonly #supported = new Map<number, readonly VendorMessageId[]>();
  /** As a leaf: our push proxies, by the ultrapeer link that acked. */
  readonly #proxies = new Map<number, HostPort>();
  /** As an ultrapeer: the push proxy of our leaves. */
  readonly proxy: PushProxyService;
  /** Links we asked for a connect-back, links that asked us for one (once each). */
  readonly #askedBack = new Set<number>();
  /** Link id -> when we last connected back for it. */
  readonly #gaveBack = new Map<number, number>();
  /** Callbacks in flight (GIV and connect-back), by address/index. */
  readonly #inFlight = new Set<string>();
  /** Our outgoing callbacks (GIV, connect-back): dialled through the core, then the raw socket is ours. */
  readonly #callbacks: ConnectionGroup<string[]>;
  #watchdog: Timer | undefined;
  #stopped = false;

  constructor(
    private readonly s: PushHost,
    private readonly ctx: PluginContext,
  ) {
    const now = (): number => ctx.clock.now();
    this.firewall = new FirewallState(s.opts.firewalled === true, now, (firewalled) => {
      this.#announce();
      // Firewalled again (the watchdog): ask our ultrapeers for a connect-back once more.
      if (firewalled) {
        this.#askedBack.clear();
        for (const l of this.s.openLinks('ultrapeer')) this.#askConnectBack(l);
      }
    });
    this.downloads = new PushDownloads(s, this.firewall, ctx.clock);
    this.proxy = new PushProxyService(s, now);
    this.#callbacks = ctx.net.group<string[]>({
      name: 'gnutella-callback',
      // Nothing is read before the socket is taken; a small bound all the same.
      decoder: () => new HeaderBlockDecoder(C.MAX_HEADER_LINE),
      handler: { onMessage: () => undefined },
      limits: { maxInbound: 0, maxOutbound: MAX_CALLBACKS_IN_FLIGHT, perIp: MAX_CALLBACKS_IN_FLIGHT },
    });
  }

  start(): void {
    this.#announce();
    this.#watchdog = this.ctx.clock.setInterval(() => this.firewall.check(), WATCHDOG_MS);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#watchdog?.cancel();
    this.downloads.pending.close();
    await this.#callbacks.close();
  }

  get firewalled(): boolean {
    return this.firewall.firewalled;
  }

  #announce(): void {
    const text = this.firewall.describe();
    this.ctx.log.info(`gnutella: ${text}`);
    this.ctx.emit({ type: 'notice', protocol: 'gnutella', text });
  }

  // ---- hooks the servent calls ---------------------------------------------------------

  /** Any connection accepted on our port (spec 4.1: an incoming connection proves we are reachable). */
  onInbound(remoteAddress: string, how: InboundKind = 'incoming connection'): void {
    this.firewall.inbound(remoteAddress, how, this.s.local.listen?.ip);
  }

  /**
   * The first header block on an accepted connection: a GIV (a pushed servent
   * calling back) or a connect-back (`CONNECT BACK`, or GTKG's bare `\n\n`).
   * Returns true when it took the connection.
   */
  onFirstBlock(l: GnutellaLink, lines: string[]): boolean {
    const first = lines[0];
    if (first === CONNECT_BACK_LINE || (lines.length === 1 && first === '')) {
      this.onInbound(l.conn.remoteAddress, 'connect-back');
      l.conn.close(NetError.closed('connect-back received'));
      return true;
    }
    if (!isGiv(first)) return false;
    let giv;
    try {
      giv = parseGiv(lines);
    } catch (err) {
      this.counters.givBad++;
      l.conn.close(toNetError(err));
      return true;
    }
    this.onInbound(l.conn.remoteAddress, 'GIV callback');
    const { socket, head } = l.conn.detach();
    if (this.downloads.pending.offer({ socket, head, giv }) === 'unmatched') {
      this.ctx.log.info(`gnutella: GIV from ${l.conn.address} for ${giv.serventGuid.toString('hex')} that no download waits for: closed`);
      socket.destroy();
    }
    return true;
  }

  /** The link's peer listed Hops Flow (BEAR/4) in Messages Supported: it may be told ours (hops-flow-sender.ts). */
  listsHopsFlow(l: GnutellaLink): boolean {
    return lists(this.#supported.get(l.id), VENDOR_BEAR_HF, VMSG_HOPS_FLOW);
  }

  /** A vendor message on an open link; returns true when it was one of ours. */
  onVendor(l: GnutellaLink, m: VendorMessage, muid: Buffer): boolean {
    if (isMessagesSupported(m)) {
      try {
        this.#supported.set(l.id, decodeMessagesSupported(m.body));
      } catch {
        return true;
      }
      this.#askPeer(l);
      return true;
    }
    let v;
    try {
      v = decodePushVendor(m);
    } catch {
      return true;
    }
    if (!v) return false;
    switch (v.kind) {
      case 'connect-back':
        this.#connectBack(l, v.port);
        return true;
      case 'proxy-request':
        if (this.proxy.onRequest(l, muid) === 'no-address') this.ctx.log.info(`gnutella: ${l.conn.address} asked us to be its push proxy, but our address is not known yet`);
        return true;
      case 'proxy-ack':
        if (l.role === 'ultrapeer' && this.s.role === 'leaf') {
          this.#proxies.set(l.id, { ip: v.ip ?? l.conn.remoteAddress, port: v.port });
          this.ctx.log.info(`gnutella: ${l.conn.address} is our push proxy at ${v.ip ?? l.conn.remoteAddress}:${v.port}`);
        }
        return true;
    }
  }

  /** A link closed: forget what it was to us. */
  onClose(l: GnutellaLink): void {
    this.#supported.delete(l.id);
    this.#proxies.delete(l.id);
    this.#askedBack.delete(l.id);
    this.#gaveBack.delete(l.id);
    this.proxy.onClose(l);
  }

  /** A hit delivered to us: remember the link for a later Push to its servent (spec 2.15). */
  noteHit(serventGuid: Buffer, l: GnutellaLink): void {
    this.downloads.noteHit(serventGuid, l);
  }

  /** A download from a firewalled holder (spec 4.3, 4.4). */
  source(ref: GnutellaRef): DownloadSource {
    return this.downloads.source(ref);
  }

  /** As an ultrapeer: the leaf we are push proxy for with this servent GUID (a routed Push goes there). */
  leafFor(serventGuid: Buffer): number | undefined {
    return this.proxy.leafFor(serventGuid);
  }

  /** A Push nobody can route: counted (spec 6: dropped, never relayed blindly). */
  unknownGuid(): void {
    this.#dropped('unknown-guid');
  }

  /** The push flag and the trailer GGEP `PUSH` of our hits (spec 2.8, 4.2). */
  hitFields(): { push: boolean; ggep: GgepWrite[] } {
    if (!this.firewalled) return { push: false, ggep: [] };
    const proxies = this.proxies().slice(0, MAX_ADVERTISED_PROXIES);
    return { push: true, ggep: proxies.length > 0 ? [{ id: C.GGEP_PUSH, data: packHosts(proxies) }] : [] };
  }

  /** `X-Push-Proxy` for our HTTP answers while firewalled (spec 4.3, 5.2: LimeWire's name, GTKG reads it too). */
  httpHeaders(): Record<string, string> {
    const proxies = this.firewalled ? this.proxies().slice(0, MAX_ADVERTISED_PROXIES) : [];
    return proxies.length > 0 ? { 'X-Push-Proxy': proxies.map((p) => `${p.ip}:${p.port}`).join(', ') } : {};
  }

  /** Our push proxies (acked by ultrapeers we are still linked to). */
  proxies(): HostPort[] {
    const open = new Set(this.s.openLinks('ultrapeer').map((l) => l.id));
    return [...this.#proxies].filter(([id]) => open.has(id)).map(([, hp]) => hp);
  }

  // ---- the pushed side: a Push for us ---------------------------------------------------

  /** A Push with our servent GUID: connect to the requester, send GIV, answer HTTP on that socket (spec 4.4). */
  onPushForUs(p: Push): void {
    this.counters.pushesForUs++;
    // A push asking us to call a hostile address (hostiles.ts) is not made, as gtk-gnutella does not.
    if (this.s.filters.hostiles.has(p.ip)) {
      this.s.filters.hostiles.counts.notPushed++;
      return this.#dropped('hostile');
    }
    const d = decidePush(p, this.#inFlight);
    if (d.kind === 'drop') return this.#dropped(d.reason);
    const entry = this.ctx.share.byIndex(p.index);
    const giv = encodeGiv({ index: p.index, serventGuid: this.s.guid, name: entry?.name ?? 'file' });
    this.#inFlight.add(d.key);
    callBack(this.#callbacks, d.target, giv).then(
      (socket) => {
        this.#inFlight.delete(d.key);
        this.counters.callbacksOk++;
        if (this.#stopped) return socket.destroy();
        this.ctx.log.info(`gnutella: pushed to ${d.target.ip}:${d.target.port} for file ${p.index}`);
        this.s.serveHttp(socket);
      },
      (err: unknown) => {
        this.#inFlight.delete(d.key);
        this.counters.callbacksFailed++;
        this.ctx.log.info(`gnutella: push callback to ${d.target.ip}:${d.target.port} failed: ${toNetError(err).message}`);
      },
    );
  }

  #dropped(reason: PushDropReason | 'unknown-guid'): void {
    this.counters.pushDropped[reason] = (this.counters.pushDropped[reason] ?? 0) + 1;
  }

  // ---- firewall tests and push-proxy service ----------------------------------------------

  /** After a peer's Messages Supported: ask ultrapeers for a connect-back (if firewalled) and to be our push proxy. */
  #askPeer(l: GnutellaLink): void {
    if (l.role !== 'ultrapeer' || !l.peer?.vendorMessages) return;
    this.#askConnectBack(l);
    if (this.s.role === 'leaf' && lists(this.#supported.get(l.id), VENDOR_LIME, VMSG_PUSH_PROXY_REQUEST)) {
      this.s.send(l, { muid: this.s.guid, type: C.DESCRIPTOR_VENDOR, ttl: 1, hops: 0, payload: encodePushProxyRequest() });
    }
  }

  /** `BEAR/7v1` to an ultrapeer that lists it, once per link while we are firewalled (not forced). */
  #askConnectBack(l: GnutellaLink): void {
    if (!this.firewalled || this.firewall.reason.kind === 'forced' || this.#askedBack.has(l.id)) return;
    if (!lists(this.#supported.get(l.id), VENDOR_BEAR, VMSG_TCP_CONNECT_BACK)) return;
    this.#askedBack.add(l.id);
    this.counters.connectBacksAsked++;
    this.s.send(l, { muid: Buffer.alloc(C.GUID_BYTES), type: C.DESCRIPTOR_VENDOR, ttl: 1, hops: 0, payload: encodeConnectBack(this.s.port) });
  }

  /** `BEAR/7v1`: open a connection to the asker's port and say `CONNECT BACK` (once per link every 10 minutes). */
  #connectBack(l: GnutellaLink, port: number): void {
    const now = this.ctx.clock.now();
    if (now - (this.#gaveBack.get(l.id) ?? -Infinity) < CONNECT_BACK_EVERY_MS) return;
    this.#gaveBack.set(l.id, now);
    const d = decidePush({ ip: l.conn.remoteAddress, port, index: -1 }, this.#inFlight);
    if (d.kind === 'drop') return this.#dropped(d.reason);
    this.#inFlight.add(d.key);
    callBack(this.#callbacks, d.target, Buffer.from(`${CONNECT_BACK_LINE}\r\n\r\n`, 'latin1')).then(
      (socket) => {
        this.#inFlight.delete(d.key);
        this.counters.connectBacksMade++;
        socket.end();
        // The asker closes; do not wait on it for ever.
        setTimeout(() => socket.destroy(), 5_000).unref();
      },
      (err: unknown) => {
        this.#inFlight.delete(d.key);
        this.ctx.log.info(`gnutella: connect-back to ${d.target.ip}:${d.target.port} failed: ${toNetError(err).message}`);
      },
    );
  }

  /** `/gstatus` lines. */
  statusLines(): string[] {
    const c = this.counters;
    const drops = Object.entries(c.pushDropped).map(([k, v]) => `${k} ${v}`).join(', ') || '-';
    const proxies = this.proxies().map((p) => `${p.ip}:${p.port}`);
    return [
      `push: proxies ${proxies.length > 0 ? proxies.join(', ') : 'none'}; ${this.proxy.statusText()}; connect-backs asked ${c.connectBacksAsked}, made ${c.connectBacksMade}`,
      `push: ${this.downloads.statusText()}, bad ${c.givBad}; pushes for us ${c.pushesForUs} (called back ${c.callbacksOk}, failed ${c.callbacksFailed}); dropped: ${drops}`,
    ];
  }
}
