/**
 * How long a chat link may stay silent (specs/chat.md "Lines", "Plain peers", "Mesh
 * maintenance"): a new link has until its handshake deadline to say HELLO (shorter while
 * many sockets wait: admission.ts), an accepted link that stays silent past the grace
 * period is a plain peer reading, and ready links are pinged and cut when idle. Decisions
 * come from admission.ts; this module only arms the timers and carries them out.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../src/clock.js';
import { NetError } from '../../src/errors.js';
import { countSlots, mayRead, pickEviction, preHelloTimeout } from './admission.js';
import type { Link } from './link.js';
import type { ResolvedChatOptions } from './options.js';

/** What the liveness rules read from the node. */
export interface LivenessContext {
  readonly options: ResolvedChatOptions;
  readonly clock: Clock;
  /** Every link of the node (the new one included). */
  links(): Iterable<Link>;
  sendHello(link: Link): void;
  /** The link is a peer now (plain): tell the user (`peer.up`). */
  announce(link: Link): void;
}

/** Arms a new link's handshake deadline (and, accepted, its plain-peer grace); may drop the oldest pending link. */
export function armHandshake(link: Link, c: LivenessContext): void {
  const o = c.options;
  const clock = c.clock;
  if (link.conn.direction === 'out') {
    c.sendHello(link);
    link.timers.push(clock.setTimeout(() => handshakeOver(link, o.handshakeMs), o.handshakeMs));
    return;
  }
  // Sockets that never identify themselves must not keep anyone out (admission.ts).
  let pending = countSlots(c.links(), link).pending;
  if (pending >= o.maxPending) {
    pickEviction(c.links(), link)?.drop(NetError.limit(`chat: ${o.maxPending} links are waiting for HELLO; the oldest is dropped`));
    pending--;
  }
  const ms = preHelloTimeout(pending, o.maxPending, o.handshakeMs, o.pressureHandshakeMs);
  if (mayRead({ ...o, hasPassword: o.password !== undefined }) && o.plainGraceMs < ms) {
    link.timers.push(clock.setTimeout(() => graceOver(link, c), o.plainGraceMs));
  }
  link.timers.push(clock.setTimeout(() => handshakeOver(link, ms), ms));
}

/** An accepted link silent past the grace period is a plain peer (a `nc` user reading). */
function graceOver(link: Link, c: LivenessContext): void {
  if (link.state !== 'hello' || link.spoke || link.conn.closed) return;
  link.state = 'plain';
  c.announce(link);
}

/** No HELLO and no plain line in time: a half-open connection. */
function handshakeOver(link: Link, ms: number): void {
  if (link.state === 'ready' || (link.state === 'plain' && link.spoke)) return;
  // A link that never identified itself is cut at once, so its slot is free at once.
  if (link.state === 'hello' || link.state === 'plain') link.drop(NetError.handshakeTimeout(ms));
  else link.fail(NetError.handshakeTimeout(ms));
}

/**
 * The keep-alive tick: pings ready links, cuts ready links silent past the idle timeout,
 * and plain peers that stopped talking (they hold scarce slots).
 */
export function keepAlive(links: Iterable<Link>, o: ResolvedChatOptions, now: number): void {
  for (const l of [...links]) {
    if (l.state === 'plain' && l.spoke && now - l.lastRx > o.plainIdleMs) l.fail(NetError.idleTimeout(o.plainIdleMs));
    if (l.state !== 'ready') continue;
    if (now - l.lastRx > o.idleMs) l.fail(NetError.idleTimeout(o.idleMs));
    else l.send({ type: 'PING', token: randomBytes(6).toString('hex') }, true);
  }
}
