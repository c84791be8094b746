/**
 * The headless stdout queue (README "Headless mode"): events wait here while stdout
 * cannot take more, so a slow reader never makes the node buffer without bound.
 * Overflow rules: a queued `transfer.progress` is replaced by the newer one of the same
 * transfer (coalesced); past `maxEvents` queued, chat lines, search hits and log lines are
 * dropped and counted; past `hardMax` every event is. The count is reported in one
 * `notice` once the queue has room again.
 *
 * An event the encoder takes (a `chat.line` under `--json`) waits as its bytes, written into
 * a batch at the end of the queue, not as the event: a relay whose reader lags queues
 * thousands of lines, and as objects they outlived young-generation collections, which then
 * copied them (issue 9: 1.6-2.9 MB surviving each scavenge of a chained relay, pauses of
 * 6-50 ms).
 */
import type { AppEvent, AppEventType } from './app-api.js';
import { WireChatLine } from './wire-chat-line.js';

/** Queued events past which chat lines, search hits and log lines are dropped. */
export const OUTBOX_MAX_EVENTS = 10_000;
/** Queued events past which every event is dropped. */
export const OUTBOX_HARD_MAX = 20_000;

/**
 * Bytes of output gathered in one turn before they are written anyway: the size of a pipe's
 * buffer (a bigger write costs more per line: most of it waits for the reader anyway).
 */
const BATCH_BYTES = 64 * 1024;

/**
 * Batch buffers kept for reuse once the stream is done with them (3 MiB at most): a turn
 * needs one or two, a queue of lines held back as bytes a few dozen, and a batch allocated
 * for each (outside the JS heap) and dropped once written cost as much as the objects did.
 */
const SPARE_BATCHES = 48;

/**
 * Bytes of queued lines held as bytes at most; past it, queued events wait as objects. The
 * event caps come first (10,000 chat lines are about 2.5 MB): this only bounds lines of
 * unusual size.
 */
const MAX_QUEUED_BYTES = 16 * 1024 * 1024;

/** Queued lines already written as bytes: `bytes[0, end)`, `events` of them. */
class QueuedBytes {
  constructor(
    readonly bytes: Buffer,
    public end: number,
    public events: number,
  ) {}
}

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
  #q: Array<AppEvent | QueuedBytes | undefined> = [];
  #head = 0;
  /** Events in `#q` (as objects and as bytes). */
  #queued = 0;
  /** Bytes in `#q`'s QueuedBytes. */
  #queuedBytes = 0;
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
  /** A batch taken for the queue that an event did not go into (never handed to the stream). */
  #unused: Buffer | undefined;
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
    return this.#queued;
  }

  push(e: AppEvent): void {
    if (!this.#blocked && this.#queued === 0) {
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
    const n = this.#queued;
    if (n >= this.#hardMax || (n >= this.#max && DROPPABLE.has(e.type))) {
      if (e.type === 'chat.line') this.#droppedLines++;
      else this.#droppedOther++;
      return;
    }
    this.#queued++;
    if (e.type !== 'transfer.progress' && this.#queueBytes(e)) return;
    if (e.type === 'transfer.progress') this.#progress.set(e.id, this.#q.length);
    // A line shown from its received bytes waits as its plain event: its object carries the
    // next line, and the chunk it points into (64 KiB) is not held.
    this.#q.push(e instanceof WireChatLine ? e.toJSON() : e);
  }

  /** Queues `e` as its bytes, at the end of the queue; false when the encoder does not take it. */
  #queueBytes(e: AppEvent): boolean {
    if (this.#encode === undefined || this.#queuedBytes >= MAX_QUEUED_BYTES) return false;
    const last = this.#q.length > this.#head ? this.#q[this.#q.length - 1] : undefined;
    if (last instanceof QueuedBytes) {
      const end = this.#encode(last.bytes, last.end, e);
      if (end >= 0) {
        this.#queuedBytes += end - last.end;
        last.end = end;
        last.events++;
        return true;
      }
    }
    const bytes = this.#unused ?? this.#spare.pop() ?? Buffer.allocUnsafeSlow(BATCH_BYTES);
    this.#unused = undefined;
    const end = this.#encode(bytes, 0, e);
    if (end < 0) {
      this.#unused = bytes;
      return false;
    }
    this.#queuedBytes += end;
    this.#q.push(new QueuedBytes(bytes, end, 1));
    return true;
  }

  /** Writes whatever is still queued, ignoring backpressure (the program is ending). */
  close(): void {
    this.#blocked = false;
    for (let i = this.#head; i < this.#q.length; i++) {
      const item = this.#q[i];
      if (item instanceof QueuedBytes) {
        this.#writePending();
        this.#writeBatch(item.bytes, item.end);
      } else if (item) this.#write(item);
    }
    this.#writePending();
    this.#q = [];
    this.#head = 0;
    this.#queued = 0;
    this.#queuedBytes = 0;
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
    const end = this.#pos;
    this.#batch = undefined;
    this.#pos = 0;
    this.#writeBatch(batch, end);
  }

  /** Hands `batch[0, end)` to the stream (and the batch back to the spares once written, with `reuseBatches`). */
  #writeBatch(batch: Buffer, end: number): void {
    const chunk = batch.subarray(0, end);
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
      const item = this.#q[i];
      this.#q[i] = undefined;
      if (!item) continue;
      if (item instanceof QueuedBytes) {
        this.#queued -= item.events;
        this.#queuedBytes -= item.end;
        this.#writePending(); // what this turn wrote before it, first
        this.#writeBatch(item.bytes, item.end);
        continue;
      }
      this.#queued--;
      if (item.type === 'transfer.progress' && this.#progress.get(item.id) === i) this.#progress.delete(item.id);
      this.#write(item);
    }
    this.#compact();
    if ((this.#droppedLines > 0 || this.#droppedOther > 0) && this.#queued < this.#max / 2) {
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
