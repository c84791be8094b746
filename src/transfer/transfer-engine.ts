import type { AppEvent } from '../app-api.js';
import { systemClock, type Clock } from '../clock.js';
import { NetError, toNetError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { runDownload } from './download-task.js';
import { RateMeter } from './rate-meter.js';
import { SlotLimiter, type Release } from './slot-limiter.js';
import type { DownloadRequest, TransferInfo, UploadRequest, UploadResult } from './transfer-types.js';
import { runUpload } from './upload-task.js';

/** How the node builds the engine (`--downloads`, limits, timeouts); defaults in TRANSFER_DEFAULTS. */
export interface TransferEngineOptions {
  /** Where finished downloads go (`--downloads DIR`, default `<dataDir>/downloads`). */
  downloadDir: string;
  clock?: Clock;
  log?: Logger;
  maxActiveDownloads?: number;
  maxDownloadsPerPeer?: number;
  /** Downloads waiting to start; more are refused. */
  maxQueuedDownloads?: number;
  maxUploads?: number;
  maxUploadsPerPeer?: number;
  /** Uploads waiting for a slot; more are refused (LIMIT). */
  maxWaitingUploads?: number;
  /** How long an upload may wait for a slot. */
  uploadWaitMs?: number;
  /** No byte for this long fails a transfer. */
  stallMs?: number;
  /** Largest download when its size is unknown. */
  maxDownloadBytes?: number;
  /** Least time between two progress events of one transfer. */
  progressEveryMs?: number;
  /** Finished transfers remembered for `/downloads` and `/retry`. */
  maxHistory?: number;
}

/** Defaults for every limit and timeout of the engine. */
export const TRANSFER_DEFAULTS = {
  maxActiveDownloads: 4,
  maxDownloadsPerPeer: 2,
  maxQueuedDownloads: 1000,
  maxUploads: 8,
  maxUploadsPerPeer: 2,
  maxWaitingUploads: 32,
  uploadWaitMs: 60_000,
  stallMs: 30_000,
  maxDownloadBytes: 64 * 1024 ** 3,
  progressEveryMs: 250,
  maxHistory: 500,
} as const;

interface Transfer {
  info: TransferInfo;
  req?: DownloadRequest;
  abort?: AbortController;
  meter: RateMeter;
  lastEmit: number;
}

const CANCELLED = 'cancelled';

/**
 * Moves files for every protocol (issue 4, "Transfer engine"): a download
 * queue with global and per-peer limits feeding `runDownload`, upload slots
 * feeding `runUpload`, one id space, throttled progress events, and the state
 * `/downloads`, `/cancel N` and `/retry N` work on.
 */
export class TransferEngine {
  readonly downloadDir: string;
  readonly #o: Required<Omit<TransferEngineOptions, 'clock' | 'log'>>;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #uploads: SlotLimiter;
  readonly #all = new Map<number, Transfer>();
  readonly #queue: Transfer[] = [];
  readonly #running = new Set<Promise<void>>();
  readonly #listeners = new Set<(e: AppEvent) => void>();
  #nextId = 1;
  #stopped = false;

  constructor(opts: TransferEngineOptions) {
    this.downloadDir = opts.downloadDir;
    this.#clock = opts.clock ?? systemClock;
    this.#log = opts.log ?? silentLogger;
    this.#o = { ...TRANSFER_DEFAULTS, ...opts };
    this.#uploads = new SlotLimiter(
      { global: this.#o.maxUploads, perPeer: this.#o.maxUploadsPerPeer, maxWaiting: this.#o.maxWaitingUploads },
      this.#clock,
    );
  }

  /** Receives transfer.progress / transfer.done / transfer.failed. Returns the unsubscribe function. */
  subscribe(listener: (e: AppEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Queues a download; returns its id. Throws LIMIT when the queue is full. */
  download(req: DownloadRequest): number {
    if (this.#stopped) throw NetError.closed('transfer engine stopped');
    if (this.#queue.length >= this.#o.maxQueuedDownloads) throw NetError.limit('download queue full');
    const t = this.#track('down', req.name, req.peer, req.protocol, req.size ?? null);
    t.req = req;
    this.#queue.push(t);
    this.#pump();
    return t.info.id;
  }

  /** Cancels a queued or running transfer; its part file is kept for `/retry`. */
  cancel(id: number): boolean {
    const t = this.#all.get(id);
    if (!t || (t.info.state !== 'queued' && t.info.state !== 'active')) return false;
    if (t.abort?.signal.aborted) return false; // already being cancelled
    if (t.info.state === 'queued') {
      this.#queue.splice(this.#queue.indexOf(t), 1);
      this.#finish(t, 'cancelled', NetError.closed(CANCELLED));
    } else {
      t.abort?.abort(NetError.closed(CANCELLED));
    }
    return true;
  }

  /** Queues a failed or cancelled download again under the same id (it resumes from its part). */
  retry(id: number): boolean {
    const t = this.#all.get(id);
    if (!t?.req || (t.info.state !== 'failed' && t.info.state !== 'cancelled')) return false;
    if (this.#queue.length >= this.#o.maxQueuedDownloads) throw NetError.limit('download queue full');
    Object.assign(t.info, { state: 'queued', reason: null, rate: 0 });
    this.#queue.push(t);
    this.#pump();
    return true;
  }

  get(id: number): TransferInfo | undefined {
    const t = this.#all.get(id);
    return t ? { ...t.info } : undefined;
  }

  list(): TransferInfo[] {
    return [...this.#all.values()].map((t) => ({ ...t.info }));
  }

  /** An upload slot right now, or undefined (for protocols that answer "busy" instead of waiting). */
  tryUploadSlot(peer: string): Release | undefined {
    return this.#uploads.tryAcquire(peer);
  }

  /**
   * Sends a file (range) to a sink, holding an upload slot while it runs.
   * Waits for a slot unless `wait: false` (then LIMIT at once); pass `slot` when
   * the caller already holds one from `tryUploadSlot`. Rejects with a NetError.
   */
  async upload(req: UploadRequest, slot?: Release): Promise<UploadResult> {
    if (this.#stopped) throw NetError.closed('transfer engine stopped');
    let release = slot;
    if (!release) {
      release = req.wait === false ? this.#uploads.tryAcquire(req.peer) : await this.#uploads.acquire(req.peer, this.#o.uploadWaitMs);
      if (!release) throw NetError.limit('no free upload slot');
    }
    const t = this.#track('up', req.name, req.peer, req.protocol, null);
    t.info.state = 'active';
    t.info.path = req.path;
    const ac = (t.abort = new AbortController());
    const run = runUpload({
      req,
      clock: this.#clock,
      signal: ac.signal,
      stallMs: this.#o.stallMs,
      onStart: (total) => (t.info.total = total),
      onBytes: (bytes) => this.#progress(t, bytes),
    });
    let failure: NetError | undefined;
    const done = run.then(
      (bytes) => {
        t.info.bytes = bytes;
        this.#finish(t, 'done');
        this.#emit({ type: 'transfer.done', id: t.info.id, name: t.info.name, direction: 'up', path: req.path, bytes, sha1: req.sha1 ?? null });
      },
      (err: unknown) => {
        failure = toNetError(err);
        this.#finish(t, ac.signal.aborted ? 'cancelled' : 'failed', failure);
      },
    );
    this.#hold(done.finally(() => release()));
    await done;
    if (failure) throw failure;
    return { id: t.info.id, bytes: t.info.bytes };
  }

  /** Cancels everything and waits for running transfers to settle. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#uploads.rejectAll(NetError.closed('shutting down'));
    for (const t of this.#queue.splice(0)) this.#finish(t, 'cancelled', NetError.closed('shutting down'));
    for (const t of this.#all.values()) t.abort?.abort(NetError.closed('shutting down'));
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  #track(direction: 'down' | 'up', name: string, peer: string, protocol: string, total: number | null): Transfer {
    const info: TransferInfo = { id: this.#nextId++, direction, name, peer, protocol, state: 'queued', bytes: 0, total, rate: 0, path: null, reason: null };
    const t: Transfer = { info, meter: new RateMeter(this.#clock.now()), lastEmit: 0 };
    this.#all.set(info.id, t);
    this.#trimHistory();
    return t;
  }

  #pump(): void {
    if (this.#stopped) return;
    const active = [...this.#all.values()].filter((t) => t.info.direction === 'down' && t.info.state === 'active');
    for (let i = 0; i < this.#queue.length && active.length < this.#o.maxActiveDownloads; ) {
      const t = this.#queue[i]!;
      if (active.filter((a) => a.info.peer === t.info.peer).length >= this.#o.maxDownloadsPerPeer) {
        i++;
        continue;
      }
      this.#queue.splice(i, 1);
      active.push(t);
      this.#start(t);
    }
  }

  #start(t: Transfer): void {
    const req = t.req!;
    t.info.state = 'active';
    t.meter = new RateMeter(this.#clock.now(), t.info.bytes);
    const ac = (t.abort = new AbortController());
    const run = runDownload({
      req,
      dir: this.downloadDir,
      clock: this.#clock,
      signal: ac.signal,
      stallMs: this.#o.stallMs,
      maxBytes: this.#o.maxDownloadBytes,
      onStart: (partPath, bytes, total) => {
        Object.assign(t.info, { path: partPath, bytes, total });
        t.meter = new RateMeter(this.#clock.now(), bytes);
      },
      onBytes: (bytes) => this.#progress(t, bytes),
    }).then(
      (out) => {
        Object.assign(t.info, { bytes: out.bytes, path: out.path, total: t.info.total ?? out.bytes });
        this.#finish(t, 'done');
        this.#emit({ type: 'transfer.done', id: t.info.id, name: t.info.name, direction: 'down', path: out.path, bytes: out.bytes, sha1: out.sha1 });
      },
      (err: unknown) => {
        const e = toNetError(err);
        this.#finish(t, e.code === 'CLOSED' && e.message === CANCELLED ? 'cancelled' : 'failed', e);
      },
    );
    this.#hold(run.finally(() => this.#pump()));
  }

  #progress(t: Transfer, bytes: number): void {
    t.info.bytes = bytes;
    const now = this.#clock.now();
    if (now - t.lastEmit < this.#o.progressEveryMs) return;
    t.lastEmit = now;
    t.info.rate = Math.round(t.meter.sample(now, bytes));
    const { id, name, direction, total } = t.info;
    this.#emit({ type: 'transfer.progress', id, name, direction, bytes, total, rate: t.info.rate, eta: t.meter.eta(bytes, total) });
  }

  #finish(t: Transfer, state: 'done' | 'failed' | 'cancelled', err?: NetError): void {
    t.info.state = state;
    t.abort = undefined;
    if (state === 'done') return;
    t.info.reason = err ? `${err.code}: ${err.message}` : state;
    this.#log.info(`transfer #${t.info.id} ${t.info.name} ${state}: ${t.info.reason}`);
    this.#emit({ type: 'transfer.failed', id: t.info.id, name: t.info.name, direction: t.info.direction, reason: t.info.reason });
  }

  #hold(p: Promise<void>): void {
    const held = p.catch((err: unknown) => this.#log.error(`transfer bookkeeping failed: ${String(err)}`));
    this.#running.add(held);
    void held.finally(() => this.#running.delete(held));
  }

  #trimHistory(): void {
    if (this.#all.size <= this.#o.maxHistory) return;
    for (const [id, t] of this.#all) {
      if (this.#all.size <= this.#o.maxHistory) break;
      if (t.info.state !== 'queued' && t.info.state !== 'active') this.#all.delete(id);
    }
  }

  #emit(e: AppEvent): void {
    for (const l of this.#listeners) l(e);
  }
}
