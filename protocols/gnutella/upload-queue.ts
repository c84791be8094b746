/**
 * Our upload queue, PARQ-style (spec 5.4, gtk-gnutella's parq.c): when every
 * upload slot is taken, a client that sent `X-Queue` gets a place in line and
 * an ID instead of a bare "busy", and the slots go first come, first served.
 *
 * Rules (pure: the caller gives the time and carries the verdict out):
 * - One entry per address and file; a returning client is found by the ID it
 *   quotes, else by its address and the file.
 * - An entry is *expected* from the time it is queued until its Retry-After
 *   plus `graceS`: while an expected entry is ahead, a free slot waits for it
 *   (nobody behind it, and no newcomer, takes it). Strict order, bounded in time.
 * - A client back before its Retry-After is *early*: told the time left, and
 *   counted; past `maxEarly` early returns its entry is dropped.
 * - An entry the client has not renewed for `lifetimeS` is forgotten.
 * - At most `maxEntries` entries, `maxPerAddress` from one address: past
 *   either, the newcomer is refused ("busy"), the queue keeps those it has.
 */

/** Limits and times of the upload queue (defaults: UPLOAD_QUEUE_DEFAULTS). */
export interface UploadQueueOptions {
  /** Entries at most (gtk-gnutella keeps thousands; one entry is ~200 bytes). */
  maxEntries: number;
  /** Entries one address may hold (several files queued from one downloader). */
  maxPerAddress: number;
  /** Retry-After told to a queued client. */
  retryAfterS: number;
  /** A queued client not back within this long loses its place (its `lifetime`). */
  lifetimeS: number;
  /** How long past its Retry-After a queued client ahead still holds a free slot for itself. */
  graceS: number;
  /** Early returns forgiven; the next one drops the entry. */
  maxEarly: number;
}

export const UPLOAD_QUEUE_DEFAULTS: UploadQueueOptions = {
  maxEntries: 1_000,
  maxPerAddress: 10,
  retryAfterS: 60,
  lifetimeS: 600,
  graceS: 60,
  maxEarly: 5,
};

/** One queued client. */
export interface QueueEntry {
  readonly id: string;
  /** Address and file: `<ip> <file key>`. */
  readonly key: string;
  readonly address: string;
  /** Not served before this time (ms). */
  retryAt: number;
  /** Forgotten at this time unless the client comes back (ms). */
  expiresAt: number;
  early: number;
}

/** Who asks: the address, the file (a SHA-1 or a path) and the ID it quoted, if any. */
export interface QueueAsker {
  address: string;
  file: string;
  id?: string;
}

/** What a queued client is told. */
export interface QueuedAnswer {
  kind: 'queued';
  entry: QueueEntry;
  position: number;
  length: number;
  etaS: number;
  lifetimeS: number;
  retryAfterS: number;
  /** Came back before its Retry-After. */
  early: boolean;
}

export type QueueVerdict =
  /** May take a slot now, if one is free (then `served`); otherwise `enqueue`. */
  | { kind: 'slot'; entry?: QueueEntry }
  /** Must wait: a queued client ahead is expected. `enqueue` it (if it understands queueing). */
  | { kind: 'wait' }
  | QueuedOrBusy;

type QueuedOrBusy = QueuedAnswer | { kind: 'busy'; why: 'full' | 'address' | 'early'; retryAfterS: number };

export class UploadQueue {
  readonly #o: UploadQueueOptions;
  readonly #newId: () => string;
  readonly #entries: QueueEntry[] = [];
  readonly #byId = new Map<string, QueueEntry>();
  readonly #byKey = new Map<string, QueueEntry>();
  readonly #perAddress = new Map<string, number>();
  #nextPurge = Infinity;
  /** Counters for /gstatus: queued answers, early returns, refusals because full, served from the queue. */
  readonly counts = { queued: 0, early: 0, full: 0, served: 0 };

  constructor(opts: Partial<UploadQueueOptions>, newId: () => string) {
    this.#o = { ...UPLOAD_QUEUE_DEFAULTS, ...opts };
    this.#newId = newId;
  }

  get size(): number {
    return this.#entries.length;
  }

  /** The Retry-After told to clients refused without a place (and to those without `X-Queue`). */
  get retryAfterS(): number {
    return this.#o.retryAfterS;
  }

  /** Decides for a request while it does not know yet whether a slot is free. */
  ask(who: QueueAsker, now: number): QueueVerdict {
    this.#purge(now);
    const e = this.#find(who);
    if (e && now < e.retryAt) {
      e.early++;
      this.counts.early++;
      if (e.early > this.#o.maxEarly) {
        this.#remove(e);
        return { kind: 'busy', why: 'early', retryAfterS: this.#o.retryAfterS };
      }
      e.expiresAt = Math.max(e.expiresAt, now + this.#o.lifetimeS * 1000);
      return this.#answer(e, now, true);
    }
    const ahead = e ? this.#entries.indexOf(e) : this.#entries.length;
    for (let i = 0; i < ahead; i++) if (this.#expected(this.#entries[i]!, now)) return e ? this.#requeue(e, now) : { kind: 'wait' };
    return e ? { kind: 'slot', entry: e } : { kind: 'slot' };
  }

  /** Queues `who` (or renews its entry) after `ask` said wait, or no slot was free. */
  enqueue(who: QueueAsker, now: number): QueuedOrBusy {
    const e = this.#find(who);
    if (e) return this.#requeue(e, now);
    if (this.#entries.length >= this.#o.maxEntries) {
      this.counts.full++;
      return { kind: 'busy', why: 'full', retryAfterS: this.#o.retryAfterS };
    }
    const mine = this.#perAddress.get(who.address) ?? 0;
    if (mine >= this.#o.maxPerAddress) return { kind: 'busy', why: 'address', retryAfterS: this.#o.retryAfterS };
    const entry: QueueEntry = { id: this.#newId(), key: `${who.address} ${who.file}`, address: who.address, retryAt: 0, expiresAt: 0, early: 0 };
    this.#entries.push(entry);
    this.#byId.set(entry.id.toUpperCase(), entry);
    this.#byKey.set(entry.key, entry);
    this.#perAddress.set(who.address, mine + 1);
    return this.#requeue(entry, now);
  }

  /** The entry's client got its slot: it leaves the queue. */
  served(e: QueueEntry): void {
    if (this.#byId.get(e.id.toUpperCase()) !== e) return;
    this.#remove(e);
    this.counts.served++;
  }

  #requeue(e: QueueEntry, now: number): QueuedAnswer {
    e.retryAt = now + this.#o.retryAfterS * 1000;
    e.expiresAt = now + this.#o.lifetimeS * 1000;
    this.#nextPurge = Math.min(this.#nextPurge, e.expiresAt);
    this.counts.queued++;
    return this.#answer(e, now, false);
  }

  #answer(e: QueueEntry, now: number, early: boolean): QueuedAnswer {
    const position = this.#entries.indexOf(e) + 1;
    const retryAfterS = Math.max(1, Math.ceil((e.retryAt - now) / 1000));
    const lifetimeS = Math.max(retryAfterS, Math.floor((e.expiresAt - now) / 1000));
    // A rough estimate: each client ahead takes about one retry period.
    return { kind: 'queued', entry: e, position, length: this.#entries.length, etaS: position * this.#o.retryAfterS, lifetimeS, retryAfterS, early };
  }

  #expected(e: QueueEntry, now: number): boolean {
    return now < e.retryAt + this.#o.graceS * 1000;
  }

  #find(who: QueueAsker): QueueEntry | undefined {
    const key = `${who.address} ${who.file}`;
    const byId = who.id === undefined ? undefined : this.#byId.get(who.id.toUpperCase());
    // An ID is for the file it was given for; a client that changed address keeps its place.
    if (byId && byId.key.endsWith(` ${who.file}`)) return byId;
    return this.#byKey.get(key);
  }

  #remove(e: QueueEntry): void {
    const i = this.#entries.indexOf(e);
    if (i >= 0) this.#entries.splice(i, 1);
    this.#byId.delete(e.id.toUpperCase());
    this.#byKey.delete(e.key);
    const n = (this.#perAddress.get(e.address) ?? 1) - 1;
    if (n <= 0) this.#perAddress.delete(e.address);
    else this.#perAddress.set(e.address, n);
  }

  /** Drops expired entries; runs only when the earliest expiry is due. */
  #purge(now: number): void {
    if (now < this.#nextPurge) return;
    let next = Infinity;
    for (const e of [...this.#entries]) {
      if (e.expiresAt <= now) this.#remove(e);
      else next = Math.min(next, e.expiresAt);
    }
    this.#nextPurge = next;
  }
}
