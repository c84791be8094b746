import type { AppEvent } from '../app-api.js';
import { systemClock, type Clock, type Timer } from '../clock.js';
import { NetError, toNetError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import type { TransferEngine } from '../transfer/transfer-engine.js';
import type { DownloadRequest, TransferInfo } from '../transfer/transfer-types.js';
import type { FileHit, FileProtocol } from './file-protocol.js';
import { HitTable, DEFAULT_MAX_REMEMBERED_HITS, type NumberedHit } from './hit-table.js';
import { checkQuery, formatQuery, matchesQuery, type SearchQuery } from './search-query.js';

/**
 * What `/get N` says of a number no search gave: that nothing is numbered yet and how numbers
 * come (`/get 1` before any search said only `no search result #1`), or the newest there is.
 */
export function noResult(n: number, last: number): string {
  if (last === 0) return `no search result #${n}: no search has found anything yet (/search words; its hits are numbered #1, #2, ...)`;
  return `no search result #${n} (the newest is #${last})`;
}

/** Limits of the search service; defaults in SEARCH_DEFAULTS. */
export interface SearchServiceOptions {
  /** Where `search.*` events go (the node's event stream). */
  emit(e: AppEvent): void;
  /** Where `/get N` queues downloads. */
  transfers: TransferEngine;
  clock?: Clock;
  log?: Logger;
  /** Hits remembered for `/get N`; the oldest are forgotten first. */
  maxRememberedHits?: number;
  /** Hits kept from one protocol for one search; more are dropped. */
  maxHitsPerSearch?: number;
  /** Searches running at once; a new one past this aborts the oldest. */
  maxActiveSearches?: number;
  /** A search still running after this long is aborted (its protocols report done). */
  searchTimeoutMs?: number;
}

/** Defaults for SearchServiceOptions. */
export const SEARCH_DEFAULTS = {
  maxRememberedHits: DEFAULT_MAX_REMEMBERED_HITS,
  maxHitsPerSearch: 2_000,
  maxActiveSearches: 16,
  searchTimeoutMs: 10 * 60_000,
} as const;

/** Longest hit name and source kept (characters); longer hits are dropped as malformed. */
const MAX_HIT_NAME_CHARS = 1024;
const MAX_HIT_SOURCE_CHARS = 256;
const MAX_SHA1_CHARS = 64;
// C0/C1 controls and line separators never reach a terminal or a log line.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

interface ActiveSearch {
  id: string;
  runs: Map<string, AbortController>;
  timer: Timer;
}

/**
 * The one owner of searches (issue 7, "Search and download belong to the
 * core"): file protocols register here while they run; `start` asks all of
 * them (or one) at once, gives every hit a program-wide number, remembers
 * which protocol made it (bounded) and emits `search.started`, `search.hit`
 * and one `search.done` per protocol. `download(n)` turns hit N into a
 * download through the protocol that made it.
 */
/** What /search says when nothing could search, and how to start something that can. */
export const NO_FILE_PROTOCOL = 'no file-sharing protocol is running: start peerdeck with --gnutella, --pplus2-port PORT or --napster HOST:PORT to search';

export class SearchService {
  readonly #o: Required<Omit<SearchServiceOptions, 'clock' | 'log' | 'emit' | 'transfers'>>;
  readonly #emit: (e: AppEvent) => void;
  readonly #transfers: TransferEngine;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #protocols = new Map<string, FileProtocol>();
  readonly #active = new Map<string, ActiveSearch>();
  readonly #running = new Set<Promise<void>>();
  readonly #hits: HitTable;
  #seq = 0;

  constructor(opts: SearchServiceOptions) {
    this.#o = { ...SEARCH_DEFAULTS, ...withoutUndefined(opts) };
    this.#emit = opts.emit;
    this.#transfers = opts.transfers;
    this.#clock = opts.clock ?? systemClock;
    this.#log = opts.log ?? silentLogger;
    this.#hits = new HitTable(this.#o.maxRememberedHits);
  }

  /** Makes a protocol searchable (the node does this when its plugin has started). */
  register(protocol: string, files: FileProtocol): void {
    if (this.#protocols.has(protocol)) throw new Error(`file protocol ${protocol} registered twice`);
    this.#protocols.set(protocol, files);
  }

  /** Stops asking a protocol (its plugin is stopping); its running searches are aborted. */
  unregister(protocol: string): void {
    this.#protocols.delete(protocol);
    for (const s of this.#active.values()) s.runs.get(protocol)?.abort(NetError.closed(`${protocol} stopped`));
  }

  /** Running file protocols, in registration order. */
  get protocols(): string[] {
    return [...this.#protocols.keys()];
  }

  /** Hits remembered for `/get` right now. */
  get remembered(): number {
    return this.#hits.size;
  }

  /**
   * Starts a search of every running file protocol, or only `protocol`.
   * Returns at once; hits and `search.done` events follow.
   */
  start(query: SearchQuery, protocol?: string): { id: string; protocols: string[] } {
    checkQuery(query);
    let names = this.protocols;
    if (protocol !== undefined) {
      if (!this.#protocols.has(protocol)) {
        throw NetError.notFound(`no file-sharing protocol ${protocol} is running (running: ${names.join(', ') || 'none'})`);
      }
      names = [protocol];
    }
    if (names.length === 0) throw NetError.notFound(NO_FILE_PROTOCOL);
    while (this.#active.size >= this.#o.maxActiveSearches) {
      const oldest = this.#active.values().next().value;
      if (!oldest) break;
      this.#log.info(`search ${oldest.id} stopped: more than ${this.#o.maxActiveSearches} searches at once`);
      this.#abort(oldest, NetError.limit('too many searches at once'));
    }
    const id = `s${++this.#seq}`;
    const search: ActiveSearch = {
      id,
      runs: new Map(names.map((n) => [n, new AbortController()])),
      timer: this.#clock.setTimeout(() => this.#abort(search, NetError.timeout(`search ${id}`, this.#o.searchTimeoutMs)), this.#o.searchTimeoutMs),
    };
    this.#active.set(id, search);
    this.#emit({ type: 'search.started', search: id, query: formatQuery(query), protocols: names });
    for (const name of names) {
      const run = this.#run(search, name, this.#protocols.get(name)!, query);
      this.#running.add(run);
      void run.finally(() => this.#running.delete(run));
    }
    return { id, protocols: names };
  }

  /** Hit N as remembered, or undefined when it was never given or is forgotten. */
  hit(n: number): NumberedHit | undefined {
    return this.#hits.get(n);
  }

  /**
   * Queues hit N for download through the protocol that made it; returns the
   * transfer id, and `joined` when the hit became another source of a download
   * of the same file already queued or running (no new transfer), or `already`
   * when that download has this source already (nothing to do: it was refused as
   * DUPLICATE, an error, although the file is on its way).
   */
  download(n: number): { id: number; hit: NumberedHit; joined: boolean; already?: TransferInfo } {
    const hit = this.#hits.get(n);
    if (!hit) {
      throw NetError.notFound(
        this.#hits.issued(n) ? `result #${n} is forgotten (only the last ${this.#hits.max} are kept); search again` : noResult(n, this.#hits.last),
      );
    }
    const req = this.request(hit.protocol, hit.hit);
    const joined = this.#transfers.addSource(req);
    if (joined !== undefined) return { id: joined, hit, joined: true };
    const already = this.#transfers.downloading(req);
    if (already) return { id: already.id, hit, joined: false, already };
    return { id: this.#transfers.download(req), hit, joined: false };
  }

  /**
   * The download request for a hit of `protocol`, through that protocol's
   * `source(hit)`: used by `/get N` and to revive a persisted download.
   * Throws NOT_FOUND when the protocol is not running.
   */
  request(protocol: string, hit: FileHit): DownloadRequest {
    const files = this.#protocols.get(protocol);
    if (!files) throw NetError.notFound(`${protocol} is not running`);
    return {
      name: hit.name,
      peer: hit.source,
      protocol,
      source: files.source(hit),
      size: hit.size >= 0 ? hit.size : null,
      ...(hit.sha1 !== undefined ? { sha1: hit.sha1 } : {}),
      ref: hit.ref,
      ...files.download,
    };
  }

  /** Aborts every search and waits until their protocols have finished. */
  async stop(): Promise<void> {
    for (const s of [...this.#active.values()]) this.#abort(s, NetError.closed('shutting down'));
    await Promise.allSettled([...this.#running]);
  }

  async #run(search: ActiveSearch, protocol: string, files: FileProtocol, query: SearchQuery): Promise<void> {
    const signal = search.runs.get(protocol)!.signal;
    let hits = 0;
    let open = true;
    const sink = (raw: FileHit): void => {
      if (!open || signal.aborted) return;
      const hit = cleanHit(raw);
      if (!hit) {
        this.#log.debug(`${protocol}: malformed hit dropped`);
        return;
      }
      if (!matchesQuery(hit.name, hit.size, query) || hits >= this.#o.maxHitsPerSearch) return;
      hits++;
      const { n } = this.#hits.add(search.id, protocol, hit);
      this.#emit({
        type: 'search.hit',
        search: search.id,
        n,
        name: hit.name,
        size: hit.size,
        source: hit.source,
        protocol,
        ...(hit.sha1 !== undefined ? { sha1: hit.sha1 } : {}),
        ...(hit.speed !== undefined ? { speed: hit.speed } : {}),
        ...(hit.firewalled !== undefined ? { firewalled: hit.firewalled } : {}),
      });
    };
    let peers = 0;
    try {
      // Asked from the next turn of the event loop: `/search`'s answer ("search s1: asking gnutella
      // for ...") is printed once the command resolves, in this turn; a protocol with nobody to ask
      // ends at once, and its end ("reached no peer") came before that answer.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (!signal.aborted) ({ peers } = await files.search(query, sink, signal));
    } catch (err) {
      if (!signal.aborted) {
        const e = toNetError(err);
        this.#log.warn(`search ${search.id} on ${protocol} failed: ${e.code}: ${e.message}`);
        this.#emit({ type: 'error', protocol, message: `search ${search.id} failed: ${e.message}` });
      }
    } finally {
      open = false;
    }
    this.#emit({ type: 'search.done', search: search.id, protocol, hits, peers: Number.isSafeInteger(peers) && peers > 0 ? peers : 0 });
    search.runs.delete(protocol);
    if (search.runs.size === 0) {
      search.timer.cancel();
      this.#active.delete(search.id);
    }
  }

  #abort(search: ActiveSearch, reason: NetError): void {
    search.timer.cancel();
    this.#active.delete(search.id);
    for (const c of search.runs.values()) c.abort(reason);
  }
}

/** A hit as the core keeps it, or undefined when a field is out of shape (a protocol passed bad remote data on). */
function cleanHit(h: FileHit): FileHit | undefined {
  if (typeof h.name !== 'string' || h.name === '' || h.name.length > MAX_HIT_NAME_CHARS || CONTROL.test(h.name)) return undefined;
  if (typeof h.source !== 'string' || h.source.length > MAX_HIT_SOURCE_CHARS || CONTROL.test(h.source)) return undefined;
  if (!Number.isSafeInteger(h.size) || h.size < -1) return undefined;
  const out: FileHit = { name: h.name, size: h.size, source: h.source, ref: h.ref };
  if (typeof h.sha1 === 'string' && h.sha1.length <= MAX_SHA1_CHARS && /^[\w:]+$/.test(h.sha1)) out.sha1 = h.sha1;
  if (typeof h.speed === 'number' && Number.isFinite(h.speed) && h.speed >= 0) out.speed = h.speed;
  if (typeof h.firewalled === 'boolean') out.firewalled = h.firewalled;
  return out;
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
