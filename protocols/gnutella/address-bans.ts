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
export const MAX_BANNED_ADDRESSES = 4096;

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

/** Per door: attempts allowed per period before a ban, and the longest ban (ban.c MAX_GNET_* / MAX_HTTP_*). */
export const RATE: Readonly<Record<BanDoor, { requests: number; periodMs: number; maxBanMs: number }>> = {
  gnutella: { requests: 2, periodMs: 60_000, maxBanMs: GNET_BAN_MS },
  http: { requests: 5, periodMs: 60_000, maxBanMs: HTTP_BAN_MS },
};
/** A first ban for hammering lasts this long; each next one twice as long, up to the door's longest (BAN_DELAY). */
export const FIRST_BAN_MS = 300_000;

interface DoorState {
  /** Recent attempts, decaying linearly by `requests` per period (ban.c's counter). */
  counter: number;
  updated: number;
  until: number;
  /** Length of the last ban, doubled by the next. */
  lastBanMs: number;
  tries: number;
  /** Said in the reminding 429 (a 412 ban's reason); else `Banned for <time left>`. */
  reason: string | undefined;
}

interface Entry {
  door: Record<BanDoor, DoorState>;
  shunUntil: number;
}

const fresh = (): DoorState => ({ counter: 0, updated: 0, until: 0, lastBanMs: 0, tries: 0, reason: undefined });

/** Seconds as gtk-gnutella's short_time_ascii writes them: `45s`, `5m 0s`, `1h 0m`, `1d 2h`. */
export function shortTime(secs: number): string {
  const s = Math.max(0, Math.floor(secs));
  if (s > 86_400) return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3_600)}h`;
  if (s > 3_600) return `${Math.floor(s / 3_600)}h ${Math.floor((s % 3_600) / 60)}m`;
  if (s > 60) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${s}s`;
}

export class AddressBans {
  readonly #entries = new Map<string, Entry>();

  /** The address broke the rules (a `Bye 412`): banned from now on. */
  record(ip: string, now: number): void {
    const e = this.#entry(ip, now);
    for (const door of ['gnutella', 'http'] as const) {
      const d = e.door[door];
      d.until = now + RATE[door].maxBanMs;
      d.reason = SECURITY_BAN_REASON;
    }
    e.shunUntil = now + SHUN_MS;
  }

  /**
   * What to do with an attempt from `ip` at `door` now (ban.c ban_allow, then the
   * hostile check). Every attempt counts; with `rate`, more than the door's rate
   * (2 Gnutella connects or 5 HTTP requests a minute) starts a ban: `429 Banned for 5m 0s`,
   * then held, every 15th told how long is left.
   */
  check(ip: string, door: BanDoor, now: number, rate = true): BanVerdict {
    const e = this.#entries.get(ip) ?? (rate ? this.#entry(ip, now) : undefined);
    if (!e) return { kind: 'pass' };
    const d = e.door[door];
    const r = RATE[door];
    d.counter = Math.max(0, d.counter - ((now - d.updated) * r.requests) / r.periodMs) + 1;
    d.updated = now;
    if (d.until > now) {
      if (++d.tries % BAN_REMIND !== 0) return { kind: 'hold' };
      return refusal(door, d.reason ?? `Banned for ${shortTime((d.until - now) / 1000)}`, d.until - now);
    }
    if (rate && d.counter > r.requests) {
      d.lastBanMs = d.lastBanMs > 0 ? Math.min(d.lastBanMs * 2, r.maxBanMs) : FIRST_BAN_MS;
      d.until = now + d.lastBanMs;
      d.tries = 0;
      d.reason = undefined;
      return refusal(door, `Banned for ${shortTime(d.lastBanMs / 1000)}`, d.lastBanMs);
    }
    if (e.shunUntil > now) return { kind: 'refuse', code: STATUS_SHUNNED, reason: SHUNNED_REASON };
    return { kind: 'pass' };
  }

  /** True while `ip` is shunned after a violation (hostile, as hostiles.ts counts it); counts no attempt. */
  shunned(ip: string, now: number): boolean {
    const e = this.#entries.get(ip);
    return e !== undefined && e.shunUntil > now;
  }

  /** Addresses banned or shunned now. */
  count(now: number): number {
    let n = 0;
    for (const e of this.#entries.values()) if (e.shunUntil > now || e.door.gnutella.until > now || e.door.http.until > now) n++;
    return n;
  }

  #entry(ip: string, now: number): Entry {
    let e = this.#entries.get(ip);
    if (e) return e;
    if (this.#entries.size >= MAX_BANNED_ADDRESSES) this.#makeRoom(now);
    e = { door: { gnutella: fresh(), http: fresh() }, shunUntil: 0 };
    this.#entries.set(ip, e);
    return e;
  }

  /** Forgets addresses neither banned, shunned nor counting; then, if still full, the oldest. */
  #makeRoom(now: number): void {
    const idle = (d: DoorState, door: BanDoor): boolean => d.until <= now && d.counter - ((now - d.updated) * RATE[door].requests) / RATE[door].periodMs <= 0;
    for (const [ip, e] of this.#entries) if (e.shunUntil <= now && idle(e.door.gnutella, 'gnutella') && idle(e.door.http, 'http')) this.#entries.delete(ip);
    if (this.#entries.size >= MAX_BANNED_ADDRESSES) this.#entries.delete(this.#entries.keys().next().value!);
  }
}

function refusal(door: BanDoor, reason: string, leftMs: number): BanVerdict {
  return { kind: 'refuse', code: STATUS_BANNED, reason, ...(door === 'http' ? { retryAfterS: Math.floor(leftMs / 1000) } : {}) };
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
