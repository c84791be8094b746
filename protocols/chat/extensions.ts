/**
 * Compatible extensions of the chat wire (issue 14): after the handshake, a node that has
 * them sends `EXT <feature> ...` on each link. A classic node ignores that line (an unknown
 * verb after HELLO), never says EXT itself, and so is never sent an extended line: it keeps
 * working and simply never sees them. This class knows which links are extended, handles
 * the extended lines, and keeps the signed-line policy (`--sign`, `--require-signed`).
 */
import type { Clock } from '../../src/clock.js';
import { NetError } from '../../src/errors.js';
import type { Flooder } from './flooder.js';
import { authorityOfKey, verifySignatureAsync, type Identity } from './identity.js';
import type { Link } from './link.js';
import type { FloodMessage } from './messages.js';
import { SignedQueue } from './signed-queue.js';
import { freshStamp, parseSigned, signedBytes, signFlood, SIG_VERB, type SignedLine } from './signing.js';

/** The verb that announces a node's extensions on one link. */
export const EXT_VERB = 'EXT';
/** The features we speak: signed lines, peer names. */
export const EXT_FEATURES = ['sig', 'names'] as const;
/** How far ahead of our clock a signed line's stamp may be. */
export const SIGNED_SKEW_MS = 2 * 60_000;

/** Signed-line counters (shown by `/identity`). */
export interface SignatureStats {
  /** Signed lines whose signature checked out. */
  verified: number;
  /** Dropped: the signature did not match (tampered or forged). */
  badSignature: number;
  /** Dropped: stamped outside the dedup window (a replayed old line). */
  replayed: number;
  /** Dropped by --require-signed: the line carried no signature. */
  unsigned: number;
}

/** What the extensions need from their node. */
export interface ExtensionsOptions {
  identity: Identity;
  sign: boolean;
  requireSigned: boolean;
  /** The dedup window: older signed lines are replays. */
  maxAgeMs: number;
  clock: Clock;
  flooder: Flooder;
  /** Lines of other extensions (names, near-me); undefined = ignored. */
  other?: (link: Link, verb: string, rest: string) => NetError | undefined;
  /** Resumes a link paused while its signed lines wait (default: resume it); the node may hold it for backpressure. */
  resume?: (link: Link) => void;
}

/** See the file comment. One per running chat node. */
export class ChatExtensions {
  readonly stats: SignatureStats = { verified: 0, badSignature: 0, replayed: 0, unsigned: 0 };
  readonly #extended = new WeakSet<Link>();
  readonly #o: ExtensionsOptions;
  /** Signed lines waiting for their check on the thread pool, in order per link. */
  readonly #queue: SignedQueue;

  constructor(o: ExtensionsOptions) {
    this.#o = o;
    this.#queue = new SignedQueue({
      verify: (s, done) => verifySignatureAsync(s.key, signedBytes(s.message), s.sig, done),
      settled: (link, s, ok) => this.#settled(link, s, ok),
      resume: o.resume ?? ((l) => l.conn.resume()),
    });
  }

  /** Signed lines received and not yet checked. */
  get verifying(): number {
    return this.#queue.pending;
  }

  /** A link closed: lines it sent that still wait for their check are dropped. */
  forget(link: Link): void {
    this.#queue.forget(link);
  }

  get identity(): Identity {
    return this.#o.identity;
  }

  /** `/identity`: who we are and what the signature checks dropped. */
  describe(): string[] {
    const st = this.stats;
    return [
      `authority ${this.#o.identity.authority}`,
      `public key ${this.#o.identity.publicKey}`,
      `signing our lines: ${this.#o.sign ? 'on' : 'off'}; unsigned lines: ${this.#o.requireSigned ? 'dropped' : 'shown'}`,
      `signed lines verified ${st.verified}; dropped: bad signature ${st.badSignature}, replayed ${st.replayed}, unsigned ${st.unsigned}`,
    ];
  }

  /** Whether `link` said EXT: it may be sent extended lines. */
  isExtended(link: Link): boolean {
    return this.#extended.has(link);
  }

  /** A link became ready: tell it what we speak. */
  ready(link: Link): void {
    link.flush();
    link.conn.send(`${EXT_VERB} ${EXT_FEATURES.join(' ')}\n`);
  }

  /** Our own message, signed when `--sign` is on. */
  own<M extends FloodMessage>(m: M): M {
    if (this.#o.sign) m.sig = signFlood(m, this.#o.identity);
    return m;
  }

  /** A classic flooded line from a neighbour: false drops it (`--require-signed`). */
  admit(): boolean {
    if (!this.#o.requireSigned) return true;
    this.stats.unsigned++;
    return false;
  }

  /**
   * A line with a verb the classic protocol does not know, on a ready link. Returns a
   * NetError to close the link (a malformed extended line), else undefined.
   */
  line(link: Link, line: string): NetError | undefined {
    const sp = line.indexOf(' ');
    const verb = sp === -1 ? line : line.slice(0, sp);
    const rest = sp === -1 ? '' : line.slice(sp + 1);
    if (verb === EXT_VERB) {
      this.#extended.add(link);
      return undefined;
    }
    // Extended lines from a link that never said EXT: a newer peer's, ignored like any unknown verb.
    if (!this.#extended.has(link)) return undefined;
    if (verb === SIG_VERB) return this.#signed(link, rest);
    return this.#o.other?.(link, verb, rest);
  }

  #signed(link: Link, rest: string): NetError | undefined {
    const s = parseSigned(rest);
    const f = this.#o.flooder;
    // Already seen: the flooder counts the duplicate; no need to spend a verification on it.
    if (f.seen.has(s.message.id)) return f.receive(link, s.message);
    if (!freshStamp(s.message, this.#o.clock.now(), this.#o.maxAgeMs, SIGNED_SKEW_MS)) {
      this.stats.replayed++;
      return undefined;
    }
    this.#queue.push(link, s);
    return undefined;
  }

  /** A checked line, in arrival order: delivered and relayed, or dropped and counted. */
  #settled(link: Link, s: SignedLine, ok: boolean): void {
    if (!ok) {
      this.stats.badSignature++;
      return;
    }
    const f = this.#o.flooder;
    // Another copy checked meanwhile (two arrived before either was checked): a duplicate.
    if (f.seen.has(s.message.id)) {
      const dup = f.receive(link, s.message);
      if (dup) link.fail(dup);
      return;
    }
    this.stats.verified++;
    const err = f.receive(link, { ...s.message, sig: { key: s.key, sig: s.sig, authority: authorityOfKey(s.key) } });
    if (err) link.fail(err);
  }
}
