import { MAX_PEER_FAILURES } from './constants.js';
import { formatPeerAddress, type PeerAddress } from './codec.js';

interface PeerRecord {
  addr: PeerAddress;
  failures: number;
}

/**
 * The peers a node knows (pplus2.md: "A node starts with one known peer given
 * by the user and grows its list by asking peers for theirs"). Bounded: past
 * `max`, new peers are ignored (the ones we have proved themselves); a peer
 * failing MAX_PEER_FAILURES exchanges in a row is dropped. Never contains self.
 */
export class PeerList {
  #peers = new Map<string, PeerRecord>();
  #cursor = 0;

  constructor(
    public self: string,
    readonly max: number,
  ) {}

  /** Our own key, known once our port is bound; dropped from the list if a peer told us about ourselves. */
  setSelf(key: string): void {
    this.self = key;
    this.#peers.delete(key);
  }

  get size(): number {
    return this.#peers.size;
  }

  /** Why `add` would refuse this peer: it is us, known already, or the list is full; undefined: it would add it. */
  refusal(addr: PeerAddress): 'self' | 'known' | 'full' | undefined {
    const key = formatPeerAddress(addr);
    if (key === this.self) return 'self';
    if (this.#peers.has(key)) return 'known';
    return this.#peers.size >= this.max ? 'full' : undefined;
  }

  /** Adds a peer; false when it is us, known already, or the list is full. */
  add(addr: PeerAddress): boolean {
    const key = formatPeerAddress(addr);
    if (key === this.self || this.#peers.has(key) || this.#peers.size >= this.max) return false;
    this.#peers.set(key, { addr, failures: 0 });
    return true;
  }

  has(key: string): boolean {
    return this.#peers.has(key);
  }

  keys(): string[] {
    return [...this.#peers.keys()];
  }

  addresses(): PeerAddress[] {
    return [...this.#peers.values()].map((p) => p.addr);
  }

  /** Round-robin: the next peer to ask for its list, or undefined when none is known. */
  next(): PeerAddress | undefined {
    const all = [...this.#peers.values()];
    if (all.length === 0) return undefined;
    const p = all[this.#cursor % all.length]!;
    this.#cursor = (this.#cursor + 1) % all.length;
    return p.addr;
  }

  /**
   * Known peers on the host of `addr` at other ports: what a node left behind when it was
   * restarted on a new port (pplus2.md names a peer by `ip:p`, so its new port is a new peer).
   */
  sameHost(addr: PeerAddress): PeerAddress[] {
    return [...this.#peers.values()].filter((p) => p.addr.host === addr.host && p.addr.port !== addr.port).map((p) => p.addr);
  }

  /** Drops a peer at once; true when it was known. */
  forget(key: string): boolean {
    return this.#peers.delete(key);
  }

  succeeded(key: string): void {
    const p = this.#peers.get(key);
    if (p) p.failures = 0;
  }

  /** Records a failed exchange; returns true when the peer was dropped for it. */
  failed(key: string): boolean {
    const p = this.#peers.get(key);
    if (!p) return false;
    p.failures++;
    if (p.failures < MAX_PEER_FAILURES) return false;
    this.#peers.delete(key);
    return true;
  }
}

/**
 * At most one event per `intervalMs` (pplus2.md: "peer-list requests to the
 * network are rate limited (at most one every 10 seconds)"). Pure over the
 * time it is given.
 */
export class RateGate {
  #last = -Infinity;

  constructor(readonly intervalMs: number) {}

  /** True (and the slot is used) when `now` is at least `intervalMs` after the last allowed one. */
  allow(now: number): boolean {
    if (now - this.#last < this.intervalMs) return false;
    this.#last = now;
    return true;
  }
}
