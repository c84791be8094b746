import type { Logger } from '../../src/log.js';
import type { ConnectionGroup } from '../../src/net/connection-group.js';
import type { HostCache } from '../../src/peers/host-cache.js';
import { ConnectGate } from './connect-gate.js';
import { GWC_RECONTACT_MS, isWebCache, queryWebCache } from './gwebcache.js';
import type { GnutellaFrame, GnutellaLink } from './link.js';
import type { Connection } from '../../src/net/connection.js';

/** Dial backoff per host: first wait and cap (appendix 8: hammering earns a ban). */
export const BACKOFF_MIN_MS = 10_000;
export const BACKOFF_MAX_MS = 10 * 60_000;
/** Hosts whose backoff is remembered (every failed dial adds one, from addresses peers gave us); the oldest goes first. */
export const MAX_BACKOFF_HOSTS = 4_096;

/** What the dialer needs from its servent. */
export interface DialerDeps {
  group: ConnectionGroup<GnutellaFrame>;
  links: ReadonlyMap<Connection<GnutellaFrame>, GnutellaLink>;
  hosts: () => HostCache | undefined;
  now: () => number;
  log: Logger;
  stopped: () => boolean;
  /** UDP host caches and GWebCaches from `--gnutella-bootstrap`. */
  bootstrap: readonly string[];
  /** Asks the UDP host caches (spec 8). */
  askUdpCaches: (uhcs: string[]) => void;
  /** True for a hostile `ip:port` (hostiles.ts): never dialled nor cached from a web cache. */
  hostile: (addr: string) => boolean;
  /** Counts a hostile host passed over. */
  notDialled: () => void;
}

/**
 * Outbound links (spec 1, 8, appendix 8): picks hosts from the cache, dials
 * them at most at the connect gate's rate, backs off per host on failure, and
 * falls back to the UDP host caches and GWebCaches when nobody is left.
 */
export class Dialer {
  readonly #dialling = new Set<string>();
  readonly #backoff = new Map<string, { until: number; wait: number }>();
  /** Dials per servent (ip:port) kept to appendix 8's rate, and 429 bans honoured. */
  readonly #gate = new ConnectGate();
  readonly #gwcAsked = new Map<string, number>();
  #gwcBusy = false;

  constructor(private readonly d: DialerDeps) {}

  /** Hosts with a backoff remembered. */
  get backoffSize(): number {
    return this.#backoff.size;
  }

  /** Dials in progress. */
  get pending(): number {
    return this.#dialling.size;
  }

  /**
   * Dials until `have() >= want`; `self` is our own address, never dialled.
   * Asks the host caches when nobody is left to try.
   */
  fill(want: number, have: () => number, self: string, only?: (addr: string) => boolean): void {
    const hosts = this.d.hosts();
    if (!hosts || have() + this.#dialling.size >= want) return;
    const now = this.d.now();
    const busy = new Set([...this.#dialling, ...[...this.d.links.values()].map((l) => l.dialled ?? l.conn.address)]);
    let dialled = 0;
    for (const addr of hosts.pick(50, busy)) {
      if (have() + this.#dialling.size >= want) break;
      const b = this.#backoff.get(addr);
      if (b && b.until > now) continue;
      if (!this.#gate.allows(addr, now)) continue;
      if (addr === self || (only && !only(addr))) continue;
      if (this.d.hostile(addr)) {
        this.d.notDialled();
        continue;
      }
      this.dial(addr);
      dialled++;
    }
    // Nobody left to try: ask the UDP host caches (spec 8), each at most every 180 s;
    // the HTTP web caches only when the host cache is empty.
    if (dialled === 0 && this.#dialling.size === 0) {
      const uhcs = this.d.bootstrap.filter((b) => !isWebCache(b));
      if (uhcs.length > 0) this.d.askUdpCaches(uhcs);
      if (hosts.size === 0) this.#askWebCaches(now);
    }
  }

  /** Asks each GWebCache from --gnutella-bootstrap not asked in the last 180 s, one at a time (spec 8). */
  #askWebCaches(now: number): void {
    if (this.#gwcBusy) return;
    const caches = this.d.bootstrap.filter((b) => isWebCache(b) && !(now - (this.#gwcAsked.get(b) ?? -Infinity) < GWC_RECONTACT_MS));
    if (caches.length === 0) return;
    this.#gwcBusy = true;
    void (async () => {
      for (const c of caches) {
        if (this.d.stopped()) break;
        this.#gwcAsked.set(c, this.d.now());
        const r = await queryWebCache(c);
        let n = 0;
        for (const h of r.hosts) if (!this.d.hostile(h) && this.d.hosts()?.add(h)) n++;
        this.d.log.info(`gnutella: web cache ${c} ${r.error ? `failed: ${r.error}` : `gave ${r.hosts.length} hosts (${n} new)`}`);
        if (n > 0) break;
      }
      this.#gwcBusy = false;
    })();
  }

  dial(addr: string): void {
    const colon = addr.lastIndexOf(':');
    const host = addr.slice(0, colon);
    const port = Number(addr.slice(colon + 1));
    this.#dialling.add(addr);
    this.#gate.dialled(addr, this.d.now());
    this.d.group.dial(host, port, { timeoutMs: 10_000 }).then(
      (conn) => {
        this.#dialling.delete(addr);
        const l = this.d.links.get(conn);
        if (l) l.dialled = addr;
      },
      (err: unknown) => {
        this.#dialling.delete(addr);
        this.failed(addr, err instanceof Error ? err.message : String(err));
      },
    );
  }

  /** A dialled link opened: the host is good, its backoff forgotten. */
  opened(addr: string): void {
    this.d.hosts()?.good(addr);
    this.#backoff.delete(addr);
  }

  /** A dialled link closed before it opened; a 429 bans the host for a while (appendix 8). */
  closedInHandshake(addr: string, code: string | undefined, message: string): void {
    // 429: too many connects from us; gtk-gnutella bans for 5 minutes or more (appendix 8).
    if (code === 'REFUSED' && /^(peer refused in step 3: )?429\b/.test(message)) this.#gate.banned(addr, this.d.now());
    this.failed(addr, message);
  }

  failed(addr: string, why: string): void {
    const now = this.d.now();
    const prev = this.#backoff.get(addr);
    const wait = prev ? Math.min(prev.wait * 2, BACKOFF_MAX_MS) : BACKOFF_MIN_MS;
    this.#backoff.delete(addr); // re-inserted: the map's order is least recently failed first
    if (this.#backoff.size >= MAX_BACKOFF_HOSTS) this.#backoff.delete(this.#backoff.keys().next().value!);
    this.#backoff.set(addr, { until: now + wait, wait });
    this.d.hosts()?.failed(addr);
    this.d.log.debug(`gnutella: ${addr}: ${why}; next try in ${Math.round(wait / 1000)} s`);
  }
}
