/**
 * Signed lines waiting for their verification (issue 14 "Speed": lines verified per second
 * at one node). An Ed25519 check costs far more than everything else a line does, so a
 * node hands it to node's thread pool (identity.ts verifySignatureAsync) and goes on
 * reading: every core verifies. Lines still come out in the order they arrived on each
 * link, so one origin's lines are never shown out of order.
 *
 * Caps (STYLE.md rule 3): at most `maxInFlight` checks are handed to the pool at once (the
 * pool also serves file I/O, which must not wait behind thousands of checks); a link with
 * `maxPerLink` lines waiting is paused (TCP slows its sender) and resumed at half that.
 */
import type { Link } from './link.js';
import type { SignedLine } from './signing.js';

/** Checks handed to the thread pool at once, node-wide. */
export const MAX_VERIFY_IN_FLIGHT = 64;
/** Lines waiting on one link before that link is paused. */
export const MAX_VERIFY_PER_LINK = 1_024;

/** One link's lines not yet handed on: `items` from `head`, oldest first. */
interface LinkQueue {
  items: Pending[];
  head: number;
}

interface Pending {
  readonly link: Link;
  readonly line: SignedLine;
  ok: boolean | undefined;
}

/** What the queue needs from its node. */
export interface SignedQueueOptions {
  /** Starts one check; `done` is called later (never inside). */
  verify(s: SignedLine, done: (ok: boolean) => void): void;
  /** A checked line, in arrival order per link; not called for links closed meanwhile. */
  settled(link: Link, s: SignedLine, ok: boolean): void;
  /** Resumes a link this queue paused (the node may be holding it for other reasons). */
  resume(link: Link): void;
  maxInFlight?: number;
  maxPerLink?: number;
}

/** See the file comment. One per chat node with extensions. */
export class SignedQueue {
  readonly #o: SignedQueueOptions;
  readonly #maxInFlight: number;
  readonly #maxPerLink: number;
  /** Per link, its lines not yet handed on, oldest first. */
  readonly #byLink = new Map<Link, LinkQueue>();
  /** Lines whose check has not started (over the in-flight cap), oldest first from #head. */
  #waiting: Pending[] = [];
  #head = 0;
  #inFlight = 0;
  readonly #paused = new Set<Link>();

  constructor(o: SignedQueueOptions) {
    this.#o = o;
    this.#maxInFlight = o.maxInFlight ?? MAX_VERIFY_IN_FLIGHT;
    this.#maxPerLink = o.maxPerLink ?? MAX_VERIFY_PER_LINK;
  }

  /** Lines waiting for a check, node-wide. */
  get pending(): number {
    let n = 0;
    for (const q of this.#byLink.values()) n += q.items.length - q.head;
    return n;
  }

  /** Queues one received signed line of `link` for its check. */
  push(link: Link, line: SignedLine): void {
    let q = this.#byLink.get(link);
    if (!q) {
      q = { items: [], head: 0 };
      this.#byLink.set(link, q);
    }
    const p: Pending = { link, line, ok: undefined };
    q.items.push(p);
    // Paused again even if something else resumed it meanwhile: the queue stays bounded.
    if (q.items.length - q.head >= this.#maxPerLink) {
      link.conn.pause();
      this.#paused.add(link);
    }
    this.#waiting.push(p);
    this.#pump();
  }

  /** A link closed: its waiting lines are dropped. */
  forget(link: Link): void {
    this.#byLink.delete(link);
    this.#paused.delete(link);
  }

  #pump(): void {
    while (this.#inFlight < this.#maxInFlight && this.#head < this.#waiting.length) {
      const p = this.#waiting[this.#head++]!;
      if (this.#byLink.get(p.link) === undefined) continue; // its link is gone
      this.#inFlight++;
      this.#o.verify(p.line, (ok) => {
        this.#inFlight--;
        p.ok = ok;
        this.#drain(p.link);
        this.#pump();
      });
    }
    if (this.#head === this.#waiting.length) {
      this.#waiting = [];
      this.#head = 0;
    } else if (this.#head > 1_024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
  }

  #drain(link: Link): void {
    const q = this.#byLink.get(link);
    if (!q) return;
    while (q.head < q.items.length && q.items[q.head]!.ok !== undefined) {
      const p = q.items[q.head++]!;
      if (link.conn.closed) {
        this.forget(link);
        return;
      }
      this.#o.settled(link, p.line, p.ok!);
    }
    const left = q.items.length - q.head;
    if (left === 0) this.#byLink.delete(link);
    else if (q.head > 1_024 && q.head * 2 > q.items.length) {
      q.items = q.items.slice(q.head);
      q.head = 0;
    }
    if (this.#paused.has(link) && left <= this.#maxPerLink / 2) {
      this.#paused.delete(link);
      if (!link.conn.closed) this.#o.resume(link);
    }
  }
}
