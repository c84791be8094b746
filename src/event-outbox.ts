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
 * Bytes of output gathered in one turn before they are written anyway: the size of a pipe's
 * buffer (a bigger write costs more per line: most of it waits for the reader anyway).
 */
const BATCH_BYTES = 64 * 1024;

/** Batch buffers kept for reuse once the stream is done with them. */
const SPARE_BATCHES = 2;

/** The most UTF-8 bytes one UTF-16 unit of formatted text takes. */
const UTF8_BYTES_PER_UNIT = 3;

/**
 * Writes an event's line (newline included) as bytes at `buf[pos]` and returns where it
 * ended, or returns -1 when it does not take this event or it does not fit in what is left
 * of `buf`; such an event is written as `format`'s text.
 */
export type EventEncoder = (buf: Buffer, pos: number, e: AppEvent) => number;

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
  readonly #encode: EventEncoder | undefined;
  /** Lines written this turn of the event loop, handed to the stream in one write: `#batch[0, #pos)`. */
  #batch: Buffer | undefined;
  #pos = 0;
  #scheduled = false;
  /** Batches the stream is done with (with `reuseBatches` only). */
  #spare: Buffer[] = [];
  readonly #reuse: boolean;
  #droppedLines = 0;
  #droppedOther = 0;

  /**
   * `format`: an event as its line of output, newline included; `encode`: the same line
   * written as bytes, for the events it takes (the hot ones). `reuseBatches`: `out` has
   * copied a chunk out by the time its write's callback runs (a socket, a pipe, a terminal,
   * a file: `process.stdout`), so a written batch can take the next turn's lines; not for a
   * stream that keeps the chunks it is given (a PassThrough).
   */
  constructor(out: NodeJS.WritableStream, format: (e: AppEvent) => string, opts: { maxEvents?: number; hardMax?: number; encode?: EventEncoder; reuseBatches?: boolean } = {}) {
    this.#out = out;
    this.#format = format;
    this.#encode = opts.encode;
    this.#max = opts.maxEvents ?? OUTBOX_MAX_EVENTS;
    this.#hardMax = Math.max(this.#max, opts.hardMax ?? OUTBOX_HARD_MAX);
    this.#reuse = opts.reuseBatches === true;
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
    this.#blocked = false;
    for (let i = this.#head; i < this.#q.length; i++) {
      const e = this.#q[i];
      if (e) this.#write(e);
    }
    this.#writePending();
    this.#q = [];
    this.#head = 0;
    this.#progress.clear();
  }

  /**
   * Events are written once per turn of the event loop, not once each, into one byte buffer
   * (a relay shows hundreds of thousands of lines a second; issue 9: printing events must not
   * be what limits the mesh).
   */
  #write(e: AppEvent): void {
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.#endOfTurn);
    }
    const batch = (this.#batch ??= this.#spare.pop() ?? Buffer.allocUnsafeSlow(BATCH_BYTES));
    let end = this.#encode === undefined ? -1 : this.#encode(batch, this.#pos, e);
    if (end < 0 && this.#pos > 0 && this.#encode !== undefined) {
      this.#writePending();
      const fresh = (this.#batch ??= this.#spare.pop() ?? Buffer.allocUnsafeSlow(BATCH_BYTES));
      end = this.#encode(fresh, 0, e);
    }
    if (end >= 0) this.#pos = end;
    else this.#writeText(this.#format(e));
  }

  /** A line as text: into the batch when it fits, else on its own after the batch. */
  #writeText(s: string): void {
    if (s.length * UTF8_BYTES_PER_UNIT > BATCH_BYTES - this.#pos) {
      this.#writePending();
      if (s.length * UTF8_BYTES_PER_UNIT > BATCH_BYTES) {
        if (!this.#out.write(s)) this.#blocked = true;
        return;
      }
    }
    const batch = (this.#batch ??= this.#spare.pop() ?? Buffer.allocUnsafeSlow(BATCH_BYTES));
    this.#pos += batch.write(s, this.#pos, 'utf8');
  }

  #endOfTurn = (): void => {
    this.#scheduled = false;
    this.#writePending();
  };

  #writePending(): void {
    const batch = this.#batch;
    if (batch === undefined || this.#pos === 0) return;
    const chunk = batch.subarray(0, this.#pos);
    this.#batch = undefined;
    this.#pos = 0;
    const ok = this.#reuse
      ? this.#out.write(chunk, () => {
          if (this.#spare.length < SPARE_BATCHES) this.#spare.push(batch);
        })
      : this.#out.write(chunk);
    if (!ok) this.#blocked = true;
  }

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
