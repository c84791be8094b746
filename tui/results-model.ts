/**
 * The Results window's searches: each search is a group with its query, the
 * protocols asked and how it ended, and its hits below it (gtk-gnutella
 * gives each search its own view; here each gets its own section of one
 * window, so window numbers never move and every result stays one `/get N`
 * away). `/close` drops one search, `/clear` all of them. Bounded: at most
 * RESULTS_LIMIT hits (oldest dropped first) and SEARCHES_LIMIT searches.
 * Pure.
 */
import type { EventOf, SearchHit } from '../src/app-api.js';
import { sortHits } from './tables.js';
import { sanitize } from './text-width.js';
import type { SortKey } from './ui-model.js';

/** Search results kept (oldest dropped first). */
export const RESULTS_LIMIT = 5_000;
/** Searches kept in the window (the oldest is closed first). */
export const SEARCHES_LIMIT = 50;

/** One search as the Results window shows it. */
export interface SearchGroup {
  readonly id: string;
  /** The query as the core read it back; '' when the search began before this window knew. */
  query: string;
  /** Protocols asked (from search.started). */
  protocols: string[];
  /** search.done per protocol. */
  readonly done: Map<string, { hits: number; peers: number }>;
  hits: number;
}

/** A row of the Results table: a search's heading or one of its hits. */
export type ResultRow = { kind: 'search'; group: SearchGroup } | { kind: 'hit'; hit: SearchHit };

/** Whether every protocol asked has answered. */
export function searchFinished(g: SearchGroup): boolean {
  return g.protocols.length > 0 ? g.protocols.every((p) => g.done.has(p)) : g.done.size > 0;
}

/** Whether the search finished without reaching a single peer. */
export function reachedNobody(g: SearchGroup): boolean {
  return searchFinished(g) && [...g.done.values()].every((d) => d.peers === 0);
}

/** Searches and their hits; see the module comment. */
export class ResultsModel {
  readonly groups = new Map<string, SearchGroup>();
  /** Every kept hit, in arrival order. */
  hits: SearchHit[] = [];
  dropped = 0;
  /** Closed searches whose late hits are ignored (bounded like the groups). */
  readonly #closed = new Set<string>();
  #version = 0;
  #cache: { version: number; key: SortKey; desc: boolean; rows: ResultRow[] } | undefined;

  #group(id: string): SearchGroup {
    let g = this.groups.get(id);
    if (!g) {
      g = { id, query: '', protocols: [], done: new Map(), hits: 0 };
      this.groups.set(id, g);
      while (this.groups.size > SEARCHES_LIMIT) {
        const oldest = this.groups.keys().next();
        if (oldest.done) break;
        this.close(oldest.value);
      }
    }
    return g;
  }

  started(e: EventOf<'search.started'>): void {
    this.#closed.delete(e.search);
    const g = this.#group(e.search);
    g.query = sanitize(e.query);
    g.protocols = e.protocols.map(sanitize);
    this.#version++;
  }

  /** Adds a hit; false when its search was closed. */
  hit(hit: SearchHit): boolean {
    if (this.#closed.has(hit.search)) return false;
    this.#group(hit.search).hits++;
    this.hits.push(hit);
    if (this.hits.length > RESULTS_LIMIT) {
      const gone = this.hits.splice(0, this.hits.length - RESULTS_LIMIT);
      this.dropped += gone.length;
      for (const h of gone) {
        const g = this.groups.get(h.search);
        if (g) g.hits--;
      }
    }
    this.#version++;
    return true;
  }

  /** Records one protocol's end of a search; returns its group (undefined when closed). */
  done(e: EventOf<'search.done'>): SearchGroup | undefined {
    if (this.#closed.has(e.search)) return undefined;
    const g = this.#group(e.search);
    g.done.set(sanitize(e.protocol), { hits: e.hits, peers: e.peers });
    if (g.protocols.length > 0 && !g.protocols.includes(e.protocol)) g.protocols.push(sanitize(e.protocol));
    this.#version++;
    return g;
  }

  /** Closes one search: its heading and hits leave the window, later hits are ignored. */
  close(id: string): boolean {
    if (!this.groups.delete(id)) return false;
    this.#closed.add(id);
    while (this.#closed.size > SEARCHES_LIMIT * 4) {
      const first = this.#closed.values().next();
      if (first.done) break;
      this.#closed.delete(first.value);
    }
    this.hits = this.hits.filter((h) => h.search !== id);
    this.#version++;
    return true;
  }

  /** Closes every search. */
  clear(): void {
    for (const id of [...this.groups.keys()]) this.close(id);
    this.hits = [];
    this.dropped = 0;
    this.#version++;
  }

  /** Newest search id, for `/close` without an argument. */
  latest(): string | undefined {
    let last: string | undefined;
    for (const id of this.groups.keys()) last = id;
    return last;
  }

  /** Headings and hits, each search's hits in the asked order; recomputed only after a change. */
  rows(key: SortKey, desc: boolean): ResultRow[] {
    const c = this.#cache;
    if (c && c.version === this.#version && c.key === key && c.desc === desc) return c.rows;
    const bySearch = new Map<string, SearchHit[]>();
    for (const h of this.hits) {
      const list = bySearch.get(h.search);
      if (list) list.push(h);
      else bySearch.set(h.search, [h]);
    }
    const rows: ResultRow[] = [];
    for (const g of this.groups.values()) {
      rows.push({ kind: 'search', group: g });
      for (const hit of sortHits(bySearch.get(g.id) ?? [], key, desc)) rows.push({ kind: 'hit', hit });
    }
    this.#cache = { version: this.#version, key, desc, rows };
    return rows;
  }
}
