/**
 * The headless stdout queue (README "Headless mode"): events wait here while stdout
 * cannot take more, so a slow reader never makes the node buffer without bound.
 * Overflow rules: a queued `transfer.progress` is replaced by the newer one of the same
 * transfer (coalesced); past `maxEvents` queued, chat lines, search hits and log lines are
 * dropped and counted; past `hardMax` every event is. The count is reported in one
 * `notice` once the queue has room again.
 */
import type { AppEvent, AppEventType } from './app-api.js';

/** Queued events past which chat lines, search hits and log lines are dropped. */
export const OUTBOX_MAX_EVENTS = 10_000;
/** Queued events past which every event is dropped. */
export const OUTBOX_HARD_MAX = 20_000;

/**
 * Formatted text gathered in one turn before it is written anyway: the size of a pipe's
 * buffer. A bigger write costs more per line (the string's bytes are copied to a fresh
 * allocation that big, and most of them wait there for the reader anyway).
 */
const PENDING_MAX_CHARS = 64 * 1024;

/** Event kinds that may be dropped (counted) when stdout falls behind. */
const DROPPABLE: ReadonlySet<AppEventType> = new Set<AppEventType>(['chat.line', 'search.hit', 'log']);

/** Queue and writer for one output stream. */
export class EventOutbox {
  readonly #out: NodeJS.WritableStream;
  readonly #format: (e: AppEvent) => string;
  readonly #max: number;
  readonly #hardMax: number;
  #q: Array<AppEvent | undefined> = [];
  #head = 0;
  /** Queue index of the waiting progress event, by transfer id. */
  #progress = new Map<number, number>();
  #blocked = false;
  /** Lines formatted this turn of the event loop, handed to the stream in one write. */
  #pending = '';
  #droppedLines = 0;
  #droppedOther = 0;

  /** `format`: an event as its line of output, newline included. */
  constructor(out: NodeJS.WritableStream, format: (e: AppEvent) => string, opts: { maxEvents?: number; hardMax?: number } = {}) {
    this.#out = out;
    this.#format = format;
    this.#max = opts.maxEvents ?? OUTBOX_MAX_EVENTS;
    this.#hardMax = Math.max(this.#max, opts.hardMax ?? OUTBOX_HARD_MAX);
    out.on('drain', () => this.#flush());
  }

  /** Events waiting for stdout. */
  get queued(): number {
    return this.#q.length - this.#head;
  }

  push(e: AppEvent): void {
    if (!this.#blocked && this.queued === 0) {
      this.#write(e);
      return;
    }
    if (e.type === 'transfer.progress') {
      const at = this.#progress.get(e.id);
      if (at !== undefined) {
        this.#q[at] = e;
        return;
      }
    }
    const n = this.queued;
    if (n >= this.#hardMax || (n >= this.#max && DROPPABLE.has(e.type))) {
      if (e.type === 'chat.line') this.#droppedLines++;
      else this.#droppedOther++;
      return;
    }
    if (e.type === 'transfer.progress') this.#progress.set(e.id, this.#q.length);
    this.#q.push(e);
  }

  /** Writes whatever is still queued, ignoring backpressure (the program is ending). */
  close(): void {
    this.#writePending();
    this.#blocked = false;
    for (let i = this.#head; i < this.#q.length; i++) {
      const e = this.#q[i];
      if (e) this.#out.write(this.#format(e));
    }
    this.#q = [];
    this.#head = 0;
    this.#progress.clear();
  }

  /**
   * Events are written once per turn of the event loop, not once each: stdout on a pipe
   * is a blocking write(2) per call, and a relay shows thousands of lines a second
   * (issue 9: printing events must not be what limits the mesh).
   */
  #write(e: AppEvent): void {
    if (this.#pending === '') queueMicrotask(this.#writePending);
    this.#pending += this.#format(e);
    if (this.#pending.length >= PENDING_MAX_CHARS) this.#writePending();
  }

  #writePending = (): void => {
    const s = this.#pending;
    if (s === '') return;
    this.#pending = '';
    if (!this.#out.write(s)) this.#blocked = true;
  };

  #flush(): void {
    this.#blocked = false;
    while (!this.#blocked && this.#head < this.#q.length) {
      const i = this.#head++;
      const e = this.#q[i];
      this.#q[i] = undefined;
      if (!e) continue;
      if (e.type === 'transfer.progress' && this.#progress.get(e.id) === i) this.#progress.delete(e.id);
      this.#write(e);
    }
    this.#compact();
    if ((this.#droppedLines > 0 || this.#droppedOther > 0) && this.queued < this.#max / 2) {
      const parts = [`${this.#droppedLines} chat line${this.#droppedLines === 1 ? '' : 's'}`];
      if (this.#droppedOther > 0) parts.push(`${this.#droppedOther} other event${this.#droppedOther === 1 ? '' : 's'}`);
      this.#droppedLines = 0;
      this.#droppedOther = 0;
      this.push({ type: 'notice', protocol: 'core', text: `stdout is not keeping up: ${parts.join(' and ')} dropped` });
    }
  }

  /** Drops the consumed front of the queue, so its array does not grow with the total written. */
  #compact(): void {
    if (this.#head === this.#q.length) {
      this.#q = [];
      this.#head = 0;
      this.#progress.clear();
      return;
    }
    if (this.#head < 4096 || this.#head * 2 < this.#q.length) return;
    const shift = this.#head;
    this.#q = this.#q.slice(shift);
    this.#head = 0;
    for (const [id, at] of this.#progress) this.#progress.set(id, at - shift);
  }
}
