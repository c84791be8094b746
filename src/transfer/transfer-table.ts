/**
 * Every transfer the engine knows, by id, and what it says about them (README "Sharing,
 * transfers and P+2", events `transfer.*`): one id space for downloads and uploads,
 * progress at most every `progressEveryMs` per transfer, a `transfer.failed` for each
 * failure or cancel, and a history cut to `maxHistory` finished rows. The engine
 * (transfer-engine.ts) decides what runs; this is the record it keeps and reports from.
 */
import type { AppEvent } from '../app-api.js';
import type { Clock } from '../clock.js';
import type { NetError } from '../errors.js';
import type { Logger } from '../log.js';
import { RateMeter } from './rate-meter.js';
import type { Transfer } from './transfer-record.js';
import type { TransferInfo } from './transfer-types.js';

/** How finished transfers end: `done`, or with a reason. */
export type FinishState = 'done' | 'failed' | 'cancelled';

export interface TransferTableOptions {
  clock: Clock;
  log: Logger;
  /** Least time between two progress events of one transfer. */
  progressEveryMs: number;
  /** Finished transfers kept (oldest dropped first). */
  maxHistory: number;
}

/** The engine's transfers by id, and the events that tell the user about them. */
export class TransferTable {
  readonly #all = new Map<number, Transfer>();
  readonly #listeners = new Set<(e: AppEvent) => void>();
  #nextId = 1;

  constructor(private readonly o: TransferTableOptions) {}

  /** Receives every event the engine sends. Returns the unsubscribe function. */
  subscribe(listener: (e: AppEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(e: AppEvent): void {
    for (const l of this.#listeners) l(e);
  }

  /** A new transfer under the next id, queued; the oldest finished rows go past maxHistory. */
  track(direction: 'down' | 'up', name: string, peer: string, protocol: string, total: number | null): Transfer {
    const info: TransferInfo = { id: this.#nextId++, direction, name, peer, protocol, state: 'queued', bytes: 0, total, rate: 0, path: null, reason: null };
    const t: Transfer = { info, alternates: [], copies: [], meter: new RateMeter(this.o.clock.now()), lastEmit: 0 };
    this.#all.set(info.id, t);
    this.#trimHistory();
    return t;
  }

  get(id: number): Transfer | undefined {
    return this.#all.get(id);
  }

  values(): IterableIterator<Transfer> {
    return this.#all.values();
  }

  /** `t` has `bytes` now: a `transfer.progress` when the last one is old enough. */
  progress(t: Transfer, bytes: number): void {
    t.info.bytes = bytes;
    const now = this.o.clock.now();
    if (now - t.lastEmit < this.o.progressEveryMs) return;
    t.lastEmit = now;
    t.info.rate = Math.round(t.meter.sample(now, bytes));
    const { id, name, direction, peer, total } = t.info;
    this.emit({ type: 'transfer.progress', id, name, direction, peer, bytes, total, rate: t.info.rate, eta: t.meter.eta(bytes, total) });
  }

  /**
   * `t` is over. A failure or cancel is said (`transfer.failed`) with `err`, or with `err` as
   * it is when a string (a transfer listed again at start-up, its reason said before); `done`
   * says nothing here: the caller sends `transfer.done` with the path.
   */
  finish(t: Transfer, state: FinishState, err?: NetError | string): void {
    t.info.state = state;
    t.abort = undefined;
    if (state === 'done') return;
    t.info.reason = typeof err === 'string' ? err : err ? `${err.code}: ${err.message}` : state;
    this.o.log.debug(`transfer #${t.info.id} ${t.info.name} ${state}: ${t.info.reason}`);
    this.emit({ type: 'transfer.failed', id: t.info.id, name: t.info.name, direction: t.info.direction, reason: t.info.reason, state });
  }

  #trimHistory(): void {
    if (this.#all.size <= this.o.maxHistory) return;
    for (const [id, t] of this.#all) {
      if (this.#all.size <= this.o.maxHistory) break;
      if (t.info.state !== 'queued' && t.info.state !== 'active') this.#all.delete(id);
    }
  }
}
