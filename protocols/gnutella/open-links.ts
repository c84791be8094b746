import type { Connection } from '../../src/net/connection.js';
import type { GnutellaFrame, GnutellaLink } from './link.js';

/**
 * The servent's open links by role, cached until a link opens or closes: an
 * ultrapeer asks several times per query, and building the list each time
 * allocated per message.
 */
export class OpenLinks {
  readonly #cache = new Map<string, readonly GnutellaLink[]>();

  constructor(private readonly links: ReadonlyMap<Connection<GnutellaFrame>, GnutellaLink>) {}

  /** Open links, of one role or all. */
  get(role?: 'leaf' | 'ultrapeer'): readonly GnutellaLink[] {
    const key = role ?? 'all';
    let list = this.#cache.get(key);
    if (!list) {
      list = [...this.links.values()].filter((l) => l.phase === 'open' && (role === undefined || l.role === role));
      this.#cache.set(key, list);
    }
    return list;
  }

  /** A link opened or closed: the cached lists are stale. */
  changed(): void {
    this.#cache.clear();
  }
}
