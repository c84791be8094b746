/**
 * What a server cut off from its cluster still knows (issue 15): which
 * server each remote user was on when NATS became unreachable. Whois then
 * says "was on X when the cluster link went down; unknown now" instead of
 * "offline", which an operator would read as a fact. Forgotten when the
 * link is back (the other servers' state is fetched afresh).
 */
import type { RemoteUser } from '../server-network.js';
import { MAX_REMOTE_USERS } from './cluster-directory.js';

export class LostUsers {
  /** Nick key -> the name of the server the user was on. */
  readonly #server = new Map<string, string>();

  /** How many users are remembered. */
  get size(): number {
    return this.#server.size;
  }

  /** Records the users the directory held when the link went down; `names` maps server ids to names. */
  remember(users: Iterable<RemoteUser>, names: ReadonlyMap<string, string>): void {
    for (const u of users) {
      // The directory holds at most MAX_REMOTE_USERS; a second outage before a reconnect adds none.
      if (this.#server.size >= MAX_REMOTE_USERS) return;
      this.#server.set(u.nick.toLowerCase(), names.get(u.server) ?? u.server);
    }
  }

  /** The server `nick` was on when the link went down, if they were on one. */
  serverOf(nick: string): string | undefined {
    return this.#server.get(nick.toLowerCase());
  }

  clear(): void {
    this.#server.clear();
  }
}
