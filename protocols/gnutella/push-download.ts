import type { Clock } from '../../src/clock.js';
import { NetError, toNetError } from '../../src/errors.js';
import type { DownloadSource } from '../../src/transfer/transfer-types.js';
import * as C from './constants.js';
import type { Descriptor } from './descriptor.js';
import { bothFirewalled, pushTimeout } from './errors.js';
import type { FirewallState } from './firewall-state.js';
import { GenerationMap } from './generation-map.js';
import type { LocalInfo, Role } from './handshake.js';
import { httpSource, type GnutellaRef } from './http-download.js';
import type { HostPort } from './ipv4.js';
import type { GnutellaLink } from './link.js';
import { PendingPushes } from './pending-pushes.js';
import { encodePush } from './push.js';
import { askPushProxy } from './push-proxy-http.js';
import { PushedAgent } from './pushed-agent.js';
import { newGuid } from './servent-guid.js';

/** How long a download waits for the GIV (LimeWire: 30 s, spec 4.4). */
export const PUSH_WAIT_MS = 30_000;
/** A proxy said 202 but no GIV came within this (or a third of the wait): a routed Push follows. */
export const PROXY_GRACE_MS = 10_000;
/**
 * After our start, how long a push download waits for the connect-back that
 * may prove us reachable before it says both sides are firewalled.
 */
export const START_GRACE_MS = 20_000;
/** Push proxies a downloader asks for one file. */
export const MAX_PROXIES_ASKED = 4;
/** TTL of our Pushes (GTKG uses 4, appendix 12). */
export const PUSH_TTL = C.MAX_TTL;
/** Servent GUID -> link its hits came through, for our own pushes (spec 2.15: LW keeps 7-14 min). */
const PUSH_ROUTES_PER_GENERATION = 5_000;
const PUSH_ROUTE_GENERATION_MS = 7 * 60_000;

/** What the downloading side needs from the servent. */
export interface DownloadHost {
  readonly local: LocalInfo;
  readonly opts: { pushWaitMs?: number };
  openLinks(role?: Role): readonly GnutellaLink[];
  send(l: GnutellaLink, d: Descriptor): void;
}

/**
 * Downloads from firewalled holders (spec 4.3-4.5): said impossible at once
 * when we are firewalled too; otherwise a push through the hit's push proxies
 * or a routed Push, a bounded wait for the holder's GIV on our port, and the
 * ordinary HTTP download (ranges, pieces, resume, verify) on that socket.
 */
export class PushDownloads {
  readonly pending: PendingPushes;
  /** Servent GUID (hex) -> the link its hits came through. */
  readonly #routes: GenerationMap<string, number>;
  routed = 0;
  proxyAsked = 0;
  proxyOk = 0;

  constructor(
    private readonly s: DownloadHost,
    private readonly firewall: FirewallState,
    private readonly clock: Clock,
  ) {
    this.pending = new PendingPushes(clock);
    this.#routes = new GenerationMap({ maxPerGeneration: PUSH_ROUTES_PER_GENERATION, generationMs: PUSH_ROUTE_GENERATION_MS, now: () => clock.now() });
  }

  /** A hit delivered to us: its servent is pushed along the link it came through (spec 2.15). */
  noteHit(serventGuid: Buffer, l: GnutellaLink): void {
    this.#routes.set(serventGuid.toString('hex'), l.id);
  }

  /** A download from a firewalled holder: push, wait for its GIV, then ordinary HTTP on that socket. */
  source(ref: GnutellaRef): DownloadSource {
    return httpSource(ref, (signal) => this.#pushed(ref, signal));
  }

  async #pushed(ref: GnutellaRef, signal: AbortSignal): Promise<PushedAgent> {
    const who = holder(ref);
    // Spec 4.5: neither side can accept the other's connection; say so now, not after a timeout
    // (only right after our start is that not known yet).
    if (this.firewall.firewalled) await this.#undecided(signal);
    if (signal.aborted) throw toNetError(signal.reason);
    if (this.firewall.firewalled) throw bothFirewalled(who, this.firewall.describe());
    const me = this.s.local.listen;
    if (!me) throw NetError.refused(`cannot push ${who}: our own address is not known yet (no peer told us, no --gnutella-host)`);
    const guid = Buffer.from(ref.guid, 'hex');
    if (guid.length !== C.GUID_BYTES) throw NetError.badMessage(`bad servent GUID ${ref.guid}`);
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let tried = 'nothing';
    const ms = this.s.opts.pushWaitMs ?? PUSH_WAIT_MS;
    const waiting = this.pending.wait(ref.guid, ref.index, ms, stop.signal, () => pushTimeout(who, ms, tried));
    waiting.catch(() => undefined);
    try {
      if ((ref.proxies ?? []).length > 0) tried = 'asking its push proxies';
      const sent = await this.#sendPush(ref, guid, me, stop.signal);
      tried = sent.text;
      if (sent.via === 'proxy' && (await this.#quiet(waiting, Math.min(ms / 3, PROXY_GRACE_MS), stop.signal))) {
        // The proxy took it, yet nothing came: its leaf may be gone. Try the route as well (LimeWire does).
        const more = this.#route(ref, guid, me);
        if (more) tried += `, then ${more}`;
      }
      const pushed = await waiting;
      return new PushedAgent(pushed.socket, pushed.head);
    } catch (err) {
      stop.abort();
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Right after our start: waits until a connect-back proves us reachable, the grace ends, or the download stops. */
  #undecided(signal: AbortSignal): Promise<void> {
    const ms = this.firewall.undecidedMs(START_GRACE_MS);
    if (ms === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        timer.cancel();
        stopWaiting();
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = this.clock.setTimeout(done, ms);
      const stopWaiting = this.firewall.onReachable(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * Asks the hit's push proxies first (spec 4.3); when none answers 202,
   * routes a Push along the link the holder's hits came through, or through
   * every ultrapeer when that route is gone. Returns what was tried, for the
   * timeout message; throws when nothing could be sent.
   */
  async #sendPush(ref: GnutellaRef, guid: Buffer, me: HostPort, signal: AbortSignal): Promise<{ via: 'proxy' | 'route'; text: string }> {
    const proxies = (ref.proxies ?? []).slice(0, MAX_PROXIES_ASKED).flatMap((p) => {
      const m = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(p);
      return m ? [{ ip: m[1]!, port: Number(m[2]) }] : [];
    });
    const failed: string[] = [];
    for (const proxy of proxies) {
      this.proxyAsked++;
      try {
        await askPushProxy(proxy, guid, me, signal);
        this.proxyOk++;
        return { via: 'proxy', text: `asking push proxy ${proxy.ip}:${proxy.port}` };
      } catch (err) {
        if (signal.aborted) throw err;
        failed.push(`${proxy.ip}:${proxy.port} (${toNetError(err).message})`);
      }
    }
    const tail = failed.length > 0 ? `; push proxies failed: ${failed.join(', ')}` : '';
    const routed = this.#route(ref, guid, me);
    if (!routed) throw NetError.refused(`cannot push ${holder(ref)}: no link to route a Push on${tail}`);
    return { via: 'route', text: `${routed}${tail}` };
  }

  /** Sends a Push along the holder's route, or on every ultrapeer link; says how, or undefined with no link. */
  #route(ref: GnutellaRef, guid: Buffer, me: HostPort): string | undefined {
    const routed = this.#routes.get(ref.guid);
    const via = this.s.openLinks().filter((l) => l.id === routed);
    const links = via.length > 0 ? via : this.s.openLinks('ultrapeer');
    if (links.length === 0) return undefined;
    const payload = encodePush({ serventGuid: guid, index: ref.index, ip: me.ip, port: me.port });
    for (const l of links) {
      this.routed++;
      this.s.send(l, { muid: newGuid(), type: C.DESCRIPTOR_PUSH, ttl: PUSH_TTL, hops: 0, payload });
    }
    return `a routed Push via ${links.map((l) => l.conn.address).join(', ')}`;
  }

  /** True when `waiting` is still unsettled after `ms` (false once it settles or the download stops). */
  #quiet(waiting: Promise<unknown>, ms: number, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const t = this.clock.setTimeout(() => resolve(!signal.aborted), ms);
      const settle = (): void => (t.cancel(), resolve(false));
      waiting.then(settle, settle);
    });
  }

  /** For `/gstatus`. */
  statusText(): string {
    const p = this.pending;
    return `sent ${this.routed} routed, ${this.proxyOk}/${this.proxyAsked} through proxies; waiting ${p.size}, GIVs matched ${p.matched}, unmatched ${p.unmatched}, timed out ${p.timedOut}`;
  }
}

function holder(ref: GnutellaRef): string {
  return `${ref.ip}:${ref.port}`;
}
