/**
 * Gnutella crawlers (spec 1.3 `Crawler: 0.1`, appendix 14), answered as
 * gtk-gnutella answers them (nodes.c node_crawler_headers, the crawler branch
 * of its step-2 answer): a connect that carries `Crawler` is taken whatever our
 * slots, role or its `X-Ultrapeer`, and gets a one-shot 200 with `User-Agent`,
 * `Peers:` (our ultrapeer neighbours' addresses) and, as an ultrapeer, `Leaves:`
 * (our leaves'), each `ip:port` joined by ", "; the link closes once the crawler
 * has sent its step 3. One address may crawl us once per 5 minutes; sooner gets
 * `403 Too frequent crawling`. Neighbours whose address we do not know are left
 * out, as gtk-gnutella leaves them out.
 */
import { USER_AGENT } from './constants.js';
import { encodeHeaderBlock, type HeaderBlock } from './headers.js';
import type { HostPort } from './ipv4.js';

/** One crawl per address per this long (gtk-gnutella's TCP_CRAWLER_FREQ). */
export const CRAWL_EVERY_MS = 300_000;
/** Addresses remembered (everything fed by peers has a cap): the oldest crawl is forgotten first. */
export const MAX_CRAWLERS = 1024;
export const TOO_FREQUENT_CRAWLING = 'Too frequent crawling';

/** Whether a step-1 block comes from a crawler. */
export function isCrawler(b: HeaderBlock): boolean {
  return b.headers.has('crawler');
}

/** The crawler's 200: our ultrapeer neighbours, and our leaves when we are an ultrapeer. */
export function crawlerResponse(peers: readonly HostPort[], leaves: readonly HostPort[] | undefined, userAgent = USER_AGENT): Buffer {
  const list = (hs: readonly HostPort[]): string => hs.map((h) => `${h.ip}:${h.port}`).join(', ');
  const headers: Array<[string, string]> = [
    ['User-Agent', userAgent],
    ['Peers', list(peers)],
  ];
  if (leaves) headers.push(['Leaves', list(leaves)]);
  return encodeHeaderBlock('GNUTELLA/0.6 200 OK', headers);
}

/** When each address last crawled us: says whether it may now. Bounded. */
export class CrawlGate {
  readonly #last = new Map<string, number>();

  /** True (and recorded) when `ip` has not crawled us in the last 5 minutes. */
  allow(ip: string, now: number): boolean {
    const at = this.#last.get(ip);
    if (at !== undefined && now - at < CRAWL_EVERY_MS) return false;
    this.#last.delete(ip);
    if (this.#last.size >= MAX_CRAWLERS) this.#last.delete(this.#last.keys().next().value!);
    this.#last.set(ip, now);
    return true;
  }
}
