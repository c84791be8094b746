import type { Socket } from 'node:net';
import type { Clock, Timer } from '../../src/clock.js';
import { NetError } from '../../src/errors.js';
import type { Giv } from './giv.js';

/** Downloads waiting for a GIV at once; one more is refused with LIMIT (a cap on what remote hits can make us hold). */
export const MAX_PENDING_PUSHES = 64;

/** A GIV's socket with the bytes read past the GIV block. */
export interface PushedSocket {
  socket: Socket;
  head: Buffer;
  giv: Giv;
}

interface Waiter {
  guid: string;
  index: number;
  resolve: (s: PushedSocket) => void;
  reject: (e: NetError) => void;
  timer: Timer;
}

/** What became of a GIV offered to the table. */
export type GivOutcome = 'matched' | 'unmatched';

/**
 * Downloads waiting for their pushed connection (spec 4.4): each waits for a
 * GIV from the servent GUID it pushed, with a timeout; the table is capped.
 * A GIV is matched by servent GUID, preferring a waiter for the same file
 * index (LimeWire sends index 0 through proxies, gtk-gnutella its own), oldest
 * first. A GIV nobody waits for is refused by the caller.
 */
export class PendingPushes {
  readonly #waiters: Waiter[] = [];
  matched = 0;
  unmatched = 0;
  timedOut = 0;

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.#waiters.length;
  }

  /**
   * Waits for a GIV from `guid` (hex). Rejects with `onTimeout()` after `ms`,
   * with CLOSED when `signal` aborts, at once with LIMIT when the table is full.
   */
  wait(guid: string, index: number, ms: number, signal: AbortSignal, onTimeout: () => NetError): Promise<PushedSocket> {
    if (signal.aborted) return Promise.reject(NetError.closed('download cancelled'));
    if (this.#waiters.length >= MAX_PENDING_PUSHES) return Promise.reject(NetError.limit(`${MAX_PENDING_PUSHES} downloads already wait for a push`));
    return new Promise<PushedSocket>((resolve, reject) => {
      const done = (): void => {
        const i = this.#waiters.indexOf(w);
        if (i !== -1) this.#waiters.splice(i, 1);
        w.timer.cancel();
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => (done(), reject(NetError.closed('download cancelled')));
      const w: Waiter = {
        guid: guid.toLowerCase(),
        index,
        resolve: (s) => (done(), resolve(s)),
        reject: (e) => (done(), reject(e)),
        timer: this.clock.setTimeout(() => {
          this.timedOut++;
          w.reject(onTimeout());
        }, ms),
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(w);
    });
  }

  /** Hands a GIV's socket to the download waiting for it. */
  offer(p: PushedSocket): GivOutcome {
    const guid = p.giv.serventGuid.toString('hex');
    const same = this.#waiters.filter((w) => w.guid === guid);
    const w = same.find((x) => x.index === p.giv.index) ?? same[0];
    if (!w) {
      this.unmatched++;
      return 'unmatched';
    }
    this.matched++;
    w.resolve(p);
    return 'matched';
  }

  /** Ends every wait (plugin stop). */
  close(): void {
    for (const w of [...this.#waiters]) w.reject(NetError.closed('Gnutella stopped'));
  }
}
