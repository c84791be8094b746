import type { Server } from 'node:http';
import { NetError } from '../../src/errors.js';
import { handToHttp } from '../../src/net/http-handoff.js';
import type { PluginContext } from '../../src/plugin.js';
import * as C from './constants.js';
import { DescriptorDecoder } from './descriptor-decoder.js';
import { FramingGuard } from './framing-guard.js';
import type { Dialer } from './dialer.js';
import type { GarbledStream } from './framing-guard.js';
import { acceptorConfirm, acceptorRespond, bareRefusal, initiatorDecide, isConnectLine, parseStatusLine, peerHeaders, tooLargeResponse } from './handshake.js';
import { HEADER_TOO_LARGE, headerBlockFault, parseHeaderBlock } from './headers.js';
import type { GnutellaLink } from './link.js';
import { encodeMessagesSupported } from './vendor.js';
import { PUSH_VENDOR_MESSAGES } from './push-vendor.js';
import { QUERY_STATUS_MESSAGES } from './query-status.js';
import { HOPS_FLOW_MESSAGES } from './hops-flow.js';
import { encodeFeaturesSupported } from './whats-new.js';
import type { Servent } from './servent.js';
import { bannedHttpResponse, STATUS_SHUNNED } from './address-bans.js';
import { HOSTILE_REASON } from './hostiles.js';
import { Tarpit } from './tarpit.js';
import { CrawlGate, crawlerResponse, isCrawler, TOO_FREQUENT_CRAWLING } from './crawler.js';
import type { HostPort } from './ipv4.js';

/**
 * Our deflate contexts: a 4 KiB window, memLevel 5 and a 4 KiB output buffer
 * (about 40 KiB instead of 270 KiB) keep an idle compressed link small, while
 * messages of a few hundred bytes still compress; GTKG also uses smaller
 * windows for leaves (spec 1.7), and every inflater reads them.
 */
export const DEFLATE_TUNING = { windowBits: 12, memLevel: 5, chunkSize: 4096 } as const;

/**
 * The handshake as the servent carries it out (spec 1.2-1.7): HTTP requests on
 * the Gnutella port go to the upload server; header blocks go through the pure
 * decisions of handshake.ts; step 3 done, the link turns binary, compressed as
 * negotiated, and greets the peer (alive ping, vendor messages, our QRP table).
 */
export class LinkSetup {
  constructor(
    private readonly s: Servent,
    private readonly ctx: PluginContext,
    private readonly http: Server,
    private readonly dialer: Dialer,
  ) {}

  /** One header block on a link still in its handshake. */
  onBlock(l: GnutellaLink, lines: string[]): void {
    const s = this.s;
    const conn = l.conn;
    // A GIV callback or a connect-back (spec 4.1, 4.4) is the push side's.
    if (l.phase === 'start' && s.push.onFirstBlock(l, lines)) return;
    if (l.phase === 'start' && this.#turnedAway(l, lines[0] ?? '')) return;
    if (l.phase === 'start' && /^(GET|HEAD) /.test(lines[0] ?? '')) {
      s.links.delete(conn);
      s.linksChanged();
      handToHttp(conn, this.http, Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'));
      return;
    }
    if (l.phase === 'start' && isConnectLine(lines[0] ?? '')) {
      const fault = headerBlockFault(lines);
      if (fault !== undefined) return this.#refuseTooLarge(l, fault);
    }
    const block = parseHeaderBlock(lines);
    switch (l.phase) {
      case 'start': {
        if (isCrawler(block)) return this.#crawled(l);
        const ups = s.openLinks('ultrapeer').length;
        const d = acceptorRespond(block, s.local, {
          remoteIp: conn.remoteAddress,
          freeUltrapeerSlots: s.freeUltrapeerSlots(),
          freeLeafSlots: s.freeLeafSlots(),
          connectedGuids: this.#connectedGuids(),
          tryHosts: this.#tryHosts(),
          needUltrapeers: ups < s.opts.upLinks / 2 || s.freeLeafSlots() <= 0,
          maxUltrapeers: s.role === 'leaf' ? s.opts.links : s.opts.upLinks,
          maxLeaves: s.opts.maxLeaves,
        });
        if (d.kind === 'drop') return conn.close(NetError.protocol(d.reason));
        conn.send(d.response);
        if (d.kind === 'refuse') return conn.close(NetError.refused(`${d.code} ${d.reason}`));
        // A peer we take in says where it sees us too: an ultrapeer that dials no one learns its address this way.
        s.address.heard(d.peer.remoteIp, conn.remoteAddress);
        l.peer = d.peer;
        l.role = d.peerRole;
        l.compressedOut = d.compressOut;
        l.phase = 'await-final';
        return;
      }
      case 'await-final': {
        if (this.#crawlers.has(l)) return conn.close(NetError.closed('sent crawling info'));
        const d = acceptorConfirm(block, s.local, conn.remoteAddress);
        if (d.kind === 'refused') return conn.close(NetError.refused(`peer refused in step 3: ${d.code} ${d.reason}`));
        if (d.kind === 'not-acceptable') {
          conn.send(d.response);
          return conn.close(NetError.refused('406 Protocol not acceptable (G2)'));
        }
        // The client took our leaf guidance (spec 3.1): the link is one of our leaves.
        if (d.becameLeaf && l.role === 'ultrapeer') {
          if (s.role !== 'ultrapeer' || s.freeLeafSlots() <= 0) return conn.close(NetError.refused('became a leaf in step 3, but we take no leaf now'));
          l.role = 'leaf';
        }
        l.compressedIn = d.compressIn;
        return this.#open(l);
      }
      case 'await-response': {
        // Leaf guidance (spec 3.1): an ultrapeer that would rather have us as its leaf; decided before step 3.
        const guide = peerHeaders(block);
        if (s.role === 'ultrapeer' && guide.role === 'ultrapeer' && parseStatusLine(block.startLine)?.code === C.STATUS_OK) {
          s.followGuidance(guide.ultrapeerNeeded, guide.listen ? `${guide.listen.ip}:${guide.listen.port}` : (l.dialled ?? conn.address));
        }
        const d = initiatorDecide(block, s.local, { freeUltrapeerSlots: s.freeUltrapeerSlots(), connectedGuids: this.#connectedGuids() });
        if (d.kind !== 'accept') {
          for (const h of d.tryHosts) {
            if (s.filters.hostiles.has(h.ip)) {
              s.filters.hostiles.counts.notCached++;
              continue;
            }
            s.hosts?.add(`${h.ip}:${h.port}`);
            s.knownUltrapeers.add(`${h.ip}:${h.port}`);
          }
        }
        // 204: a shielded leaf (gtk-gnutella drops it as a host to link with); an ultrapeer of ours stops dialling it.
        if (d.kind === 'refused' && d.code === C.STATUS_SHIELDED && l.dialled) s.knownUltrapeers.delete(l.dialled);
        if (d.kind === 'refused') return conn.close(NetError.refused(`${d.code} ${d.reason}`));
        if (d.kind === 'refuse') {
          conn.send(d.final);
          return conn.close(NetError.refused(`we refused: ${d.code} ${d.reason}`));
        }
        conn.send(d.final);
        s.address.heard(d.peer.remoteIp, conn.remoteAddress);
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

  /**
   * A handshake block over 16 KiB: a connect we accept gets `413 Header too large`, as
   * gtk-gnutella answers (spec 1.5); anything else (an HTTP request, the answer to our
   * own connect) just closes.
   */
  onOversizedBlock(l: GnutellaLink, g: GarbledStream): void {
    const first = g.head.split(/\r?\n/)[0] ?? '';
    if (l.phase === 'start' && isConnectLine(first)) return this.#refuseTooLarge(l, HEADER_TOO_LARGE);
    l.conn.close(g.error);
  }

  /**
   * A connect or an HTTP request from an address we banned, or one past gtk-gnutella's
   * rate (address-bans.ts): held unanswered, or refused with 429 / 550 as gtk-gnutella
   * refuses it; one on the hostiles list (hostiles.ts) gets `550 Hostile IP address banned`.
   * True when it was.
   */
  #turnedAway(l: GnutellaLink, first: string): boolean {
    const door = first.startsWith(C.HANDSHAKE_CONNECT_PREFIX) ? 'gnutella' : /^(GET|HEAD) /.test(first) ? 'http' : undefined;
    if (!door) return false;
    const conn = l.conn;
    const now = this.ctx.clock.now();
    const ip = conn.remoteAddress;
    const banned = this.s.bans.check(ip, door, now, this.s.opts.rateLimitLoopback === true || !(ip.startsWith('127.') || ip === '::1'));
    // Checked after the bans, as gtk-gnutella does, so a hostile address that hammers us is held silently.
    const v = banned.kind === 'pass' && this.s.filters.hostiles.listed(ip) ? { kind: 'refuse' as const, code: STATUS_SHUNNED, reason: HOSTILE_REASON } : banned;
    if (v.kind === 'pass') return false;
    if (v.kind === 'refuse' && v.code === STATUS_SHUNNED) this.s.filters.hostiles.counts.refused++;
    if (v.kind === 'hold') {
      this.s.links.delete(conn);
      this.s.linksChanged();
      this.#tarpit.hold(conn.detach().socket, conn.remoteAddress);
      return true;
    }
    conn.send(door === 'gnutella' ? bareRefusal(v.code, v.reason, this.s.local, conn.remoteAddress) : bannedHttpResponse(v, C.USER_AGENT, now));
    conn.close(NetError.refused(`${v.code} ${v.reason}`));
    return true;
  }

  /**
   * A crawler's connect (crawler.ts): our neighbours' addresses in a one-shot 200, or
   * `403 Too frequent crawling` within 5 minutes of its last crawl.
   */
  #crawled(l: GnutellaLink): void {
    const conn = l.conn;
    if (!this.#crawlGate.allow(conn.remoteAddress, this.ctx.clock.now())) {
      conn.send(bareRefusal(C.STATUS_FORBIDDEN, TOO_FREQUENT_CRAWLING, this.s.local, conn.remoteAddress));
      return conn.close(NetError.refused(`403 ${TOO_FREQUENT_CRAWLING}`));
    }
    const at = (x: GnutellaLink): HostPort[] => (x.peer?.listen ? [x.peer.listen] : x.dialled ? parseAddr(x.dialled) : []);
    conn.send(crawlerResponse(this.s.openLinks('ultrapeer').flatMap(at), this.s.role === 'ultrapeer' ? this.s.leaves().flatMap(at) : undefined));
    this.#crawlers.add(l);
    l.phase = 'await-final';
  }

  readonly #crawlGate = new CrawlGate();
  readonly #crawlers = new WeakSet<GnutellaLink>();

  /** Banned addresses' sockets held unanswered (tarpit.ts). */
  readonly #tarpit = new Tarpit();

  /** `GNUTELLA/0.6 413 <reason>`, then close (spec 1.4, 1.5). */
  #refuseTooLarge(l: GnutellaLink, reason: string): void {
    l.conn.send(tooLargeResponse(reason, this.s.local, l.conn.remoteAddress));
    l.conn.close(NetError.refused(`413 ${reason}`));
  }

  /** Step 3 done: binary descriptors from here on, compressed as negotiated (spec 1.6, 1.7). */
  #open(l: GnutellaLink): void {
    const s = this.s;
    const conn = l.conn;
    conn.handshakeDone();
    conn.setDecoder(new FramingGuard(new DescriptorDecoder()));
    // Each direction on its own (spec 1.7): what we send after our step 3 (or theirs), what they send after theirs.
    if (l.compressedOut) conn.compressOut(DEFLATE_TUNING);
    if (l.compressedIn) conn.compressIn({}, { chunkSize: DEFLATE_TUNING.chunkSize });
    l.phase = 'open';
    s.linksChanged();
    l.openedAt = this.ctx.clock.now();
    if (l.dialled) this.dialer.opened(l.dialled);
    this.ctx.emit({ type: 'peer.up', protocol: 'gnutella', address: conn.address, direction: conn.direction });
    this.ctx.log.info(`gnutella: ${l.role} ${conn.address} (${l.peer?.userAgent || 'no User-Agent'}) linked${l.compressedIn ? ', compressed' : ''}`);
    s.messages.sendAlivePing(l);
    if (l.peer?.vendorMessages) {
      s.send(l, { muid: Buffer.alloc(16), type: C.DESCRIPTOR_VENDOR, ttl: 1, hops: 0, payload: encodeMessagesSupported([...HOPS_FLOW_MESSAGES, ...PUSH_VENDOR_MESSAGES, ...QUERY_STATUS_MESSAGES]) });
      // Features Supported, as gtk-gnutella sends it: WHAT, so that What's New queries reach us (whats-new.ts).
      s.send(l, { muid: Buffer.alloc(16), type: C.DESCRIPTOR_VENDOR, ttl: 1, hops: 0, payload: encodeFeaturesSupported() });
    }
    if (l.role === 'ultrapeer' && (s.role === 'leaf' || l.peer?.upQueryRouting === true)) s.messages.sendQrp(l);
  }

  /**
   * `X-Try-Ultrapeers` for a refused peer (spec 1.4): our ultrapeer neighbours
   * first (they are up and take links), then hosts from the cache.
   */
  #tryHosts(): Array<{ ip: string; port: number }> {
    const out: Array<{ ip: string; port: number }> = [];
    const seen = new Set<string>();
    const add = (ip: string, port: number): void => {
      const k = `${ip}:${port}`;
      if (out.length < C.MAX_TRY_HOSTS && port > 0 && !seen.has(k)) (seen.add(k), out.push({ ip, port }));
    };
    for (const l of this.s.openLinks('ultrapeer')) {
      const at = l.peer?.listen ?? (l.dialled ? parseAddr(l.dialled)[0] : undefined);
      if (at) add(at.ip, at.port);
    }
    for (const a of this.s.hosts?.pick(C.MAX_TRY_HOSTS) ?? []) for (const h of parseAddr(a)) add(h.ip, h.port);
    return out;
  }

  #connectedGuids(): Set<string> {
    const out = new Set<string>();
    for (const l of this.s.links.values()) if (l.phase === 'open' && l.peer?.guid) out.add(l.peer.guid);
    return out;
  }
}

function parseAddr(a: string): Array<{ ip: string; port: number }> {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d+)$/.exec(a);
  return m ? [{ ip: m[1]!, port: Number(m[2]) }] : [];
}
