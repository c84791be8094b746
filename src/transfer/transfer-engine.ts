import type { AppEvent } from '../app-api.js';
import { systemClock, type Clock } from '../clock.js';
import { NetError, toNetError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { runDownload } from './download-task.js';
import { ContentCopies } from './content-copies.js';
import { partExists } from './part-file.js';
import { PartClaims } from './part-claims.js';
import { findSame } from './same-file.js';
import { joinSource, takeNextSource } from './alternate-sources.js';
import { KnownHashes } from './known-hashes.js';
import { findLocalCopy, type LocalCopy, type LocalCopyOptions } from './local-copy.js';
import { RateMeter } from './rate-meter.js';
import { RemoteQueued, RemoteWaits } from './remote-queue.js';
import { SlotLimiter, type Release } from './slot-limiter.js';
import { TransferJournal } from './transfer-journal.js';
import { restoreTransfers } from './transfer-restore.js';
import { snapshotDownloads, type Transfer } from './transfer-record.js';
import { TransferTable } from './transfer-table.js';
import { TRANSFER_DEFAULTS, type ReviveDownload, type TransferEngineOptions } from './transfer-options.js';
import type { DownloadRequest, TransferInfo, UploadRequest, UploadResult } from './transfer-types.js';
import { trackedUpload } from './tracked-upload.js';

export { TRANSFER_DEFAULTS, type ReviveDownload, type TransferEngineOptions } from './transfer-options.js';

const CANCELLED = 'cancelled';
/** Failures after which runDownload may have deleted the part (it can never become the file). */
const PART_DELETED: ReadonlySet<string> = new Set(['VERIFY', 'SIZE', 'NOT_FOUND']);

/**
 * Moves files for every protocol (issue 4, "Transfer engine"): a download
 * queue with global and per-peer limits feeding `runDownload`, upload slots
 * feeding `runUpload`, and what `/downloads`, `/cancel N` and `/retry N` work on.
 * The record of every transfer (one id space, throttled progress events, the
 * history) is its TransferTable (transfer-table.ts).
 */
export class TransferEngine {
  readonly downloadDir: string;
  readonly #o: Required<Omit<TransferEngineOptions, 'clock' | 'log' | 'stateFile'>> & { stateFile?: string };
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #uploads: SlotLimiter;
  readonly #table: TransferTable;
  readonly #queue: Transfer[] = [];
  readonly #running = new Set<Promise<void>>();
  readonly #parts: PartClaims;
  #stopped = false;
  readonly #journal: TransferJournal;
  readonly #copies: ContentCopies;
  /** SHA-1s the "already have it" check read this session (localCopy). */
  readonly #known = new KnownHashes();
  /** Downloads whose source queued us or is busy, waiting for the time it said (remote-queue.ts). */
  readonly #waits: RemoteWaits<Transfer>;

  constructor(opts: TransferEngineOptions) {
    this.downloadDir = opts.downloadDir;
    this.#clock = opts.clock ?? systemClock;
    this.#log = opts.log ?? silentLogger;
    this.#o = { ...TRANSFER_DEFAULTS, ...opts };
    this.#table = new TransferTable({ clock: this.#clock, log: this.#log, progressEveryMs: this.#o.progressEveryMs, maxHistory: this.#o.maxHistory });
    this.#uploads = new SlotLimiter(
      { global: this.#o.maxUploads, perPeer: this.#o.maxUploadsPerPeer, maxWaiting: this.#o.maxWaitingUploads },
      this.#clock,
    );
    this.#parts = new PartClaims(this.downloadDir);
    this.#waits = new RemoteWaits(this.#clock, { busyTries: this.#o.remoteBusyTries, queuedMs: this.#o.remoteQueuedMs });
    this.#copies = new ContentCopies({
      downloadDir: this.downloadDir,
      parts: this.#parts,
      emit: (e) => this.#table.emit(e),
      finish: (t, state, err) => this.#table.finish(t, state, err),
      enqueue: (t) => this.#enqueue(t),
      position: (t) => this.#queue.indexOf(t) + 1,
      changed: () => this.#journal.schedule(),
    });
    this.#journal = new TransferJournal(this.#o.stateFile, () => snapshotDownloads(this.#table.values()), this.#log);
  }

  /** Receives transfer.progress / transfer.done / transfer.failed. Returns the unsubscribe function. */
  subscribe(listener: (e: AppEvent) => void): () => void {
    return this.#table.subscribe(listener);
  }

  /**
   * Queues a download; returns its id. The same file asked again while it is
   * queued or running (same protocol, source and name, or same SHA-1 under the
   * same name) is not a second download: it throws DUPLICATE ("already
   * downloading as #N"), and a new source of the same SHA-1 becomes another
   * source of that download. The same SHA-1 under another name is a download
   * of its own that waits for that one and is copied from it (`sameAs`).
   * Throws LIMIT when the queue is full.
   */
  download(req: DownloadRequest): number {
    if (this.#stopped) throw NetError.closed('transfer engine stopped');
    const same = findSame(this.#table.values(), req);
    if (same?.how === 'same') {
      const added = this.#join(same.t, req) ? `; ${req.peer} added as another source` : '';
      throw NetError.duplicate(`already downloading "${same.t.info.name}" as #${same.t.info.id}${added}`);
    }
    if (this.#waiting() >= this.#o.maxQueuedDownloads) throw NetError.limit('download queue full');
    const t = this.#table.track('down', req.name, req.peer, req.protocol, req.size ?? null);
    t.req = req;
    if (same) {
      this.#join(same.t, req); // its source helps fetch the bytes
      this.#copies.wait(t, same.t);
    } else this.#enqueue(t);
    return t.info.id;
  }

  /**
   * The file in the download folder that a download of `req` would fetch again (README
   * "Downloads"): one saved under the name it would take (or a `name (n).ext` of it), the same
   * by size and SHA-1 when its source announced them. Undefined when there is none, or when a
   * download of the file is queued or running (`download` says so). `/get N` asks this first.
   * A file compared by SHA-1 is read once a session while it does not change (`#known`).
   */
  async localCopy(req: DownloadRequest, opts: Omit<LocalCopyOptions, 'known'> = {}): Promise<LocalCopy | undefined> {
    if (findSame(this.#table.values(), req)?.how === 'same') return undefined;
    const want = { name: req.name, size: req.size ?? null, ...(req.sha1 !== undefined ? { sha1: req.sha1 } : {}) };
    return findLocalCopy(this.downloadDir, want, { ...opts, known: this.#known });
  }

  /**
   * The queued or running download that `req` is (same protocol, source and name, or the same
   * SHA-1 under the same name), if any: `download(req)` would refuse it as DUPLICATE.
   */
  downloading(req: DownloadRequest): TransferInfo | undefined {
    const same = findSame(this.#table.values(), req);
    return same?.how === 'same' ? { ...same.t.info } : undefined;
  }

  /**
   * A new source of a file already queued or running (the same SHA-1) joins
   * that download: it is tried when the current source fails. Returns that
   * download's id; undefined when there is none, or it knows this source
   * already or has all the sources it keeps (`download` then says DUPLICATE).
   */
  addSource(req: DownloadRequest): number | undefined {
    if (this.#stopped) return undefined;
    const same = findSame(this.#table.values(), req);
    return same?.how === 'same' && this.#join(same.t, req) ? same.t.info.id : undefined;
  }

  /** Adds `req` as another source of `same` (alternate-sources.ts); false when it knows it already or keeps no more. */
  #join(same: Transfer, req: DownloadRequest): boolean {
    return joinSource(same, req, () => this.#journal.schedule());
  }

  /**
   * Brings back what the last run left (call once, after the protocols are
   * registered): queued and interrupted downloads are queued again and resume
   * from their `.part`; failed and cancelled ones are listed for `/retry`. A
   * download whose protocol cannot revive it is listed as failed. Every
   * `.part` in the download folder that no download owns is reported as
   * orphaned (a `notice`), never silently adopted or deleted.
   */
  async restore(revive: ReviveDownload): Promise<void> {
    await restoreTransfers(
      { stateFile: this.#o.stateFile, downloadDir: this.downloadDir, table: this.#table, parts: this.#parts, copies: this.#copies, log: this.#log, stopped: () => this.#stopped, enqueue: (t) => this.#enqueue(t) },
      revive,
    );
  }

  /** Cancels a queued or running transfer; its part file is kept for `/retry`. */
  cancel(id: number): boolean {
    const t = this.#table.get(id);
    if (!t || (t.info.state !== 'queued' && t.info.state !== 'active')) return false;
    if (t.abort?.signal.aborted) return false; // already being cancelled
    if (this.#copies.cancel(t, NetError.closed(CANCELLED))) return true;
    if (this.#waits.cancel(t)) {
      this.#table.finish(t, 'cancelled', NetError.closed(CANCELLED));
      this.#journal.schedule();
    } else if (t.info.state === 'queued') {
      this.#queue.splice(this.#queue.indexOf(t), 1);
      this.#table.finish(t, 'cancelled', NetError.closed(CANCELLED));
      this.#journal.schedule();
    } else {
      t.abort?.abort(NetError.closed(CANCELLED));
    }
    return true;
  }

  /** Queues a failed or cancelled download again under the same id (it resumes from its part). */
  retry(id: number): boolean {
    const t = this.#table.get(id);
    if (!t?.req || (t.info.state !== 'failed' && t.info.state !== 'cancelled')) return false;
    if (this.#waiting() >= this.#o.maxQueuedDownloads) throw NetError.limit('download queue full');
    const same = findSame(this.#table.values(), t.req, t);
    if (same?.how === 'same') throw NetError.duplicate(`already downloading "${same.t.info.name}" as #${same.t.info.id}`);
    this.#waits.forget(t.req.source);
    if (same) this.#copies.wait(t, same.t);
    else this.#enqueue(t);
    return true;
  }

  get(id: number): TransferInfo | undefined {
    const t = this.#table.get(id);
    return t ? this.#info(t) : undefined;
  }

  /** Download `id`'s place in the queue (1 = next), or 0 when it is not waiting there (running, done, a copy). */
  queuePosition(id: number): number {
    return this.#queue.findIndex((t) => t.info.id === id) + 1;
  }

  list(): TransferInfo[] {
    return [...this.#table.values()].map((t) => this.#info(t));
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
    return trackedUpload({ table: this.#table, clock: this.#clock, stallMs: this.#o.stallMs, hold: (p) => this.#hold(p) }, req, release);
  }

  /**
   * Cancels everything and waits for running transfers to settle. Queued and
   * running downloads are saved as interrupted: the next start resumes them.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#uploads.rejectAll(NetError.closed('shutting down'));
    for (const t of this.#table.values()) if (t.info.state === 'queued' || t.info.state === 'active') t.interrupted = true;
    for (const t of [...this.#queue.splice(0), ...this.#waits.cancelAll()]) this.#table.finish(t, 'cancelled', NetError.closed('shutting down'));
    for (const t of this.#table.values()) t.abort?.abort(NetError.closed('shutting down'));
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
    await this.#journal.save();
  }

  /** Writes the state file now (the engine also does so after every change). */
  async flush(): Promise<void> {
    await this.#journal.save();
  }

  #pump(): void {
    if (this.#stopped) return;
    const active = [...this.#table.values()].filter((t) => t.info.direction === 'down' && t.info.state === 'active');
    for (let i = 0; i < this.#queue.length; ) {
      const t = this.#queue[i]!;
      // An empty file has nothing to fetch: it takes no slot and waits for none.
      const empty = t.req?.size === 0;
      if (!empty && (active.length >= this.#o.maxActiveDownloads || active.filter((a) => a.info.peer === t.info.peer).length >= this.#o.maxDownloadsPerPeer)) {
        i++;
        continue;
      }
      this.#queue.splice(i, 1);
      if (!empty) active.push(t);
      this.#start(t);
    }
  }

  #start(t: Transfer): void {
    const req = t.req!;
    t.info.state = 'active';
    t.meter = new RateMeter(this.#clock.now(), t.info.bytes);
    const ac = (t.abort = new AbortController());
    const run = (async () => {
      if (t.part === undefined) {
        t.part = await this.#parts.claimNew(req.name, req.sha1 !== undefined);
        // The state file names the part before its first byte: a kill -9 from here on resumes it.
        await this.#journal.save();
      }
      return runDownload({
        req,
        dir: this.downloadDir,
        partName: t.part,
        clock: this.#clock,
        signal: ac.signal,
        stallMs: this.#o.stallMs,
        maxBytes: this.#o.maxDownloadBytes,
        onStart: (partPath, bytes, total) => {
          Object.assign(t.info, { path: partPath, bytes, total });
          t.meter = new RateMeter(this.#clock.now(), bytes);
        },
        onBytes: (bytes) => this.#table.progress(t, bytes),
      });
    })().then(
      (out) => {
        this.#release(t);
        Object.assign(t.info, { bytes: out.bytes, path: out.path, total: t.info.total ?? out.bytes, verified: out.verified });
        this.#table.finish(t, 'done');
        const { id, name, peer } = t.info;
        this.#table.emit({ type: 'transfer.done', id, name, direction: 'down', path: out.path, bytes: out.bytes, sha1: out.sha1, verified: out.verified, peer });
        return this.#copies.done(t, out);
      },
      async (err: unknown) => {
        const e = toNetError(err);
        const cancelled = e.code === 'CLOSED' && e.message === CANCELLED;
        if (!cancelled && !this.#stopped && e instanceof RemoteQueued && this.#remoteWait(t, e)) return;
        if (!cancelled && !this.#stopped) req.source.failed?.(e);
        if (!cancelled && !this.#stopped && this.#nextSource(t, e)) return;
        // A part that cannot become the file was deleted: none of its bytes are ours any more (the row
        // must not read 100% of a failed download), and /retry starts afresh under a new claim.
        if (PART_DELETED.has(e.code) && !(await partExists(this.downloadDir, t.part))) {
          this.#release(t);
          t.info.bytes = 0;
        }
        this.#table.finish(t, cancelled || this.#stopped ? 'cancelled' : 'failed', e);
        if (!this.#stopped) this.#copies.onTheirOwn(t);
      },
    );
    this.#hold(run.finally(() => (this.#journal.schedule(), this.#pump())));
  }

  /** The current source failed: go on with the next one of the same file, keeping the part. */
  #nextSource(t: Transfer, err: NetError): boolean {
    const failed = t.info.peer;
    if (!takeNextSource(t, err)) return false;
    this.#log.info(`transfer #${t.info.id} ${t.info.name}: ${failed} failed (${err.code}: ${err.message}); trying ${t.info.peer}`);
    t.info.state = 'queued';
    this.#queue.unshift(t);
    return true;
  }

  /**
   * The source queued us or is busy: go on at once with a source that may be asked now (the
   * queued one goes last), else wait for the one that may be asked first. False when the source
   * has used up its budget: then it fails as any source does.
   */
  #remoteWait(t: Transfer, e: RemoteQueued): boolean {
    const cur = t.req!;
    if (!this.#waits.record(cur.source, e.wait)) return false;
    const when = (r: DownloadRequest): number => this.#waits.notBefore(r.source);
    const ready = t.alternates.find((r) => when(r) <= this.#clock.now());
    const next = ready ?? [cur, ...t.alternates].reduce((a, b) => (when(b) < when(a) ? b : a));
    if (next !== cur) {
      t.alternates.splice(t.alternates.indexOf(next), 1);
      t.alternates.push(cur);
      t.req = { ...next, name: cur.name };
      Object.assign(t.info, { peer: next.peer, protocol: next.protocol });
    }
    this.#log.info(`transfer #${t.info.id} ${t.info.name}: ${cur.peer}: ${e.wait.note}; ${ready ? `trying ${next.peer}` : `waiting for ${next.peer}`}`);
    Object.assign(t.info, { state: 'queued', rate: 0, reason: null });
    if (ready) {
      this.#queue.unshift(t);
      return true;
    }
    this.#waits.wait(t, when(next), this.#waits.noteOf(next.source), (w) => {
      this.#queue.unshift(w);
      this.#pump();
    });
    const { id, name, peer, protocol, total } = t.info;
    this.#table.emit({ type: 'transfer.queued', id, name, direction: 'down', peer, protocol, total, position: 0, remote: this.#waits.describe(t) });
    return true;
  }

  /** A copy of `t`'s row for callers, with its remote wait in seconds left. */
  #info(t: Transfer): TransferInfo {
    const remote = this.#waits.describe(t);
    return remote ? { ...t.info, remote } : { ...t.info };
  }

  /** Downloads waiting: the queue, copies waiting for another name's bytes and remote waits (they count against the same cap). */
  #waiting(): number {
    return this.#queue.length + this.#copies.size + this.#waits.size;
  }

  #enqueue(t: Transfer): void {
    Object.assign(t.info, { state: 'queued', reason: null, rate: 0 });
    this.#queue.push(t);
    const { id, name, peer, protocol, total } = t.info;
    this.#table.emit({ type: 'transfer.queued', id, name, direction: 'down', peer, protocol, total, position: this.#queue.length });
    this.#journal.schedule();
    this.#pump();
  }

  #release(t: Transfer): void {
    if (t.part) this.#parts.release(t.part);
    t.part = undefined;
  }

  #hold(p: Promise<void>): void {
    const held = p.catch((err: unknown) => this.#log.error(`transfer bookkeeping failed: ${String(err)}`));
    this.#running.add(held);
    void held.finally(() => this.#running.delete(held));
  }
}
