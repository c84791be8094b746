import { checkRemoteName } from '../../src/share/remote-name.js';
import type { FileHit } from '../../src/search/file-protocol.js';
import type { GnutellaRef } from './http-download.js';
import { GGEP_PUSH } from './constants.js';
import { ggepGet } from './ggep.js';
import { isPrivateIpv4, unpackHosts } from './ipv4.js';
import type { QueryHit } from './query-hit.js';

/** Searches running at once; an older one is ended past this. */
export const MAX_SEARCHES = 32;
/** Hits delivered to one search; more are counted and dropped. */
export const MAX_HITS_PER_SEARCH = 1_000;
/** Ended searches whose late hits are still recognised (and counted) as ours. */
export const MAX_ENDED_SEARCHES = 64;

interface Running {
  sink: (hit: FileHit) => void;
  hits: number;
}

/**
 * Our own searches by query MUID: a QueryHit routed to us goes to the sink of
 * the search that sent its Query (spec 2.15). Bounded in searches and hits.
 */
export class Searches {
  readonly #running = new Map<string, Running>();
  /** MUIDs of the last MAX_ENDED_SEARCHES searches that ended: their hits are ours, but late. */
  readonly #ended = new Set<string>();
  hitsIn = 0;
  hitsDropped = 0;
  /** Results that came after their search ended (counted in hitsIn, delivered to no one). */
  hitsLate = 0;

  add(muid: Buffer, sink: (hit: FileHit) => void): void {
    if (this.#running.size >= MAX_SEARCHES) {
      const oldest = this.#running.keys().next().value;
      if (oldest !== undefined) this.#running.delete(oldest);
    }
    this.#running.set(muid.toString('hex'), { sink, hits: 0 });
  }

  /** The search ended: its later hits are still ours (counted as late), not someone else's to route. */
  remove(muid: Buffer): void {
    const key = muid.toString('hex');
    if (!this.#running.delete(key)) return;
    this.#ended.add(key);
    if (this.#ended.size > MAX_ENDED_SEARCHES) this.#ended.delete(this.#ended.values().next().value!);
  }

  /** Results a running search kept (for BEAR/12, spec 3.5); undefined once it ended. */
  kept(muid: Buffer): number | undefined {
    return this.#running.get(muid.toString('hex'))?.hits;
  }

  /** A search of ours, running or recently ended: hits for it stop here. */
  has(muid: Buffer): boolean {
    const key = muid.toString('hex');
    return this.#running.has(key) || this.#ended.has(key);
  }

  /**
   * Turns a hit's results into FileHits. The push flag decides firewalled: set
   * = push needed; clear = direct even from a private or loopback address
   * (LANs, tests); absent = a private address means firewalled (issue 10).
   */
  deliver(muid: Buffer, hit: QueryHit): void {
    const s = this.#running.get(muid.toString('hex'));
    if (!s) {
      if (this.#ended.has(muid.toString('hex'))) {
        this.hitsIn += hit.results.length;
        this.hitsLate += hit.results.length;
      }
      return;
    }
    const firewalled = hit.flags.push ?? isPrivateIpv4(hit.ip);
    const source = `${hit.ip}:${hit.port}`;
    const guid = hit.serventGuid.toString('hex');
    const proxies = firewalled ? pushProxiesOf(hit) : [];
    for (const r of hit.results) {
      this.hitsIn++;
      // A name we could not save or show safely (traversal, control characters) is no result.
      if (s.hits >= MAX_HITS_PER_SEARCH || checkRemoteName(r.name) !== undefined || hit.port === 0) {
        this.hitsDropped++;
        continue;
      }
      s.hits++;
      const sha1 = r.sha1s[0];
      const ref: GnutellaRef = { ip: hit.ip, port: hit.port, index: r.index, name: r.name, guid, firewalled, ...(sha1 ? { sha1 } : {}), ...(proxies.length > 0 ? { proxies } : {}) };
      s.sink({ name: r.name, size: r.size, source, speed: hit.speed, firewalled, ref, ...(sha1 ? { sha1 } : {}) });
    }
  }
}

/** Push proxies a firewalled hit lists in its trailer GGEP `PUSH` (spec 2.8, 4.3): at most 8, malformed ones ignored. */
export function pushProxiesOf(hit: QueryHit): string[] {
  const data = ggepGet(hit.ggep, GGEP_PUSH);
  if (!data) return [];
  try {
    return unpackHosts(data, 8)
      .filter((h) => h.port > 0 && h.ip !== '0.0.0.0')
      .map((h) => `${h.ip}:${h.port}`);
  } catch {
    return [];
  }
}
