import type { Clock, Timer } from '../../src/clock.js';
import * as C from './constants.js';
import { dqStep, DQ_HOP_MS, DQ_MAX_MS, horizon, type DqCandidate } from './dynamic-query.js';
import type { GnutellaLink } from './link.js';
import type { LinkId } from './router.js';

/** Dynamic queries running at once; the oldest is stopped past this. */
export const MAX_DYNAMIC_QUERIES = 256;
/** Finished queries kept for `/gstatus`. */
const RECENT = 8;

/** What the runner needs from the servent. */
export interface DqHost {
  clock: Clock;
  /** Open ultrapeer links. */
  ultrapeers(): readonly GnutellaLink[];
  sendQuery(l: GnutellaLink, muid: Buffer, ttl: number, hops: number, payload: Buffer): void;
  /** Whether an ultrapeer's last-hop table matches this query (true when it has none). */
  lastHopMatch(l: GnutellaLink, payload: Buffer): boolean;
  /** Sends the leaf a query status request (BEAR/11) for `muid`. */
  askLeaf(id: LinkId, muid: Buffer): void;
}

interface Running {
  key: string;
  muid: Buffer;
  payload: Buffer;
  hops: number;
  /** The leaf that asked, or us. */
  origin: LinkId | 'us';
  wanted: number;
  results: number;
  queried: Set<LinkId>;
  reached: number;
  sent: number;
  startedAt: number;
  timer: Timer | undefined;
  leafStop?: string;
  /** The leaf sets flag bit 12: it answers BEAR/11 with the hits it kept (spec 3.5). */
  leafGuided: boolean;
  /** A status request is out and not answered yet. */
  awaitingLeaf: boolean;
}

/** A finished dynamic query, for `/gstatus` and tests. */
export interface DqSummary {
  text: string;
  origin: LinkId | 'us';
  queriesSent: number;
  ultrapeers: number;
  results: number;
  why: string;
}

/**
 * Runs dynamic queries (spec 3.5) for our own searches and our leaves': counts
 * the results routed back through us, asks `dqStep` what to do, sends, waits,
 * asks again, until it says stop. Bounded in queries at once.
 */
export class DynamicQueries {
  readonly #running = new Map<string, Running>();
  readonly recent: DqSummary[] = [];
  started = 0;
  queriesSent = 0;

  constructor(
    private readonly host: DqHost,
    private readonly hopMs = DQ_HOP_MS,
    private readonly maxMs = DQ_MAX_MS,
  ) {}

  get size(): number {
    return this.#running.size;
  }

  /** Starts a dynamic query for `muid` (hops 0 for ours, the leaf's hops + 1 for a leaf's). */
  start(muid: Buffer, payload: Buffer, hops: number, origin: LinkId | 'us', wanted: number, leafGuided = false): void {
    const key = muid.toString('hex');
    if (this.#running.has(key)) return;
    if (this.#running.size >= MAX_DYNAMIC_QUERIES) {
      const oldest = this.#running.values().next().value;
      if (oldest) this.#stop(oldest, 'too many dynamic queries at once');
    }
    const r: Running = { key, muid, payload, hops, origin, wanted, results: 0, queried: new Set(), reached: 0, sent: 0, startedAt: this.host.clock.now(), timer: undefined, leafGuided: leafGuided && origin !== 'us', awaitingLeaf: false };
    this.#running.set(key, r);
    this.started++;
    this.#step(r);
  }

  /** Results (a QueryHit's count) routed back for a query: counted toward its goal. */
  onResults(muid: Buffer, n: number): void {
    const r = this.#running.get(muid.toString('hex'));
    if (r) r.results += n;
  }

  /** The leaf says how many results it kept (BEAR/12); 0xFFFF = stop (spec 3.5). */
  onLeafStatus(muid: Buffer, from: LinkId, kept: number): void {
    const r = this.#running.get(muid.toString('hex'));
    if (!r || r.origin !== from) return;
    r.awaitingLeaf = false;
    // The leaf counts hits from all its ultrapeers, we only those through us; an answer
    // written before our last hits reached it must not lower the count.
    if (kept === C.DQ_STATUS_STOP) r.leafStop = 'the leaf said stop';
    else r.results = Math.max(r.results, kept);
  }

  /** A link closed: its queries stop, and it is no candidate any more. */
  forget(id: LinkId): void {
    for (const r of [...this.#running.values()]) if (r.origin === id) this.#stop(r, 'the leaf left');
  }

  /** Our own search ended (the window closed or the user cancelled). */
  cancel(muid: Buffer): void {
    const r = this.#running.get(muid.toString('hex'));
    if (r) this.#stop(r, 'search ended');
  }

  stopAll(): void {
    for (const r of [...this.#running.values()]) this.#stop(r, 'shutting down');
  }

  #step(r: Running): void {
    r.timer = undefined;
    // Leaf-guided: no answer to the last status request in time means stop (spec 3.5).
    if (r.awaitingLeaf) r.leafStop = 'the leaf did not answer the status request';
    const ups = this.host.ultrapeers().filter((l) => l.id !== r.origin && !r.queried.has(l.id));
    const candidates: DqCandidate[] = ups.map((l) => ({ id: l.id, maxTtl: l.peer?.maxTtl ?? C.MAX_TTL, degree: l.peer?.degree ?? 8, lastHopMatch: this.host.lastHopMatch(l, r.payload) }));
    const d = dqStep({
      wanted: r.wanted,
      results: r.results,
      candidates,
      queried: r.queried.size,
      reached: r.reached,
      elapsedMs: this.host.clock.now() - r.startedAt,
      maxMs: this.maxMs,
      hopMs: this.hopMs,
      ...(r.leafStop !== undefined ? { leafStop: r.leafStop } : {}),
    });
    if (d.kind === 'stop') return this.#stop(r, d.why);
    for (const s of d.sends) {
      const l = ups.find((x) => x.id === s.to);
      if (!l) continue;
      r.queried.add(l.id);
      r.reached += horizon(s.ttl, l.peer?.degree ?? 8);
      r.sent++;
      this.queriesSent++;
      this.host.sendQuery(l, r.muid, s.ttl, r.hops, r.payload);
    }
    if (r.leafGuided && typeof r.origin === 'number') {
      r.awaitingLeaf = true;
      this.host.askLeaf(r.origin, r.muid);
    }
    r.timer = this.host.clock.setTimeout(() => this.#step(r), d.waitMs);
  }

  #stop(r: Running, why: string): void {
    r.timer?.cancel();
    this.#running.delete(r.key);
    const nul = r.payload.indexOf(0, 2);
    const text = r.payload.toString('utf8', 2, nul === -1 ? Math.min(r.payload.length, 66) : Math.min(nul, 66));
    this.recent.push({ text, origin: r.origin, queriesSent: r.sent, ultrapeers: r.queried.size, results: r.results, why });
    if (this.recent.length > RECENT) this.recent.shift();
  }
}
