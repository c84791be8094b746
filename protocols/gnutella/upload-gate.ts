/**
 * Who gets an upload slot on the Gnutella port (spec 5.4): carries out the
 * UploadQueue's verdicts with the transfer engine's slots, and keeps a slot
 * with the kept-alive connection that had it between two requests (a
 * downloader fetching 512 KiB pieces must not lose its slot to the queue after
 * each piece, as gtk-gnutella keeps an upload's slot between its requests).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Clock, Timer } from '../../src/clock.js';
import { normalizeIp } from '../../src/net/address.js';
import type { Release } from '../../src/transfer/slot-limiter.js';
import { formatXQueued, parseXQueued, QUEUE_FEATURE, wantsQueue } from './parq-header.js';
import { UploadQueue, type UploadQueueOptions } from './upload-queue.js';

/** How long a connection that finished a request keeps its slot for its next request. */
export const FOLLOW_UP_MS = 10_000;

/** A slot to send with, or the 503 to answer. */
export type Admission = { slot: Release } | { status: 503; text: string; headers: Record<string, string> };

/** What the gate needs from the transfer engine. */
export interface SlotSource {
  tryUploadSlot(peer: string): Release | undefined;
}

interface Held {
  release: Release;
  timer: Timer;
  onClose: () => void;
}

export class UploadGate {
  readonly queue: UploadQueue;
  readonly #held = new WeakMap<Socket, Held>();
  readonly #followUpMs: number;

  constructor(
    private readonly slots: SlotSource,
    private readonly clock: Clock,
    opts: Partial<UploadQueueOptions> & { followUpMs?: number } = {},
  ) {
    this.queue = new UploadQueue(opts, () => randomBytes(16).toString('hex').toUpperCase());
    this.#followUpMs = opts.followUpMs ?? FOLLOW_UP_MS;
  }

  /**
   * A slot for this request of `file` (a SHA-1 or path), or the 503 to answer:
   * `503 Queued` with `X-Queued` for a client that sent `X-Queue`, else `503 Busy`;
   * both with `Retry-After`.
   */
  admit(req: IncomingMessage, file: string, peer: string): Admission {
    const socket = req.socket;
    const keep = req.method === 'GET';
    const held = this.#held.get(socket);
    if (held) {
      this.#unhold(socket, held);
      return { slot: this.#wrap(socket, held.release, keep) };
    }
    const now = this.clock.now();
    const who = { address: normalizeIp(socket.remoteAddress), file, ...idOf(req) };
    const verdict = this.queue.ask(who, now);
    if (verdict.kind === 'slot') {
      const slot = this.slots.tryUploadSlot(peer);
      if (slot) {
        if (verdict.entry) this.queue.served(verdict.entry);
        return { slot: this.#wrap(socket, slot, keep) };
      }
    }
    const queueing = wantsQueue(req.headers['x-queue']);
    if (!queueing && (verdict.kind === 'slot' || verdict.kind === 'wait')) return busy(this.queue.retryAfterS, 'Busy');
    const answer = verdict.kind === 'slot' || verdict.kind === 'wait' ? this.queue.enqueue(who, now) : verdict;
    if (answer.kind === 'busy') return busy(answer.retryAfterS, answer.why === 'full' ? 'Queue full' : answer.why === 'early' ? 'Too many early requests' : 'Busy');
    const { position, length, etaS, lifetimeS, retryAfterS, entry } = answer;
    return {
      status: 503,
      text: 'Queued',
      headers: { 'Retry-After': String(retryAfterS), 'X-Queued': formatXQueued({ position, length, etaS, lifetimeS, id: entry.id }), 'X-Features': QUEUE_FEATURE },
    };
  }

  /** The engine's release keeps the slot with the connection for a follow-up request (GETs only). */
  #wrap(socket: Socket, release: Release, keep: boolean): Release {
    if (!keep) return release;
    return () => {
      if (socket.destroyed || this.#held.has(socket)) return release();
      const onClose = (): void => {
        const h = this.#held.get(socket);
        if (h) this.#unhold(socket, h);
        release();
      };
      const timer = this.clock.setTimeout(onClose, this.#followUpMs);
      socket.once('close', onClose);
      this.#held.set(socket, { release, timer, onClose });
    };
  }

  #unhold(socket: Socket, h: Held): void {
    h.timer.cancel();
    socket.off('close', h.onClose);
    this.#held.delete(socket);
  }
}

function idOf(req: IncomingMessage): { id?: string } {
  const id = parseXQueued(req.headers['x-queued'])?.id;
  return id === undefined ? {} : { id };
}

function busy(retryAfterS: number, text: string): Admission {
  return { status: 503, text, headers: { 'Retry-After': String(retryAfterS), 'X-Features': QUEUE_FEATURE } };
}
