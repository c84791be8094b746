/**
 * The login decision (specs/napster.md §3.2 rules 1-8) as pure functions:
 * what a 2/6 payload asks for, and what to do with it given the account and
 * who is online. The server carries the decision out.
 */
import { MAX_CLIENT_INFO } from '../constants.js';
import { isValidNick, splitFields, strictInt } from '../messages.js';

/** A well-formed login request. */
export interface LoginRequest {
  nick: string;
  password: string;
  port: number;
  speed: number;
  client: string;
  email: string;
  /** Type 6: register a new nick. */
  register: boolean;
}

/** What the fields alone decide. */
export type LoginParse =
  | { kind: 'close' }
  | { kind: 'invalidNick' }
  | { kind: 'refuse'; text: string }
  | { kind: 'ok'; req: LoginRequest };

/** Rules 1-3: field count (silent close), nick (10), speed and port (0 + text). */
export function parseLogin(text: string, register: boolean): LoginParse {
  const f = splitFields(text);
  if (!f || f.length < 5) return { kind: 'close' };
  const [nick, password, portText, client, speedText] = f as [string, string, string, string, string];
  if (!isValidNick(nick)) return { kind: 'invalidNick' };
  const speed = strictInt(speedText);
  if (speed === undefined || speed > 10) return { kind: 'refuse', text: `${speedText}: invalid speed` };
  const port = strictInt(portText);
  if (port === undefined || port > 65535) return { kind: 'refuse', text: `${portText}: invalid port` };
  return {
    kind: 'ok',
    req: { nick, password, port, speed, client: client.slice(0, MAX_CLIENT_INFO), email: register ? (f[5] ?? '') : '', register },
  };
}

/** What the server knows when it decides. */
export interface LoginView {
  registered: boolean;
  registeredOnly: boolean;
  autoRegister: boolean;
  /** The reason of a ban on this nick or IP ('' when none was given). */
  banned: string | undefined;
}

export type LoginDecision =
  | { kind: 'refuse'; text: string }
  /** Check the password against the stored hash, then `admit`. */
  | { kind: 'verify' }
  /** Register (hash and store) the nick, then admit. */
  | { kind: 'register' }
  /** Log in without storing the nick. */
  | { kind: 'admit' };

/** Rules 4-6 and bans, before the password is checked. */
export function decideLogin(req: LoginRequest, v: LoginView): LoginDecision {
  if (v.banned !== undefined) return { kind: 'refuse', text: `You are banned from this server${v.banned ? `: ${v.banned}` : ''}` };
  if (v.registered) return req.register ? { kind: 'refuse', text: 'Nick registered to another user' } : { kind: 'verify' };
  if (v.registeredOnly) return { kind: 'refuse', text: 'this is a restricted server' };
  if (req.register) return { kind: 'register' };
  return v.autoRegister ? { kind: 'register' } : { kind: 'admit' };
}

/** Rule 7, after the password: kill the old session (same IP), or refuse (other IP). */
export function decideGhost(nick: string, onlineFrom: string | undefined, ip: string): 'none' | 'ghost' | { refuse: string } {
  if (onlineFrom === undefined) return 'none';
  return onlineFrom === ip ? 'ghost' : { refuse: `${nick} is already active` };
}

/** One of two logins of the same nick on two servers of a cluster (issue 15). */
export interface ClusterLogin {
  ip: string;
  /** When it logged in, on its own server's clock (0 when not said). */
  at: number;
  /** The id of its server. */
  server: string;
}

/**
 * Two servers of a cluster admitted the same nick at nearly the same moment,
 * before either heard of the other's user. Both servers run this with the same
 * two logins and so agree which one stands, whatever their clocks say: logins
 * are ordered by (time, server id). From the same IP rule 7 keeps the newer
 * (the older is ghosted); from two IPs it keeps the older (the newer would
 * have been refused with "is already active"). Returns what happens to OUR
 * login.
 */
export function decideNickClash(ours: ClusterLogin, theirs: ClusterLogin): 'keep' | 'ghost' | 'refuse' {
  const oursNewer = ours.at !== theirs.at ? ours.at > theirs.at : ours.server > theirs.server;
  if (ours.ip === theirs.ip) return oursNewer ? 'keep' : 'ghost';
  return oursNewer ? 'refuse' : 'keep';
}
