import type { Socket } from 'node:net';
import type { NetError } from '../errors.js';
import type { QueueLimits, DeflateTuning } from './connection-types.js';
import { FlushingDeflate } from './flushing-deflate.js';
import { decideSend, type SendVerdict } from './send-policy.js';

/** What a SendQueue needs from its link once it deflates. */
export interface SendQueueHooks {
  /** The socket (or the deflater) drained. */
  drain(): void;
  /** Deflating failed: the link closes with this. */
  fail(err: NetError): void;
  /** Whether the link is still open. */
  active(): boolean;
}

/**
 * A link's outgoing side (STYLE.md rule 4: one backpressure policy): the bytes send() took
 * that the kernel has not, in the socket's buffer or in the deflater; whether they are above
 * the high watermark (congested, until they fall below the low one); deflate once the
 * protocol switched it on (gnutella.md "Compression"). Every write of one tick goes out in
 * one writev: a relay forwarding thousands of short lines a second costs one syscall a
 * burst, not a line (issue 9).
 */
export class SendQueue {
  readonly #socket: Socket;
  readonly #limits: QueueLimits;
  #deflate: FlushingDeflate | undefined;
  #congested = false;
  #corked = false;
  /** Bytes taken so far (before compression). */
  bytesOut = 0;

  constructor(socket: Socket, limits: QueueLimits) {
    this.#socket = socket;
    this.#limits = limits;
  }

  /** Bytes taken and not yet handed to the kernel. */
  get queuedBytes(): number {
    let n = this.#socket.writableLength;
    if (this.#deflate) n += this.#deflate.queued;
    return n;
  }

  /** True from crossing the high watermark until the queue falls below the low one. */
  get congested(): boolean {
    return this.#congested;
  }

  /** True when the bytes are deflated (compress()). */
  get compressed(): boolean {
    return this.#deflate !== undefined;
  }

  /**
   * Takes the bytes when the policy says 'send' (send-policy.ts) and returns its verdict:
   * 'drop' (droppable, above the high watermark) and 'cut' (precious, past the hard cap:
   * the caller closes the link as a slow consumer) take nothing.
   */
  offer(data: Buffer | string, droppable: boolean): SendVerdict {
    const len = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    const verdict = decideSend(this.queuedBytes, len, droppable, this.#limits);
    if (verdict !== 'send') return verdict;
    this.bytesOut += len;
    if (this.#deflate) {
      this.#deflate.write(data);
    } else {
      if (!this.#corked) {
        this.#corked = true;
        this.#socket.cork();
        process.nextTick(this.#uncork);
      }
      this.#socket.write(data);
    }
    if (!this.#congested && this.queuedBytes >= this.#limits.highWater) this.#congested = true;
    return verdict;
  }

  /** From now on the bytes are deflated, with a sync flush after each burst of sends. */
  compress(hooks: SendQueueHooks, tuning: DeflateTuning): void {
    if (this.#deflate) return;
    this.#deflate = new FlushingDeflate({ out: (c) => this.#socket.write(c), drain: hooks.drain, fail: hooks.fail, active: hooks.active }, tuning);
  }

  /** After a drain: true when the queue was congested and is now at or below the low watermark (no longer congested). */
  drained(): boolean {
    if (!this.#congested || this.queuedBytes > this.#limits.lowWater) return false;
    this.#congested = false;
    return true;
  }

  /** Hands this tick's writes to the kernel now (the link is about to be destroyed). */
  flush(): void {
    if (this.#corked) this.#uncork();
  }

  /** Ends the socket once what is queued (and in the deflater) is written. */
  end(): void {
    const s = this.#socket;
    if (this.#deflate) this.#deflate.end(() => s.end());
    else s.end();
  }

  #uncork = (): void => {
    this.#corked = false;
    this.#socket.uncork();
  };
}
