/**
 * How often we may dial one servent (spec appendix 8): gtk-gnutella answers more
 * than about 2 connects a minute from one address with `429` and a ban of 5
 * minutes or longer, after which attempts hang unanswered. The gate remembers
 * recent dials per servent (`ip:port`, so several servents behind one address,
 * as on a LAN or in a test net, are counted apart; bounded) and says whether
 * another one is allowed now; a 429 keeps us away for the ban's length.
 */

/** Dials allowed to one servent per window (appendix 8: ~2 a minute). */
export const DIALS_PER_WINDOW = 2;
export const DIAL_WINDOW_MS = 60_000;
/** How long a 429 keeps us away from that servent (the ban is 5 minutes or longer). */
export const BAN_WAIT_MS = 5 * 60_000;
/** Servents remembered; the least recently dialled is forgotten past this. */
export const MAX_TRACKED_PEERS = 4096;

interface PeerState {
  dials: number[];
  bannedUntil: number;
}

export class ConnectGate {
  readonly #peers = new Map<string, PeerState>();

  /** True when a dial to `peer` (`ip:port`) now keeps within the rate and no ban is in force. */
  allows(peer: string, now: number): boolean {
    const s = this.#peers.get(peer);
    if (!s) return true;
    if (s.bannedUntil > now) return false;
    return s.dials.filter((t) => now - t < DIAL_WINDOW_MS).length < DIALS_PER_WINDOW;
  }

  /** Records a dial to `peer`. */
  dialled(peer: string, now: number): void {
    const s = this.#state(peer);
    s.dials = s.dials.filter((t) => now - t < DIAL_WINDOW_MS);
    s.dials.push(now);
  }

  /** The peer answered 429: stay away for the length of its ban. */
  banned(peer: string, now: number): void {
    this.#state(peer).bannedUntil = now + BAN_WAIT_MS;
  }

  get size(): number {
    return this.#peers.size;
  }

  #state(peer: string): PeerState {
    let s = this.#peers.get(peer);
    if (s) {
      this.#peers.delete(peer); // re-insert: the map's order is least recently used first
    } else {
      s = { dials: [], bannedUntil: 0 };
      if (this.#peers.size >= MAX_TRACKED_PEERS) this.#peers.delete(this.#peers.keys().next().value!);
    }
    this.#peers.set(peer, s);
    return s;
  }
}
