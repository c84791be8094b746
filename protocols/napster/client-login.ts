import { NetError } from '../../src/errors.js';
import * as C from './client-constants.js';
import * as W from './constants.js';
import type { ServerMessage } from './client-server-messages.js';
import { quote, toWire } from './messages.js';

/** Who we log in as (§3.2): never logged, the password least of all. */
export interface LoginIdentity {
  nick: string;
  password: string;
  /** Our data port, 0 when firewalled. */
  dataPort: number;
  /** Link speed 0-10 (§3.1). */
  speed: number;
  /** Sent with a registration (type 6). */
  email: string;
  clientInfo: string;
}

/** Where a login stands: nick check sent, registration sent, login sent, or done. */
export type LoginState = 'checking' | 'registering' | 'logging-in' | 'online' | 'failed';

/** What to do next, decided from one server message. */
export type LoginStep =
  | { do: 'send'; state: LoginState; type: number; text: string }
  | { do: 'online'; email: string }
  /** `retry`: worth reconnecting later (a busy server), or not (a wrong password). */
  | { do: 'fail'; reason: string; retry: boolean }
  | { do: 'wait' };

/** §3.2 rule 2, checked before we send anything: the reason, or undefined for a good nick. */
export function checkNick(nick: string): string | undefined {
  if (nick.length < 1 || nick.length > W.MAX_NICK_LENGTH) return 'a Napster nick has 1 to 19 characters';
  if (!/^[\x21-\x7e]+$/.test(nick) || /[%$*?.!",\\]/.test(nick)) return 'a Napster nick has no spaces and none of % $ * ? . ! " , \\';
  if (/^[#&:-]/.test(nick)) return 'a Napster nick does not start with # & : -';
  if ((W.RESERVED_NICKS as readonly string[]).includes(nick.toLowerCase())) return `${nick} is reserved`;
  return undefined;
}

/** Checks the identity before the first byte goes out; throws USAGE with the reason. */
export function validateIdentity(id: LoginIdentity): void {
  const bad = checkNick(id.nick);
  if (bad) throw NetError.usage(bad);
  if (id.password === '' || /[\s"]/.test(id.password)) throw NetError.usage('a Napster password is one word without spaces or quotes');
  if (!Number.isInteger(id.speed) || id.speed < 0 || id.speed > W.MAX_LINK_SPEED) throw NetError.usage('link speed is 0-10');
  if (!Number.isInteger(id.dataPort) || id.dataPort < 0 || id.dataPort > 65535) throw NetError.usage('data port is 0-65535');
}

/**
 * The type-2 payload (§3.2), five fields: `<nick> <pass> <port> "<client>" <speed>`
 * (§3.4: never an 8th field; opennap-ng reads it as a compression level).
 */
export function loginText(id: LoginIdentity): string {
  return `${toWire(id.nick)} ${toWire(id.password)} ${id.dataPort} ${quote(id.clientInfo)} ${id.speed}`;
}

/** The type-6 payload: the login fields plus the email. */
export function registerText(id: LoginIdentity): string {
  return `${loginText(id)} ${toWire(id.email)}`;
}

/** The first frame of a session: a nick check (7), which tells us whether to register (6) or log in (2). */
export function firstLoginStep(id: LoginIdentity): { state: LoginState; type: number; text: string } {
  return { state: 'checking', type: W.MSG_NICK_CHECK, text: toWire(id.nick) };
}

/** Login refusals that a reconnect cannot fix (§7 type 0). */
const PERMANENT = [/invalid password/i, /registered to another/i, /invalid (speed|port)/i, /restricted server/i, /registration is disabled/i, /not allowed/i, /invalid nick/i];

/**
 * The login decision (§3.2): 8 -> register with 6, 9 -> log in with 2, 10 ->
 * give up, 3 -> online, 0 -> fail with the server's reason. Pure: the session
 * class sends what it says.
 */
export function loginStep(state: LoginState, msg: ServerMessage, id: LoginIdentity): LoginStep {
  switch (msg.kind) {
    case 'nick-free':
      if (state !== 'checking') return { do: 'wait' };
      return { do: 'send', state: 'registering', type: W.MSG_NEW_USER_LOGIN, text: registerText(id) };
    case 'nick-registered':
      if (state !== 'checking') return { do: 'wait' };
      return { do: 'send', state: 'logging-in', type: W.MSG_LOGIN, text: loginText(id) };
    case 'nick-invalid':
      return { do: 'fail', reason: msg.text || `invalid nick: ${id.nick}`, retry: false };
    case 'login-ack':
      if (state === 'checking') return { do: 'fail', reason: 'server acknowledged a login we did not send', retry: false };
      return { do: 'online', email: msg.email };
    case 'login-error':
      return { do: 'fail', reason: msg.reason || 'login refused', retry: !PERMANENT.some((re) => re.test(msg.reason)) };
    default:
      return { do: 'wait' };
  }
}

/** Reconnect backoff: doubles from RECONNECT_MIN_MS to RECONNECT_MAX_MS, with up to 20% jitter from `rand`. */
export function reconnectDelay(attempt: number, rand: number): number {
  const base = Math.min(C.RECONNECT_MAX_MS, C.RECONNECT_MIN_MS * 2 ** Math.max(0, Math.min(attempt, 16)));
  return Math.round(base * (1 + 0.2 * rand));
}
