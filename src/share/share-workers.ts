/**
 * The share library's worker threads (share-worker.ts), from the library's
 * side: requests become promises, a worker is started on first use and
 * again after it dies, and an idle worker does not keep the process alive.
 */
import { Worker } from 'node:worker_threads';
import type { EarlyScan } from './early-scan.js';
import type { PackedHashes, ScanEnd, ScanPart, StatHashed, WorkerReply, WorkerRequest, WorkerStart } from './worker-messages.js';
import { NAME_SEPARATOR } from './worker-messages.js';

/** Worker threads: one per core of the 2-core machine issue 9 measures on; the first also scans. */
export const SHARE_WORKER_THREADS = 2;

type Pending = { resolve: (r: WorkerReply) => void; reject: (err: Error) => void; onPart?: ((part: ScanPart) => void) | undefined };
interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  failure?: Error;
}

/**
 * The compiled worker script. Node runs it (there is no TypeScript loader in
 * a worker): next to this file in `dist/`, or, when the tests run this file
 * from its TypeScript source, the compiled copy that `npm test` builds first.
 */
export function shareWorkerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL('../../dist/src/share/share-worker.js', here) : new URL('./share-worker.js', here);
}

/** The pool `startShareWorkersEarly` started, until a library takes it. */
let early: ShareWorkers | undefined;

/**
 * Starts the share workers before the rest of the program has loaded (issue 9,
 * first scan as a real process): a worker is a new isolate that takes 35-50 ms
 * to boot and load its code, which otherwise comes after the 60-70 ms the main
 * thread spends loading the program's modules; started first (bin/peerdeck.js,
 * when the command line shares a folder), they boot on the other core meanwhile.
 * The first library with folders to share takes the pool (`takeShareWorkers`);
 * an idle worker holds nothing open, so a run that never shares (a bad flag)
 * exits as before. `started`: how many of the pool's workers start now (a
 * restart with a hash cache walks with the first alone: early-start.ts).
 */
export function startShareWorkersEarly(threads = SHARE_WORKER_THREADS, started = threads): ShareWorkers {
  if (early) return early;
  early = new ShareWorkers(threads);
  // Nothing asked of it keeps the process alive until a library takes it (a bad flag still exits at once).
  early.hold(true);
  early.startAll(started);
  return early;
}

/** The pool started early when it has `threads` workers (and no one took it yet), else a new pool. */
export function takeShareWorkers(threads = SHARE_WORKER_THREADS): ShareWorkers {
  const pool = early;
  if (pool && pool.threads === threads) {
    early = undefined;
    pool.hold(false);
    return pool;
  }
  return new ShareWorkers(threads);
}

/** A small pool of share workers: `scan` on the first, `hash` on the one asked. */
export class ShareWorkers {
  readonly #slots: Array<Slot | undefined>;
  readonly #stop = new SharedArrayBuffer(4);
  #nextId = 1;
  #closed = false;
  /** Scans out (on the first worker): hash batches sent there would wait behind the walk. */
  #scans = 0;
  /** Until a library takes an early pool, what it is asked does not keep the process alive. */
  #held = false;
  /** A first scan begun on this pool before a library took it (early-scan.ts), until a library takes it in. */
  #early: EarlyScan | undefined;

  constructor(readonly threads = SHARE_WORKER_THREADS) {
    this.#slots = new Array<Slot | undefined>(Math.max(1, threads)).fill(undefined);
  }

  /**
   * Walks the roots in a worker, handing each part to `onPart` as it arrives;
   * with `cache`, each file is looked up in that hash cache file (read there).
   */
  async scan(
    roots: readonly string[],
    opts: { maxFiles: number; partFiles: number; cache?: { file: string; legacyFile: string } | undefined; list?: boolean },
    onPart: (part: ScanPart) => void,
  ): Promise<ScanEnd> {
    const { maxFiles, partFiles, cache, list } = opts;
    this.#scans++;
    let r: WorkerReply;
    try {
      r = await this.#ask(0, (id) => ({ type: 'scan', id, roots: [...roots], maxFiles, partFiles, ...(cache ? { cache } : {}), ...(list ? { list } : {}) }), onPart);
    } finally {
      this.#scans--;
    }
    if (r.type !== 'scanned') throw new Error(r.type === 'failed' ? r.message : `unexpected ${r.type} reply to scan`);
    return r.end;
  }

  /** Keeps the scan begun early for the library that takes this pool (early-scan.ts). */
  setEarlyScan(scan: EarlyScan): void {
    this.#early = scan;
  }

  /** The scan begun early on this pool, once (the library takes it in, or cancels it when it does not match its own). */
  takeEarlyScan(): EarlyScan | undefined {
    const scan = this.#early;
    this.#early = undefined;
    return scan;
  }

  /** While held, requests do not keep the process alive; let go, workers with requests out do again. */
  hold(held: boolean): void {
    this.#held = held;
    if (held) return;
    for (const slot of this.#slots) if (slot && slot.pending.size > 0) slot.worker.ref();
  }

  /** Workers running now (started and not ended). */
  get started(): number {
    return this.#slots.filter((s) => s !== undefined).length;
  }

  /** Whether worker `k` (by default the first, the one that walks) is walking a scan now. */
  scanning(k = 0): boolean {
    return k === 0 && this.#scans > 0;
  }

  /** Hashes files (path, size the scan saw) in worker `k`, in order. */
  async hash(k: number, paths: readonly string[], sizes: Float64Array): Promise<PackedHashes> {
    const r = await this.#ask(k % this.#slots.length, (id) => ({ type: 'hash', id, paths: paths.join(NAME_SEPARATOR), sizes }));
    if (r.type !== 'hashed') throw new Error(r.type === 'failed' ? r.message : `unexpected ${r.type} reply to hash`);
    return r.hashes;
  }

  /**
   * Stats and hashes a listing walk's part in worker `k` (a first scan's one
   * step per file: stat-hash-sync.ts), its paths joined as the part has
   * them; files up to `maxBytes` are hashed (-1: none).
   */
  async statHash(k: number, part: Pick<ScanPart, 'paths' | 'sizes' | 'mtimes' | 'ctimes' | 'inos'>, maxBytes: number): Promise<StatHashed> {
    const { paths, sizes, mtimes, ctimes, inos } = part;
    const r = await this.#ask(k % this.#slots.length, (id) => ({ type: 'stat-hash', id, paths, sizes, mtimes, ctimes, inos, maxBytes }));
    if (r.type !== 'stat-hashed') throw new Error(r.type === 'failed' ? r.message : `unexpected ${r.type} reply to stat-hash`);
    return r.files;
  }

  /** Starts every worker not running yet, or the first `count` (they load while the walk begins, ready for the first hashes). */
  startAll(count = this.#slots.length): void {
    if (this.#closed) return;
    for (let k = 0; k < Math.min(count, this.#slots.length); k++) if (!this.#slots[k]) this.#spawn(k);
  }

  /** Ends the idle workers other than the first (they start again for the next hashes). */
  release(): void {
    for (let k = 1; k < this.#slots.length; k++) {
      const slot = this.#slots[k];
      if (!slot || slot.pending.size > 0) continue;
      this.#slots[k] = undefined;
      void slot.worker.terminate();
    }
  }

  /** Makes every worker end the file it is hashing at the next chunk and skip the rest of its batch. */
  stopHashing(): void {
    Atomics.store(new Int32Array(this.#stop), 0, 1);
  }

  /** Stops hashing and ends the workers; requests still open fail. */
  async close(): Promise<void> {
    this.#closed = true;
    this.stopHashing();
    await Promise.all(this.#slots.map((s) => s?.worker.terminate()));
  }

  #ask(k: number, make: (id: number) => WorkerRequest, onPart?: (part: ScanPart) => void): Promise<WorkerReply> {
    if (this.#closed) return Promise.reject(new Error('share workers closed'));
    const slot = this.#slots[k] ?? this.#spawn(k);
    const id = this.#nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      if (slot.pending.size === 0 && !this.#held) slot.worker.ref();
      slot.pending.set(id, { resolve, reject, onPart });
      slot.worker.postMessage(make(id));
    });
  }

  #spawn(k: number): Slot {
    const start: WorkerStart = { stop: this.#stop };
    const worker = new Worker(shareWorkerUrl(), { workerData: start });
    const slot: Slot = { worker, pending: new Map() };
    worker.on('message', (r: WorkerReply) => {
      const p = slot.pending.get(r.id);
      if (!p) return;
      if (r.type === 'scan-part') {
        try {
          p.onPart?.(r.part);
        } catch (err) {
          p.onPart = undefined; // the scan fails with this error when it ends
          p.reject(err instanceof Error ? err : new Error(String(err)));
        }
        return;
      }
      slot.pending.delete(r.id);
      if (slot.pending.size === 0) worker.unref();
      p.resolve(r);
    });
    worker.on('error', (err) => {
      slot.failure = err;
    });
    worker.on('exit', (code) => {
      if (this.#slots[k] === slot) this.#slots[k] = undefined;
      const err = slot.failure ?? new Error(`share worker exited with code ${code}`);
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
    });
    // Idle: the process may exit. After the listeners: adding a 'message' listener refs the worker again.
    worker.unref();
    this.#slots[k] = slot;
    return slot;
  }
}
