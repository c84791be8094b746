/**
 * Pings as gtk-gnutella answers and sends them (spec 2.6, appendix 4; its
 * pcache.c and nodes.c). Pure decisions; message-handler.ts and
 * link-upkeep.ts carry them out.
 *
 * Answering: a ping with hops 0 and TTL 1 or 2 (alive, crawler) is always
 * taken; any other is taken at most once per 3 s per link (once per 60 s
 * from a leaf, as an ultrapeer), the rest dropped. Our own pong goes to an
 * alive ping, to the first ping a link sends, and otherwise only while we
 * accept incoming connections (an ultrapeer, not firewalled, with a free
 * slot): a leaf or a firewalled servent that answered every ping would fill
 * other servents' host caches with an address that takes no connection.
 * Only an ultrapeer adds pongs from its cache.
 *
 * Sending: an alive ping goes out on a link we have heard nothing from for
 * its period (20 s between ultrapeers, 120 s when either side is a leaf),
 * one per period; with 6 (4 on a leaf link) unanswered, the link gets
 * `Bye 406 No reply to alive pings`.
 */
import type { Role } from './handshake.js';

/** Alive-ping period between two ultrapeers (gtk-gnutella's ALIVE_PERIOD). */
export const ALIVE_PERIOD_MS = 20_000;
/** Alive-ping period on a link where either side is a leaf (ALIVE_PERIOD_LEAF). */
export const ALIVE_PERIOD_LEAF_MS = 120_000;
/** Unanswered alive pings before Bye 406, between ultrapeers (ALIVE_MAX_PENDING) and on leaf links. */
export const ALIVE_MAX_PENDING = 6;
export const ALIVE_MAX_PENDING_LEAF = 4;
/** One regular ping taken per this long per link (PING_REG_THROTTLE), and from a leaf (PING_LEAF_THROTTLE). */
export const PING_THROTTLE_MS = 3_000;
export const PING_THROTTLE_LEAF_MS = 60_000;

export interface PingIn {
  ttl: number;
  hops: number;
  self: Role;
  /** The role of the link's peer. */
  from: Role;
  /** Pings this link had taken before this one. */
  taken: number;
  /** When this link's next regular ping may be taken. */
  acceptAt: number;
  now: number;
  /** We take incoming connections now: an ultrapeer, not firewalled, with a free slot. */
  accepting: boolean;
}

export type PingAnswer =
  | { kind: 'drop' }
  /** `acceptAt`: the link's next acceptAt. */
  | { kind: 'answer'; own: boolean; cached: boolean; acceptAt: number };

export function answerPing(p: PingIn): PingAnswer {
  const special = p.hops === 0 && p.ttl <= 2;
  const alive = p.hops === 0 && p.ttl === 1;
  if (alive) return { kind: 'answer', own: true, cached: false, acceptAt: p.acceptAt };
  let acceptAt = p.acceptAt;
  if (!special) {
    if (p.now < p.acceptAt) return { kind: 'drop' };
    acceptAt = p.now + (p.self === 'ultrapeer' && p.from === 'leaf' ? PING_THROTTLE_LEAF_MS : PING_THROTTLE_MS);
  }
  return { kind: 'answer', own: p.taken === 0 || p.accepting, cached: p.self === 'ultrapeer', acceptAt };
}

export interface AliveIn {
  self: Role;
  from: Role;
  now: number;
  /** Since when nothing has come in on the link. */
  quietSince: number;
  /** When we last sent it an alive ping (-Infinity: never). */
  lastPingAt: number;
  /** Alive pings sent since its last pong. */
  unanswered: number;
}

export type AliveStep = 'wait' | 'ping' | 'bye';

export function aliveStep(a: AliveIn): AliveStep {
  const leafLink = a.self === 'leaf' || a.from === 'leaf';
  const period = leafLink ? ALIVE_PERIOD_LEAF_MS : ALIVE_PERIOD_MS;
  if (a.now - a.quietSince <= period || a.now - a.lastPingAt <= period) return 'wait';
  return a.unanswered >= (leafLink ? ALIVE_MAX_PENDING_LEAF : ALIVE_MAX_PENDING) ? 'bye' : 'ping';
}
