import type { Logger } from '../../src/log.js';
import { AddressVote } from './address-vote.js';

/**
 * Our own IPv4 address as we tell peers (spec 1.3): `--gnutella-host` when it
 * names a specific IPv4, else the `Remote-IP` peers saw us at once enough of
 * them agreed (address-vote.ts); undefined while neither is known.
 */
export class OurAddress {
  /** Peers' votes on our address; `/gstatus` shows where it stands. */
  readonly vote = new AddressVote();

  constructor(
    readonly host: string | undefined,
    readonly log: Logger,
  ) {}

  /** `--gnutella-host` when it is a specific IPv4: then it is our address, whatever peers say. */
  get given(): string | undefined {
    const h = this.host;
    return h && /^\d{1,3}(\.\d{1,3}){3}$/.test(h) && h !== '0.0.0.0' ? h : undefined;
  }

  /** Our IPv4 as peers' `Remote-IP` said, once enough of them agreed. */
  get learned(): string | undefined {
    return this.vote.current;
  }

  /** What we say: the given address, else the learned one. */
  get current(): string | undefined {
    return this.given ?? this.learned;
  }

  /** A peer at `peer` says in its handshake that it sees us at `remoteIp` (spec 1.3): one vote. */
  heard(remoteIp: string | undefined, peer: string): void {
    const r = this.vote.report(remoteIp, peer);
    if (r.changed) this.log.info(`gnutella: our address is now ${r.address} (${r.votes} peers see us there)`);
  }
}
