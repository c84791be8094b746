/**
 * Our advertised IPv4 (pongs, hits, `Listen-IP`) learnt from the `Remote-IP`
 * peers send in the handshake (spec 1.3), by vote: one peer's word is not
 * enough, as gtk-gnutella's settings_addr_changed() has it (a peer can lie, or
 * sit behind a NAT that shows it another address). An address is taken once
 * VOTES_NEEDED peers from different networks (a /16 for public peers, as
 * gtk-gnutella counts them; the address itself for private and loopback ones)
 * report it, and a public address beats a private, loopback or unspecified one
 * (spec 4.1): a LAN peer's view never replaces an address the internet sees.
 * Pure state, bounded: at most MAX_VOTERS votes are kept, the oldest dropped.
 */
import { isPrivateIpv4 } from './ipv4.js';

/** Peers from different networks that must agree before an address is taken (gtk-gnutella asks 3). */
export const VOTES_NEEDED = 2;
/** Votes remembered (one per voter); the oldest goes first. */
export const MAX_VOTERS = 64;

const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** A dotted IPv4 (an IPv4-mapped IPv6 form is unwrapped), or undefined. */
export function asIpv4(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const ip = text.startsWith('::ffff:') ? text.slice(7) : text;
  const m = DOTTED_QUAD.exec(ip);
  return m && !m.slice(1).some((o) => Number(o) > 255) ? ip : undefined;
}

/** Who a vote counts for: a public peer's /16 (one network, one vote), else its whole address. */
function voterOf(peer: string): string {
  const ip = asIpv4(peer);
  if (ip === undefined) return peer;
  return isPrivateIpv4(ip) ? ip : ip.split('.').slice(0, 2).join('.');
}

/** What one report did: `changed` when the address we advertise is now another one. */
export interface VoteResult {
  address: string | undefined;
  changed: boolean;
  /** Votes for the reported address after this report (0 when the report was ignored). */
  votes: number;
}

export class AddressVote {
  #current: string | undefined;
  /** Voter -> the address it reported last (insertion order = age). */
  readonly #votes = new Map<string, string>();

  /** The address we advertise, once peers agreed on one. */
  get current(): string | undefined {
    return this.#current;
  }

  /** The address most voters named so far and how many (none: undefined), for `/gstatus`. */
  get leading(): { address: string; votes: number } | undefined {
    const counts = new Map<string, number>();
    for (const v of this.#votes.values()) counts.set(v, (counts.get(v) ?? 0) + 1);
    let best: { address: string; votes: number } | undefined;
    for (const [address, votes] of counts) if (!best || votes > best.votes) best = { address, votes };
    return best;
  }

  /** A peer at `peer` (its socket address) says it sees us at `seen` (its `Remote-IP`). */
  report(seen: string | undefined, peer: string): VoteResult {
    const ip = asIpv4(seen);
    if (ip === undefined || ip === this.#current) return { address: this.#current, changed: false, votes: 0 };
    // Never trade an address the internet sees for a private one.
    if (this.#current !== undefined && !isPrivateIpv4(this.#current) && isPrivateIpv4(ip)) return { address: this.#current, changed: false, votes: 0 };
    const voter = voterOf(peer);
    this.#votes.delete(voter);
    this.#votes.set(voter, ip);
    if (this.#votes.size > MAX_VOTERS) this.#votes.delete(this.#votes.keys().next().value!);
    let votes = 0;
    for (const v of this.#votes.values()) if (v === ip) votes++;
    if (votes < VOTES_NEEDED) return { address: this.#current, changed: false, votes };
    this.#current = ip;
    this.#votes.clear();
    return { address: ip, changed: true, votes };
  }
}
