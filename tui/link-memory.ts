/**
 * Who is on which link, as peer.up, peer.down and part lines tell the TUI: it names the
 * node behind an address in error lines (`bob's node (127.0.0.1:7403)`), folds a link that
 * closes right after its nick left into the part line, and knows when a link comes up to a
 * nick already linked (a duplicate: both nodes dialled at once, README "Mesh upkeep").
 * Bounded: LINK_MEMORY entries per map, oldest dropped first. Pure: time comes in.
 */
import { sanitize } from './text-width.js';

/** Links and parted nicks remembered to fold a quit into one line (oldest dropped first). */
export const LINK_MEMORY = 1_000;
/** A link closing this soon after its nick left is the same event as the part line. */
export const PART_FOLD_MS = 30_000;

/** A link that comes up this soon after a duplicate link to the same nick closed is its replacement. */
export const DUPLICATE_SWAP_MS = 10_000;

/** Drops the oldest entries of `m` past `limit`. */
export function capMap<K, V>(m: Map<K, V>, limit: number): void {
  while (m.size > limit) {
    const first = m.keys().next();
    if (first.done) break;
    m.delete(first.value);
  }
}

/** See the file comment. */
export class LinkMemory {
  /** Nick of each live link (from peer.up), to fold its peer.down into a part line. */
  readonly #linkNicks = new Map<string, string>();
  /** Who was last seen at each address (kept after the link is gone: names a node that stops answering). */
  readonly #addressNicks = new Map<string, string>();
  /** When each nick last left the mesh (a part line). */
  readonly #recentParts = new Map<string, number>();
  /** When a duplicate link to each nick (`protocol nick`) was closed on purpose. */
  readonly #duplicates = new Map<string, number>();

  /**
   * A link came up at `now`; true when it is no news: another live link of `protocol` has
   * `nick` (a duplicate), or it replaces a duplicate just closed (both nodes dialled at once).
   */
  up(protocol: string, address: string, rawNick: string, now: number): boolean {
    const nick = sanitize(rawNick);
    const swapped = this.#duplicates.get(`${protocol} ${nick}`);
    this.#duplicates.delete(`${protocol} ${nick}`);
    let again = swapped !== undefined && now - swapped <= DUPLICATE_SWAP_MS;
    for (const [k, n] of this.#linkNicks) if (n === nick && k.startsWith(`${protocol} `)) again = true;
    const key = `${protocol} ${address}`;
    this.#linkNicks.set(key, nick);
    capMap(this.#linkNicks, LINK_MEMORY);
    this.#addressNicks.delete(key);
    this.#addressNicks.set(key, nick);
    capMap(this.#addressNicks, LINK_MEMORY);
    return again;
  }

  /**
   * A link went down (`duplicate`: closed on purpose, another link to that node stays): who
   * was on it, and whether its nick left just before (`parted`).
   */
  down(protocol: string, address: string, now: number, duplicate = false): { nick: string | undefined; parted: boolean } {
    const key = `${protocol} ${address}`;
    const nick = this.#linkNicks.get(key);
    this.#linkNicks.delete(key);
    if (duplicate && nick !== undefined && ![...this.#linkNicks].some(([k, n]) => n === nick && k.startsWith(`${protocol} `))) {
      this.#duplicates.set(`${protocol} ${nick}`, now);
      capMap(this.#duplicates, LINK_MEMORY);
    }
    const at = nick === undefined ? undefined : this.#recentParts.get(nick);
    return { nick: nick ?? this.#addressNicks.get(key), parted: at !== undefined && now - at <= PART_FOLD_MS };
  }

  /** `nick` left the mesh at `now`. */
  parted(rawNick: string, now: number): void {
    this.#recentParts.set(sanitize(rawNick), now);
    capMap(this.#recentParts, LINK_MEMORY);
  }

  /** Who was last seen at `address` (`protocol`), if anyone. */
  nickAt(protocol: string, address: string): string | undefined {
    return this.#addressNicks.get(`${protocol} ${address}`);
  }
}
