/**
 * "Come back later" from a download's source, in words no protocol owns: a
 * remote queue that keeps a place for us (Gnutella PARQ, LimeWire's active
 * queue, spec 5.4 of gnutella.md) or a busy source that keeps none. A
 * DownloadSource throws a RemoteQueued from `open`; the engine then waits
 * (cancellable, bounded) or goes on with another source of the same file, and
 * never asks that source again before the time it said.
 */
import type { Clock, Timer } from '../clock.js';
import { NetError } from '../errors.js';
import type { DownloadSource } from './transfer-types.js';

/** Shortest and longest wait the engine honours, whatever a source says (1 s..1 h). */
export const MIN_REMOTE_WAIT_MS = 1_000;
export const MAX_REMOTE_WAIT_MS = 3_600_000;

/** What a source said about when to come back. */
export interface RemoteWait {
  /** Not before this many ms from now. */
  retryInMs: number;
  /** What the user reads: `queued at gtk-gnutella/1.2.3, position 3 of 12`, `busy`. */
  note: string;
  /** `queued`: the source keeps a place for us; `busy`: it keeps none (a few tries only). */
  kind: 'queued' | 'busy';
}

/** Thrown by `DownloadSource.open` for a source that queued us or is busy (code REFUSED when the engine gives up). */
export class RemoteQueued extends NetError {
  constructor(readonly wait: RemoteWait) {
    super('REFUSED', wait.note);
  }
}

/** How long the engine keeps trying a source that queues us or is busy. */
export interface RemoteBudget {
  /** Busy answers (no place kept) from one source before the download gives it up. */
  busyTries: number;
  /** Total time one source may keep us queued before the download gives it up. */
  queuedMs: number;
}

interface SourceState {
  notBefore: number;
  note: string;
  busy: number;
  since: number;
}

interface Waiting {
  retryAt: number;
  note: string;
  timer: Timer;
}

/**
 * The engine's record of remote waits: per source, the time before which it
 * is not asked again and what it has cost; per download, the timer of the
 * wait under way. Bounded: a source is remembered only as long as its
 * download holds it (WeakMap), and one wait per download.
 */
export class RemoteWaits<T extends object> {
  readonly #sources = new WeakMap<DownloadSource, SourceState>();
  readonly #waiting = new Map<T, Waiting>();

  constructor(
    private readonly clock: Clock,
    private readonly budget: RemoteBudget,
  ) {}

  /** Downloads waiting now. */
  get size(): number {
    return this.#waiting.size;
  }

  /** Records what `source` said; false when it has used up its budget (then it is a failure like any other). */
  record(source: DownloadSource, wait: RemoteWait): boolean {
    const now = this.clock.now();
    const s = this.#sources.get(source) ?? { notBefore: 0, note: '', busy: 0, since: now };
    this.#sources.set(source, s);
    s.note = wait.note;
    s.notBefore = now + Math.min(MAX_REMOTE_WAIT_MS, Math.max(MIN_REMOTE_WAIT_MS, Number.isFinite(wait.retryInMs) ? wait.retryInMs : MAX_REMOTE_WAIT_MS));
    if (wait.kind === 'busy') s.busy++;
    return s.busy <= this.budget.busyTries && now - s.since <= this.budget.queuedMs;
  }

  /** When `source` may be asked again (0: now). */
  notBefore(source: DownloadSource): number {
    return this.#sources.get(source)?.notBefore ?? 0;
  }

  /** Forgets what `source` cost (a `/retry` by the user starts its budget afresh; the source still keeps its own time). */
  forget(source: DownloadSource): void {
    this.#sources.delete(source);
  }

  /** What `source` said last (`queued at ..., position 3 of 12`). */
  noteOf(source: DownloadSource): string {
    return this.#sources.get(source)?.note ?? '';
  }

  /** `t` waits until `retryAt`, then `resume(t)` runs. */
  wait(t: T, retryAt: number, note: string, resume: (t: T) => void): void {
    this.cancel(t);
    const timer = this.clock.setTimeout(
      () => {
        this.#waiting.delete(t);
        resume(t);
      },
      Math.max(0, retryAt - this.clock.now()),
    );
    this.#waiting.set(t, { retryAt, note, timer });
  }

  /** What `t` waits for, with the seconds left; undefined when it is not waiting. */
  describe(t: T): { note: string; retryInS: number } | undefined {
    const w = this.#waiting.get(t);
    return w ? { note: w.note, retryInS: Math.max(0, Math.ceil((w.retryAt - this.clock.now()) / 1000)) } : undefined;
  }

  /** Ends `t`'s wait (cancel, shutdown); true when it was waiting. */
  cancel(t: T): boolean {
    const w = this.#waiting.get(t);
    if (!w) return false;
    w.timer.cancel();
    this.#waiting.delete(t);
    return true;
  }

  /** Ends every wait; returns those that waited. */
  cancelAll(): T[] {
    const all = [...this.#waiting.keys()];
    for (const t of all) this.cancel(t);
    return all;
  }
}
