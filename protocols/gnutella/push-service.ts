import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { HeaderBlockDecoder } from '../../src/codec/header-block-decoder.js';
import { NetError, toNetError } from '../../src/errors.js';
import type { ConnectionGroup } from '../../src/net/connection-group.js';
import type { PluginContext } from '../../src/plugin.js';
import type { Timer } from '../../src/clock.js';
import type { DownloadSource } from '../../src/transfer/transfer-types.js';
import * as C from './constants.js';
import type { Descriptor } from './descriptor.js';
import { bothFirewalled, pushTimeout } from './errors.js';
import { FirewallState, type InboundKind } from './firewall-state.js';
import { GenerationMap } from './generation-map.js';
import type { GgepWrite } from './ggep.js';
import { encodeGiv, isGiv, parseGiv } from './giv.js';
import type { LocalInfo, Role } from './handshake.js';
import { httpSource, type GnutellaRef } from './http-download.js';
import { packHosts, type HostPort } from './ipv4.js';
import type { GnutellaLink } from './link.js';
import { PendingPushes } from './pending-pushes.js';
import { encodePush, type Push } from './push.js';
import { callBack, decidePush, MAX_CALLBACKS_IN_FLIGHT, type PushDropReason } from './push-callback.js';
import { agentOver } from './pushed-agent.js';
import { askPushProxy, parsePushProxyRequest, PUSH_PROXY_BAD, PUSH_PROXY_GONE, PUSH_PROXY_SENT } from './push-proxy-http.js';
import {
  CONNECT_BACK_LINE,
  decodePushVendor,
  encodeConnectBack,
  encodePushProxyAck,
  encodePushProxyRequest,
  lists,
  VENDOR_BEAR,
  VENDOR_LIME,
  VMSG_PUSH_PROXY_REQUEST,
  VMSG_TCP_CONNECT_BACK,
} from './push-vendor.js';
import { newGuid } from './servent-guid.js';
import { decodeMessagesSupported, isMessagesSupported, type VendorMessage, type VendorMessageId } from './vendor.js';

/** How long a download waits for the GIV (LimeWire: 30 s, spec 4.4). */
export const PUSH_WAIT_MS = 30_000;
/** Push proxies we list in a hit (GTKG sends at most 8, spec 2.8). */
export const MAX_ADVERTISED_PROXIES = 8;
/** Push proxies a downloader asks for one file. */
export const MAX_PROXIES_ASKED = 4;
/** TTL of our Pushes (GTKG uses 4, appendix 12). */
export const PUSH_TTL = C.MAX_TTL;
/** Servent GUID -> link its hits came through, for our own pushes (spec 2.15: LW keeps 7-14 min). */
const PUSH_ROUTES_PER_GENERATION = 5_000;
const PUSH_ROUTE_GENERATION_MS = 7 * 60_000;
/** The firewall watchdog runs this often. */
const WATCHDOG_MS = 60_000;

/** What the push side needs from the servent (kept narrow so the servent's shape may change). */
export interface PushHost {
  readonly guid: Buffer;
  readonly port: number;
  readonly local: LocalInfo;
  readonly opts: { mode: Role; firewalled?: boolean; pushProxy?: boolean; pushWaitMs?: number };
  openLinks(role?: Role): GnutellaLink[];
  send(l: GnutellaLink, d: Descriptor): void;
  /** Hands a socket to the HTTP upload server (spec 4.4 step 3: the pushed side answers HTTP). */
  serveHttp(socket: Socket): void;
}

/** Counters of the push side, for `/gstatus` and tests. */
export interface PushCounters {
  pushesSent: number;
  proxyAsked: number;
  proxyOk: number;
  pushesForUs: number;
  callbacksOk: number;
  callbacksFailed: number;
  pushDropped: Partial<Record<PushDropReason | 'unknown-guid', number>>;
  givBad: number;
  proxyServed: number;
  proxyGone: number;
  proxyBad: number;
  connectBacksAsked: number;
  connectBacksMade: number;
}

/**
 * Push for firewalled servents (spec 4, issue 11): our firewalled state and
 * the connect-back that proves it wrong; the push flag and push proxies in our
 * hits; downloads from firewalled holders (routed Push or push-proxy request,
 * then the GIV callback on our port and HTTP on that socket); answering a Push
 * for us with a GIV; and, as an ultrapeer, being our leaves' push proxy
 * (`LIME/21` -> `LIME/22`, the HTTP push-proxy endpoint, routed Pushes to them).
 */
export class PushService {
  readonly firewall: FirewallState;
  readonly pending: PendingPushes;
  readonly counters: PushCounters = {
    pushesSent: 0,
    proxyAsked: 0,
    proxyOk: 0,
    pushesForUs: 0,
    callbacksOk: 0,
    callbacksFailed: 0,
    pushDropped: {},
    givBad: 0,
    proxyServed: 0,
    proxyGone: 0,
    proxyBad: 0,
    connectBacksAsked: 0,
    connectBacksMade: 0,
  };
  /** What each link's peer said it supports (Messages Supported), by link id. */
  readonly #supported = new Map<number, readonly VendorMessageId[]>();
  /** As a leaf: our push proxies, by the ultrapeer link that acked. */
  readonly #proxies = new Map<number, HostPort>();
  /** As an ultrapeer: leaves we are push proxy for, servent GUID (hex) -> link id, and back. */
  readonly #proxied = new Map<string, number>();
  readonly #proxiedByLink = new Map<number, string>();
  /** Links we asked for a connect-back, links that asked us for one (once each). */
  readonly #askedBack = new Set<number>();
  readonly #gaveBack = new Set<number>();
  /** Callbacks in flight (GIV and connect-back), by address/index. */
  readonly #inFlight = new Set<string>();
  readonly #routes: GenerationMap<string, number>;
  /** Our outgoing callbacks (GIV, connect-back): dialled through the core, then the raw socket is ours. */
  readonly #callbacks: ConnectionGroup<string[]>;
  #watchdog: Timer | undefined;
  #stopped = false;

  constructor(
    private readonly s: PushHost,
    private readonly ctx: PluginContext,
  ) {
    const now = (): number => ctx.clock.now();
    this.firewall = new FirewallState(s.opts.firewalled === true, now, (_fw, _r) => this.#announce());
    this.pending = new PendingPushes(ctx.clock);
    this.#routes = new GenerationMap({ maxPerGeneration: PUSH_ROUTES_PER_GENERATION, generationMs: PUSH_ROUTE_GENERATION_MS, now });
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
    this.pending.close();
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
    if (this.pending.offer({ socket, head, giv }) === 'unmatched') {
      this.ctx.log.info(`gnutella: GIV from ${l.conn.address} for ${giv.serventGuid.toString('hex')} that no download waits for: closed`);
      socket.destroy();
    }
    return true;
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
        this.#beProxy(l, muid);
        return true;
      case 'proxy-ack':
        if (l.role === 'ultrapeer' && this.s.opts.mode === 'leaf') {
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
    const g = this.#proxiedByLink.get(l.id);
    if (g !== undefined) {
      this.#proxiedByLink.delete(l.id);
      if (this.#proxied.get(g) === l.id) this.#proxied.delete(g);
    }
  }

  /** A hit delivered to us: remember the link for a later Push to its servent (spec 2.15). */
  noteHit(serventGuid: Buffer, l: GnutellaLink): void {
    this.#routes.set(serventGuid.toString('hex'), l.id);
  }

  /** As an ultrapeer: the leaf we are push proxy for with this servent GUID (a routed Push goes there). */
  leafFor(serventGuid: Buffer): number | undefined {
    return this.#proxied.get(serventGuid.toString('hex'));
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

  /** Our push proxies (acked by ultrapeers we are still linked to). */
  proxies(): HostPort[] {
    const open = new Set(this.s.openLinks('ultrapeer').map((l) => l.id));
    return [...this.#proxies].filter(([id]) => open.has(id)).map(([, hp]) => hp);
  }

  /** Leaves we are push proxy for. */
  get proxiedLeaves(): number {
    return this.#proxied.size;
  }

  // ---- the pushed side: a Push for us ---------------------------------------------------

  /** A Push with our servent GUID: connect to the requester, send GIV, answer HTTP on that socket (spec 4.4). */
  onPushForUs(p: Push): void {
    this.counters.pushesForUs++;
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

  // ---- the downloading side ---------------------------------------------------------------

  /** A download from a firewalled holder: push, wait for its GIV, then ordinary HTTP on that socket. */
  source(ref: GnutellaRef): DownloadSource {
    return httpSource(ref, (signal) => this.#pushed(ref, signal));
  }

  async #pushed(ref: GnutellaRef, signal: AbortSignal): Promise<ReturnType<typeof agentOver>> {
    const holder = `${ref.ip}:${ref.port}`;
    // Spec 4.5: neither side can accept the other's connection; say so now, not after a timeout.
    if (this.firewalled) throw bothFirewalled(holder, this.firewall.describe());
    const me = this.s.local.listen;
    if (!me) throw NetError.refused(`cannot push ${holder}: our own address is not known yet (no peer told us, no --gnutella-host)`);
    const guid = Buffer.from(ref.guid, 'hex');
    if (guid.length !== C.GUID_BYTES) throw NetError.badMessage(`bad servent GUID ${ref.guid}`);
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let tried = 'nothing';
    const ms = this.s.opts.pushWaitMs ?? PUSH_WAIT_MS;
    const waiting = this.pending.wait(ref.guid, ref.index, ms, stop.signal, () => pushTimeout(holder, ms, tried));
    waiting.catch(() => undefined);
    try {
      tried = await this.#sendPush(ref, guid, me, stop.signal);
      const pushed = await waiting;
      return agentOver(pushed.socket, pushed.head);
    } catch (err) {
      stop.abort();
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Asks the hit's push proxies first (spec 4.3); when none answers 202,
   * routes a Push along the link the holder's hits came through, or through
   * every ultrapeer when that route is gone. Returns what was tried, for the
   * timeout message; throws when nothing could be sent.
   */
  async #sendPush(ref: GnutellaRef, guid: Buffer, me: HostPort, signal: AbortSignal): Promise<string> {
    const proxies = (ref.proxies ?? []).slice(0, MAX_PROXIES_ASKED).flatMap((p) => {
      const m = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(p);
      return m ? [{ ip: m[1]!, port: Number(m[2]) }] : [];
    });
    const failed: string[] = [];
    for (const proxy of proxies) {
      this.counters.proxyAsked++;
      try {
        await askPushProxy(proxy, guid, me, signal);
        this.counters.proxyOk++;
        return `asking push proxy ${proxy.ip}:${proxy.port}`;
      } catch (err) {
        if (signal.aborted) throw err;
        failed.push(`${proxy.ip}:${proxy.port} (${toNetError(err).message})`);
      }
    }
    const routed = this.#routes.get(ref.guid);
    const via = this.s.openLinks().filter((l) => l.id === routed);
    const links = via.length > 0 ? via : this.s.openLinks('ultrapeer');
    const tail = failed.length > 0 ? `; push proxies failed: ${failed.join(', ')}` : '';
    if (links.length === 0) throw NetError.refused(`cannot push ${ref.ip}:${ref.port}: no link to route a Push on${tail}`);
    const payload = encodePush({ serventGuid: guid, index: ref.index, ip: me.ip, port: me.port });
    for (const l of links) {
      this.counters.pushesSent++;
      this.s.send(l, { muid: newGuid(), type: C.DESCRIPTOR_PUSH, ttl: PUSH_TTL, hops: 0, payload });
    }
    return `a routed Push via ${links.map((l) => l.conn.address).join(', ')}${tail}`;
  }

  // ---- firewall tests and push-proxy service ----------------------------------------------

  /** After a peer's Messages Supported: ask ultrapeers for a connect-back (if firewalled) and to be our push proxy. */
  #askPeer(l: GnutellaLink): void {
    if (l.role !== 'ultrapeer' || !l.peer?.vendorMessages) return;
    const sup = this.#supported.get(l.id);
    const vendor = (payload: Buffer, muid: Buffer = Buffer.alloc(C.GUID_BYTES)): void =>
      this.s.send(l, { muid, type: C.DESCRIPTOR_VENDOR, ttl: 1, hops: 0, payload });
    if (this.firewalled && this.firewall.reason.kind !== 'forced' && !this.#askedBack.has(l.id) && lists(sup, VENDOR_BEAR, VMSG_TCP_CONNECT_BACK)) {
      this.#askedBack.add(l.id);
      this.counters.connectBacksAsked++;
      vendor(encodeConnectBack(this.s.port));
    }
    if (this.s.opts.mode === 'leaf' && lists(sup, VENDOR_LIME, VMSG_PUSH_PROXY_REQUEST)) vendor(encodePushProxyRequest(), this.s.guid);
  }

  /** `BEAR/7v1`: open a connection to the asker's port and say `CONNECT BACK` (once per link). */
  #connectBack(l: GnutellaLink, port: number): void {
    if (this.#gaveBack.has(l.id)) return;
    this.#gaveBack.add(l.id);
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

  /** `LIME/21v1` from a leaf: we become its push proxy and ack with the address it should advertise (spec 4.3). */
  #beProxy(l: GnutellaLink, muid: Buffer): void {
    if (this.s.opts.mode !== 'ultrapeer' || l.role !== 'leaf' || this.s.opts.pushProxy === false) return;
    const me = this.s.local.listen;
    if (!me) return void this.ctx.log.info(`gnutella: ${l.conn.address} asked us to be its push proxy, but our address is not known yet`);
    const guid = muid.toString('hex');
    const prev = this.#proxiedByLink.get(l.id);
    if (prev !== undefined && this.#proxied.get(prev) === l.id) this.#proxied.delete(prev);
    this.#proxied.set(guid, l.id);
    this.#proxiedByLink.set(l.id, guid);
    this.s.send(l, { muid, type: C.DESCRIPTOR_VENDOR, ttl: 1, hops: 0, payload: encodePushProxyAck(me.ip, me.port) });
  }

  /**
   * The push-proxy HTTP endpoint (spec 4.3): returns false when the request is
   * not for it. 202 once the Push went to the leaf, 410 when that servent is
   * not our leaf, 400 when malformed.
   */
  serveProxyRequest(req: IncomingMessage, res: ServerResponse): boolean {
    const r = parsePushProxyRequest(req.url ?? '', req.headers['x-node']);
    if (!r) return false;
    const answer = (status: number, text: string): void => {
      res.writeHead(status, text, { Server: C.USER_AGENT, 'Content-Length': '0' });
      res.end();
    };
    if (r.kind === 'bad') {
      this.counters.proxyBad++;
      answer(PUSH_PROXY_BAD, `Bad Request: ${r.why}`);
      return true;
    }
    const id = this.#proxied.get(r.guid.toString('hex'));
    const leaf = this.s.openLinks('leaf').find((l) => l.id === id);
    if (!leaf) {
      this.counters.proxyGone++;
      answer(PUSH_PROXY_GONE, 'Push Proxy: Servent not connected');
      return true;
    }
    this.counters.proxyServed++;
    this.s.send(leaf, { muid: newGuid(), type: C.DESCRIPTOR_PUSH, ttl: 1, hops: 0, payload: encodePush({ serventGuid: r.guid, index: r.index, ip: r.node.ip, port: r.node.port }) });
    answer(PUSH_PROXY_SENT, 'Push Proxy: Message Sent');
    return true;
  }

  /** `/gstatus` lines. */
  statusLines(): string[] {
    const c = this.counters;
    const drops = Object.entries(c.pushDropped).map(([k, v]) => `${k} ${v}`).join(', ') || '-';
    const proxies = this.proxies().map((p) => `${p.ip}:${p.port}`);
    return [
      `push: proxies ${proxies.length > 0 ? proxies.join(', ') : 'none'}; push proxy for ${this.#proxied.size} leaves (served ${c.proxyServed}, gone ${c.proxyGone}, bad ${c.proxyBad}); connect-backs asked ${c.connectBacksAsked}, made ${c.connectBacksMade}`,
      `push: sent ${c.pushesSent} routed, ${c.proxyOk}/${c.proxyAsked} through proxies; waiting ${this.pending.size}, GIVs matched ${this.pending.matched}, unmatched ${this.pending.unmatched}, bad ${c.givBad}, timed out ${this.pending.timedOut}; pushes for us ${c.pushesForUs} (called back ${c.callbacksOk}, failed ${c.callbacksFailed}); dropped: ${drops}`,
    ];
  }
}
