/**
 * A Gnutella download source's side of remote queueing (spec 5.4): what a
 * `503` says (PARQ `X-Queued`, LimeWire's active `X-Queue`, a plain busy with
 * `Retry-After`), read into a bounded wait, and what the source remembers
 * between requests (the PARQ ID to quote, the time before which it must not
 * ask again: gtk-gnutella bans a client past 5 requests a minute).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Agent } from 'node:http';
import type { Clock, Timer } from '../../src/clock.js';
import { RemoteQueued, type RemoteWait } from '../../src/transfer/remote-queue.js';
import { clamp, parseRetryAfter, parseXQueueActive, parseXQueued, PARQ_CLIENT_VERSION } from './parq-header.js';

/** Wait when a server names none (seconds), and the bounds of any wait it names (1 s..1 h). */
export const DEFAULT_RETRY_S = 60;
export const MIN_RETRY_S = 1;
export const MAX_RETRY_S = 3_600;
/** LimeWire's poll window when its header names none (pollMin, pollMax). */
export const DEFAULT_POLL_MIN_S = 45;
export const DEFAULT_POLL_MAX_S = 120;
/** Come back this long before a PARQ lifetime ends (gtk-gnutella's PARQ_RETRY_SAFETY). */
export const LIFETIME_SAFETY_S = 40;
/** Characters of a server's name shown to the user. */
const MAX_SERVER_CHARS = 40;

/** What one `503` answer says. */
export interface BusyReply {
  wait: RemoteWait;
  /** PARQ: the ID to quote and our place. */
  id?: string;
  position?: number;
  /** LimeWire's active queue: poll again on the same connection, within `pollMaxS`. */
  pollMaxS?: number;
}

/** The server's name (`Server`, else `User-Agent`), printable and short, or its address. */
function serverName(h: IncomingHttpHeaders, address: string): string {
  const raw = h.server ?? h['user-agent'];
  const name = typeof raw === 'string' ? raw.replace(/[^\x20-\x7e]/g, '').trim().slice(0, MAX_SERVER_CHARS) : '';
  return name === '' ? address : `${name} (${address})`;
}

const place = (position: number | undefined, length: number | undefined): string =>
  position === undefined ? '' : `, position ${position}${length !== undefined && length >= position ? ` of ${length}` : ''}`;

/** Reads a `503`'s headers; every number is clamped, garbage falls back to the defaults. */
export function readBusy(h: IncomingHttpHeaders, address: string): BusyReply {
  const who = serverName(h, address);
  const retryAfter = parseRetryAfter(h['retry-after']);
  const parq = parseXQueued(h['x-queued']);
  if (parq) {
    let s = clamp(retryAfter, MIN_RETRY_S, MAX_RETRY_S, DEFAULT_RETRY_S);
    // Without a Retry-After the wait is ours to choose: back before the lifetime ends. With one, never earlier.
    if (retryAfter === undefined && parq.lifetimeS !== undefined && parq.lifetimeS > LIFETIME_SAFETY_S) s = Math.min(s, parq.lifetimeS - LIFETIME_SAFETY_S);
    const wait: RemoteWait = { retryInMs: s * 1000, note: `queued at ${who}${place(parq.position, parq.length)}`, kind: 'queued' };
    return { wait, ...(parq.id !== undefined ? { id: parq.id } : {}), ...(parq.position !== undefined ? { position: parq.position } : {}) };
  }
  const active = parseXQueueActive(h['x-queue']);
  if (active) {
    const max = clamp(active.pollMaxS, MIN_RETRY_S, MAX_RETRY_S, DEFAULT_POLL_MAX_S);
    const min = Math.min(max, clamp(active.pollMinS, MIN_RETRY_S, MAX_RETRY_S, DEFAULT_POLL_MIN_S));
    // Poll a little after pollMin, well before pollMax.
    const s = Math.min(max, min + Math.max(1, Math.floor((max - min) / 4)));
    return { wait: { retryInMs: s * 1000, note: `queued at ${who}${place(active.position, undefined)}`, kind: 'queued' }, pollMaxS: max };
  }
  const s = clamp(retryAfter, MIN_RETRY_S, MAX_RETRY_S, DEFAULT_RETRY_S);
  return { wait: { retryInMs: s * 1000, note: `busy: ${who} has no free upload slot`, kind: 'busy' } };
}

/**
 * One source's queue state across its requests: the PARQ ID it quotes, the
 * time before which it asks nothing (an `open` before it throws at once, no
 * request made), and LimeWire's connection kept for the next poll.
 */
export class SourceQueue {
  #id: string | undefined;
  #position: number | undefined;
  #notBefore = 0;
  #wait: RemoteWait | undefined;
  #held: { agent: Agent; timer: Timer } | undefined;

  constructor(
    readonly clock: Clock,
    /** `ip:port` where we accept connections (X-Node), when we do. */
    private readonly node?: () => string | undefined,
  ) {}

  /** The headers of every request: `X-Queue`, our PARQ place when we have one, `X-Node` when reachable. */
  headers(): Record<string, string> {
    const node = this.node?.();
    return {
      'X-Queue': PARQ_CLIENT_VERSION,
      ...(this.#id !== undefined ? { 'X-Queued': `position=${this.#position ?? 1}; ID=${this.#id}` } : {}),
      ...(node ? { 'X-Node': node } : {}),
    };
  }

  /** Throws the wait still running, if any: the server is not asked before the time it said. */
  checkTime(): void {
    const left = this.#notBefore - this.clock.now();
    if (left > 0 && this.#wait) throw new RemoteQueued({ ...this.#wait, retryInMs: left, kind: 'queued' });
  }

  /** Takes a `503` in: remembers its ID and time, and returns the error the request fails with. */
  busy(reply: BusyReply): RemoteQueued {
    if (reply.id !== undefined) this.#id = reply.id;
    if (reply.position !== undefined) this.#position = reply.position;
    this.#notBefore = this.clock.now() + reply.wait.retryInMs;
    this.#wait = reply.wait;
    return new RemoteQueued(reply.wait);
  }

  /** Keeps LimeWire's connection for the next poll, destroyed if nobody polls by `ms`. */
  hold(agent: Agent, ms: number): void {
    this.take()?.destroy();
    const timer = this.clock.setTimeout(() => {
      if (this.#held?.agent === agent) this.#held = undefined;
      agent.destroy();
    }, ms);
    this.#held = { agent, timer };
  }

  /** The connection kept for this poll, if any. */
  take(): Agent | undefined {
    const h = this.#held;
    if (!h) return undefined;
    h.timer.cancel();
    this.#held = undefined;
    return h.agent;
  }
}
