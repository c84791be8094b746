/**
 * Addresses we refuse for a while after `Bye 412 Security violation` (spec 2.3, 6),
 * as gtk-gnutella does (nodes.c: ban_record in its Gnutella and HTTP ban tables,
 * and hostiles_dynamic_add with the "weird" flag; ban.c; hostiles.c; sockets.c):
 *
 * - for 1 hour a Gnutella connect from the address, and for 3 hours an HTTP
 *   request, is held unanswered (tar-pitted, so the peer does not retry at
 *   once), except every 15th, which is told why and closed:
 *   `429 IP with Gnutella security violations` (HTTP adds `Retry-After`);
 * - after that, and up to about 12 hours from the violation, the address is
 *   "shunned": `550 Shunned IP address` on every attempt;
 * - then it is forgotten. A GIV (the answer to our own Push) always passes.
 *
 * Pure: the caller gives the time, and carries out the verdict. Bounded: at most
 * MAX_BANNED_ADDRESSES, the expired dropped first, then the oldest ban.
 */

/** How long Gnutella connects are held or refused (gtk-gnutella's MAX_GNET_BAN, 1 h). */
export const GNET_BAN_MS = 3_600_000;
/** How long HTTP requests are held or refused (MAX_HTTP_BAN, 3 h). */
export const HTTP_BAN_MS = 10_800_000;
/** How long the address stays "hostile" and is answered 550 (HOSTILES_DYNAMIC_PENALTY, 43201 s). */
export const SHUN_MS = 43_201_000;
/** During a ban every this many attempts is answered instead of held (BAN_GNET_REMIND, BAN_HTTP_REMIND). */
export const BAN_REMIND = 15;
/** Addresses remembered at most (gtk-gnutella does not cap its table; everything fed by peers has a cap here). */
export const MAX_BANNED_ADDRESSES = 1024;

export const STATUS_BANNED = 429;
export const STATUS_SHUNNED = 550;
/** The reason gtk-gnutella records with a security-violation ban, said in its 429s. */
export const SECURITY_BAN_REASON = 'IP with Gnutella security violations';
export const SHUNNED_REASON = 'Shunned IP address';

/** Which door an attempt knocks at: a Gnutella connect, or an HTTP request on the same port. */
export type BanDoor = 'gnutella' | 'http';

export type BanVerdict =
  | { kind: 'pass' }
  /** Keep the socket open and say nothing (gtk-gnutella's ban_force). */
  | { kind: 'hold' }
  /** Answer with this status and close; `retryAfterS` for HTTP's `Retry-After`. */
  | { kind: 'refuse'; code: number; reason: string; retryAfterS?: number };

interface Entry {
  until: Record<BanDoor, number>;
  shunUntil: number;
  tries: Record<BanDoor, number>;
}

export class AddressBans {
  readonly #entries = new Map<string, Entry>();

  /** The address broke the rules (a `Bye 412`): banned from now on. */
  record(ip: string, now: number): void {
    const old = this.#entries.get(ip);
    this.#entries.delete(ip); // re-inserted last: the map's order is the order of the bans
    if (!old && this.#entries.size >= MAX_BANNED_ADDRESSES) this.#makeRoom(now);
    this.#entries.set(ip, {
      until: { gnutella: now + GNET_BAN_MS, http: now + HTTP_BAN_MS },
      shunUntil: now + SHUN_MS,
      tries: old?.tries ?? { gnutella: 0, http: 0 },
    });
  }

  /** What to do with an attempt from `ip` at `door` now (counts it during a ban). */
  check(ip: string, door: BanDoor, now: number): BanVerdict {
    const e = this.#entries.get(ip);
    if (!e) return { kind: 'pass' };
    const until = e.until[door];
    if (until > now) {
      if (++e.tries[door] % BAN_REMIND !== 0) return { kind: 'hold' };
      return { kind: 'refuse', code: STATUS_BANNED, reason: SECURITY_BAN_REASON, ...(door === 'http' ? { retryAfterS: Math.ceil((until - now) / 1000) } : {}) };
    }
    if (e.shunUntil > now) return { kind: 'refuse', code: STATUS_SHUNNED, reason: SHUNNED_REASON };
    this.#entries.delete(ip);
    return { kind: 'pass' };
  }

  /** Addresses banned or shunned now. */
  count(now: number): number {
    let n = 0;
    for (const e of this.#entries.values()) if (e.shunUntil > now) n++;
    return n;
  }

  #makeRoom(now: number): void {
    for (const [ip, e] of this.#entries) if (e.shunUntil <= now) this.#entries.delete(ip);
    if (this.#entries.size >= MAX_BANNED_ADDRESSES) this.#entries.delete(this.#entries.keys().next().value!);
  }
}

/**
 * A banned address's HTTP answer, as gtk-gnutella's http_send_status writes it
 * without keep-alive: status, `Server`, `Date`, `Connection: close`, and
 * `Retry-After` on a 429; no body.
 */
export function bannedHttpResponse(v: { code: number; reason: string; retryAfterS?: number }, server: string, now: number): string {
  const lines = [`HTTP/1.1 ${v.code} ${v.reason}`, `Server: ${server}`, `Date: ${new Date(now).toUTCString()}`, 'Connection: close'];
  if (v.retryAfterS !== undefined) lines.push(`Retry-After: ${v.retryAfterS}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}
