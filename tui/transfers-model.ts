/**
 * The Transfers window's rows, from transfer.* events: queued ones with their
 * place in the queue, running ones with rate and ETA, finished ones with
 * their average speed and time, cancelled ones told apart from failures, and
 * downloads whose size and SHA-1 could not be checked marked unverified, and
 * a finished download named as it was saved (`song (1).mp3`), not only as its source named it.
 * Bounded (finished rows are dropped first); `/clear` in the window drops
 * every finished row. Pure: the clock is passed in.
 */
import type { EventOf } from '../src/app-api.js';
import { basename } from 'node:path';
import { reasonWords } from '../src/error-words.js';
import { remoteWords } from '../src/words.js';
import { sanitize } from './text-width.js';

/** Transfer rows kept (finished ones dropped first). */
export const TRANSFERS_LIMIT = 500;

/** Where a transfer stands; `cancelled` is the user's choice, not an error. */
export type TransferState = 'queued' | 'active' | 'done' | 'failed' | 'cancelled';

/** The latest state of one transfer. */
export interface TransferRow {
  id: number;
  name: string;
  direction: 'down' | 'up';
  bytes: number;
  total: number | null;
  /** Bytes per second, smoothed (running), or the average over the whole transfer (finished). */
  rate: number;
  /** Seconds left (running) or null. */
  eta: number | null;
  state: TransferState;
  /** Failure reason, or the path a finished download was saved to. */
  detail: string;
  /** The other side (`ip:port` or a nick), when an event said so. */
  peer: string | undefined;
  protocol: string | undefined;
  /** Place in the queue (1 = next) while queued. */
  position: number | undefined;
  /** When we first heard of it and when it ended (ms). */
  startedAt: number;
  endedAt: number | undefined;
  /** false: size and SHA-1 were not checked (transfer.done verified=false). */
  verified: boolean | undefined;
  /**
   * The name a finished download was saved under (the last part of its path): what the user
   * finds on disk, which is not the remote name when a file of that name was there already
   * (`song (1).mp3`) or the name had to be made safe. Undefined until it is done.
   */
  saved?: string | undefined;
}

type TransferEvent = EventOf<'transfer.queued'> | EventOf<'transfer.progress'> | EventOf<'transfer.done'> | EventOf<'transfer.failed'>;

/** What the window should also say about an event (one line, or nothing). */
export interface TransferNote {
  text: string;
  error: boolean;
}

/** Whether a row is over: done, failed or cancelled. */
export function isFinished(r: TransferRow): boolean {
  return r.state === 'done' || r.state === 'failed' || r.state === 'cancelled';
}

/** The rows of the Transfers window, in the order transfers were first seen. */
export class TransfersModel {
  readonly rows = new Map<number, TransferRow>();

  /** Applies one transfer event at time `now`; returns the line the window should show, if any. */
  apply(e: TransferEvent, now: number): TransferNote | undefined {
    const old = this.rows.get(e.id);
    const base: TransferRow = old ?? {
      id: e.id,
      name: sanitize(e.name),
      direction: e.direction,
      bytes: 0,
      total: null,
      rate: 0,
      eta: null,
      state: 'queued',
      detail: '',
      peer: undefined,
      protocol: undefined,
      position: undefined,
      startedAt: now,
      endedAt: undefined,
      verified: undefined,
      saved: undefined,
    };
    const row: TransferRow = { ...base, name: sanitize(e.name), saved: undefined };
    let note: TransferNote | undefined;
    switch (e.type) {
      case 'transfer.queued':
        Object.assign(row, { state: 'queued', peer: sanitize(e.peer), protocol: sanitize(e.protocol), total: e.total, position: e.position });
        // Waiting for its source: what it said, in the row and the log (each time: it is news).
        if (e.remote) {
          Object.assign(row, { position: undefined, detail: sanitize(remoteWords(e.remote)) });
          note = { text: `queued: ${row.name} at ${row.peer}: ${row.detail}`, error: false };
        } else if (!old) note = { text: `queued: ${row.name} ${e.direction === 'down' ? 'from' : 'to'} ${row.peer} (#${e.position} in the queue)`, error: false };
        break;
      case 'transfer.progress':
        // A running transfer's clock starts when it leaves the queue.
        if (row.state === 'queued') row.startedAt = now;
        // The host shows while it runs: an upload has no queued event to say who it is for.
        Object.assign(row, { state: 'active', peer: sanitize(e.peer), bytes: e.bytes, total: e.total, rate: e.rate, eta: e.eta, position: undefined });
        break;
      case 'transfer.done': {
        const secs = Math.max(0.001, (now - row.startedAt) / 1000);
        Object.assign(row, { state: 'done', bytes: e.bytes, total: e.bytes, rate: e.bytes / secs, eta: null, detail: e.path, endedAt: now, position: undefined, verified: e.verified });
        if (e.peer) row.peer = sanitize(e.peer);
        if (e.direction === 'down') row.saved = sanitize(basename(e.path));
        // An upload says who got which file; it used to read like a download (`done: x -> /share/x`).
        note =
          e.direction === 'up'
            ? { text: `sent: ${row.name} to ${row.peer ?? 'the peer'} (${sanitize(e.path)})`, error: false }
            : { text: `done: ${row.name} -> ${sanitize(e.path)}${e.verified === false ? ' (unverified: size and SHA-1 not checked)' : ''}`, error: false };
        break;
      }
      case 'transfer.failed': {
        const cancelled = e.state === 'cancelled';
        const secs = Math.max(0.001, (now - row.startedAt) / 1000);
        const why = sanitize(reasonWords(e.reason, row.peer ? `the peer (${row.peer})` : 'the peer'));
        Object.assign(row, { state: cancelled ? 'cancelled' : 'failed', rate: row.bytes / secs, eta: null, detail: cancelled ? '' : why, endedAt: now, position: undefined });
        note = cancelled ? { text: `cancelled: ${row.name}`, error: false } : { text: `failed: ${row.name}: ${why}`, error: true };
        break;
      }
    }
    this.rows.set(row.id, row);
    this.#cap();
    return note;
  }

  #cap(): void {
    while (this.rows.size > TRANSFERS_LIMIT) {
      let victim: number | undefined;
      for (const [id, r] of this.rows) {
        if (isFinished(r)) {
          victim = id;
          break;
        }
      }
      victim ??= this.rows.keys().next().value;
      if (victim === undefined) break;
      this.rows.delete(victim);
    }
  }

  /** Drops every finished row (done, failed, cancelled); returns how many. */
  clearFinished(): number {
    let n = 0;
    for (const [id, r] of this.rows) {
      if (isFinished(r)) {
        this.rows.delete(id);
        n++;
      }
    }
    return n;
  }

  /** Up and down rates summed over running transfers, bytes/s. */
  rates(): { down: number; up: number } {
    let down = 0;
    let up = 0;
    for (const r of this.rows.values()) {
      if (r.state !== 'active') continue;
      if (r.direction === 'down') down += r.rate;
      else up += r.rate;
    }
    return { down, up };
  }
}
