/**
 * Least time between two dial plans that offered addresses start. Discovery datagrams come
 * from anyone on the LAN, as fast as it sends them, and a plan sorts the host cache (about
 * 0.1 ms for 1,000 hosts): an offer inside the window is planned for at its end, once.
 */
export const OFFER_TICK_MS = 250;

/**
 * Carries out mesh maintenance (specs/chat.md "Mesh maintenance", "LAN discovery"): a
 * periodic tick dials host-cache entries through a DialQueue (bounded, with backoff) until
 * the node has its target degree; PEERS lines and discovery announcements feed the cache.
 */
import type { Clock, Timer } from '../../src/clock.js';
import type { Logger } from '../../src/log.js';
import { DialQueue } from '../../src/net/dial-queue.js';
import type { HostCache } from '../../src/peers/host-cache.js';
import { DIAL_BASE_BACKOFF_MS, DIAL_CONCURRENCY, DIAL_MAX_BACKOFF_MS } from './constants.js';
import { chooseDials, dialsWanted } from './mesh.js';

/** What the Maintainer needs from its node. */
export interface MaintainerOptions {
  hosts: HostCache;
  clock: Clock;
  log: Logger;
  intervalMs: number;
  targetDegree: number;
  maxOutbound: number;
  /** Dials `addr` and resolves once the link finished its handshake. */
  dial(addr: string): Promise<void>;
  /** Current linked count, outbound count, and addresses not to dial (live links, ourselves). */
  view(): { linked: number; outbound: number; exclude: ReadonlySet<string> };
  /** Whether a pinned address is linked already (maybe by a link it dialled to us). */
  linked(addr: string): boolean;
}

/**
 * Keeps the node near its target degree (spec "Mesh maintenance"), and keeps the peers the
 * user named (`--connect`) linked: those are *pinned*, dialled with backoff until linked
 * and again when lost, whatever the degree.
 */
export class Maintainer {
  readonly #o: MaintainerOptions;
  readonly #queue: DialQueue;
  #timer: Timer | undefined;
  readonly #pinned = new Set<string>();
  /** Wakes the next retry of a pinned address that is backing off. */
  #retry: Timer | undefined;
  /** When offered addresses last started a plan, and the plan waiting for the window's end. */
  #lastOffer = -Infinity;
  #offerTimer: Timer | undefined;

  constructor(o: MaintainerOptions) {
    this.#o = o;
    this.#queue = new DialQueue({
      concurrency: DIAL_CONCURRENCY,
      baseBackoffMs: DIAL_BASE_BACKOFF_MS,
      maxBackoffMs: DIAL_MAX_BACKOFF_MS,
      clock: o.clock,
      dial: async (addr) => {
        try {
          await o.dial(addr);
          o.hosts.good(addr);
        } catch (err) {
          o.hosts.failed(addr);
          o.log.debug(`dial ${addr}: ${err instanceof Error ? err.message : String(err)}`);
          // A pinned peer is tried again when its backoff ends (the queue sets it after this).
          if (this.#pinned.has(addr)) o.clock.setTimeout(() => this.tick(), 0);
          throw err;
        }
      },
    });
  }

  start(): void {
    this.#timer = this.#o.clock.setInterval(() => this.tick(), this.#o.intervalMs);
    this.tick();
  }

  /** Keeps `addr` linked from now on (a peer the user named). */
  pin(addr: string): void {
    this.#pinned.add(addr);
  }

  /** Dials toward the target degree now, trying `preferred` addresses first. */
  tick(preferred: readonly string[] = []): void {
    if (!this.#timer) return;
    this.#dialPinned();
    const v = this.#o.view();
    const dialling = this.#queue.inFlight + this.#queue.queued;
    const n = dialsWanted({ linked: v.linked, outbound: v.outbound, dialling, target: this.#o.targetDegree, maxOutbound: this.#o.maxOutbound });
    if (n === 0) return;
    // Ask for extra candidates: some may be backing off in the queue.
    const candidates = [...preferred, ...this.#o.hosts.pick(n * 4, v.exclude)];
    let started = 0;
    for (const addr of chooseDials(candidates, v.exclude, candidates.length)) {
      if (started >= n) break;
      if (this.#queue.enqueue(addr)) started++;
    }
  }

  /** A neighbour was lost: dial the addresses it advertised first (its own neighbours). */
  reconnect(advertised: readonly string[]): void {
    this.tick([...advertised].reverse());
  }

  /** Dials one address soon (a discovered peer), if we still want links: at once, or within OFFER_TICK_MS. */
  offer(addr: string): void {
    this.#o.hosts.add(addr);
    if (this.#offerTimer) return;
    const wait = this.#lastOffer + OFFER_TICK_MS - this.#o.clock.now();
    if (wait <= 0) {
      this.#lastOffer = this.#o.clock.now();
      this.tick();
      return;
    }
    this.#offerTimer = this.#o.clock.setTimeout(() => {
      this.#offerTimer = undefined;
      this.#lastOffer = this.#o.clock.now();
      this.tick();
    }, wait);
  }

  /** An address reached us by itself: forget its backoff. */
  reset(addr: string): void {
    this.#queue.reset(addr);
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#retry?.cancel();
    this.#retry = undefined;
    this.#offerTimer?.cancel();
    this.#offerTimer = undefined;
    this.#queue.stop();
  }

  /** Dials every pinned address that is not linked, and wakes up when the next backoff ends. */
  #dialPinned(): void {
    let wait = Infinity;
    for (const addr of this.#pinned) {
      if (this.#o.linked(addr)) continue;
      if (!this.#queue.enqueue(addr)) {
        const left = this.#queue.backoffLeft(addr);
        if (left > 0) wait = Math.min(wait, left);
      }
    }
    if (wait !== Infinity && !this.#retry) {
      this.#retry = this.#o.clock.setTimeout(() => {
        this.#retry = undefined;
        this.tick();
      }, wait);
    }
  }
}
