import {
  BYE_LEAF_RELAYED,
  DESCRIPTOR_BYE,
  DESCRIPTOR_PING,
  DESCRIPTOR_PONG,
  DESCRIPTOR_PUSH,
  DESCRIPTOR_QUERY,
  DESCRIPTOR_QUERY_HIT,
  DESCRIPTOR_ROUTE_TABLE_UPDATE,
  DESCRIPTOR_VENDOR,
  DESCRIPTOR_VENDOR_STD,
  HARD_TTL_LIMIT,
  LINK_TTL,
  MAX_TTL,
} from './constants.js';
import type { Role } from './handshake.js';
import { WHATS_NEW_MAX_HOPS } from './whats-new.js';

/** A link as the router knows it: a number the servent maps to a connection. */
export type LinkId = number;
/** Where a reply or push goes: back down a link, or to us. */
export type RouteTarget = LinkId | 'us';

/** Why a descriptor was dropped (counted per reason in `/gstatus`). */
export type DropReason = 'ttl-zero' | 'high-ttl' | 'duplicate' | 'not-link-local' | 'route-lost' | 'expired' | 'unknown-type';

/** How a descriptor was seen before: never, with a TTL as high, or only with a lower TTL (a DQ re-probe). */
export type Seen = 'new' | 'duplicate' | 'higher-ttl';

/** A copy to send: the link and the TTL it gets (hops is always hops + 1). */
export interface Forward {
  to: LinkId;
  ttl: number;
}

/** What to do with one descriptor (spec 2.4, 2.15; "decide, then do"). */
export type RouteDecision =
  | { kind: 'drop'; reason: DropReason }
  /** The peer broke a rule that costs it the link: Bye with this code. */
  | { kind: 'close'; code: number; reason: string }
  /** Bye, QRP, vendor messages: handled on this link, never routed. */
  | { kind: 'link-local' }
  /** Answer with our pong(s); `alive` = TTL 1 hops 0 keep-alive ping (spec 2.6). */
  | { kind: 'ping'; alive: boolean }
  /**
   * A new query: answer from our share, and forward these copies. `dynamic`: a
   * leaf's query, which we as its ultrapeer widen step by step (spec 3.5)
   * instead of flooding it to every ultrapeer.
   */
  | { kind: 'query'; forward: Forward[]; dynamic: boolean }
  /** A pong, hit or push to deliver to us or relay down one link. */
  | { kind: 'reply'; to: RouteTarget; ttl: number };

/** Everything the decision depends on, computed by the servent from its tables. */
export interface RouteInput {
  type: number;
  ttl: number;
  hops: number;
  from: { id: LinkId; role: Role };
  self: Role;
  seen: Seen;
  /** For Pong/QueryHit: where its Ping/Query came from. For Push: where the target's hits came from. */
  back?: RouteTarget;
  /** Our ultrapeer links (as an ultrapeer). */
  ultrapeers: readonly LinkId[];
  /** Our leaves whose QRP table matches this query (asked only for new queries, as an ultrapeer); all of them for What's New. */
  matchingLeaves: () => readonly LinkId[];
  /** A What's New query (whats-new.ts): relayed to other ultrapeers only while its hops as sent stay below 2. */
  whatsNew?: boolean;
  /**
   * Whether an ultrapeer may get this query as its last hop (TTL 1 on arrival):
   * its last-hop QRP table matches, or it has none (spec 3.4). Default: yes.
   */
  lastHop?: (up: LinkId) => boolean;
}

function isLinkLocal(type: number): boolean {
  return type === DESCRIPTOR_BYE || type === DESCRIPTOR_ROUTE_TABLE_UPDATE || type === DESCRIPTOR_VENDOR || type === DESCRIPTOR_VENDOR_STD;
}

/**
 * The route decision (spec 2.4, 2.15, 3.4, 6), gtk-gnutella's: TTL 0 is dropped;
 * past TTL + hops 15 a ping or a relayed push is dropped, a query is answered
 * (and handed to matching leaves) but goes to no ultrapeer, and a pong or hit
 * keeps going with its TTL trimmed to 15; link-local types must have hops 0 and TTL 1; a leaf that relays is
 * closed with 414; duplicate pings, queries and pushes are dropped unless the TTL
 * is higher (a push for us is carried out once all the same); a leaf never
 * relays; an ultrapeer forwards queries to matching leaves whatever the TTL and
 * to other ultrapeers while TTL > 1, with TTL capped to max TTL 4 - hops.
 */
export function route(i: RouteInput): RouteDecision {
  if (i.ttl === 0) return { kind: 'drop', reason: 'ttl-zero' };
  const over = overHardLimit(i.ttl, i.hops);
  if (isLinkLocal(i.type)) return i.hops === 0 && i.ttl <= LINK_TTL ? { kind: 'link-local' } : { kind: 'drop', reason: 'not-link-local' };
  if (i.self === 'ultrapeer' && i.from.role === 'leaf' && i.hops > 0) return { kind: 'close', code: BYE_LEAF_RELAYED, reason: `Leaf node relayed a message with hops ${i.hops}` };
  switch (i.type) {
    case DESCRIPTOR_PING:
      if (over) return { kind: 'drop', reason: 'high-ttl' };
      if (i.seen === 'duplicate') return { kind: 'drop', reason: 'duplicate' };
      return { kind: 'ping', alive: i.ttl === 1 && i.hops === 0 };
    case DESCRIPTOR_QUERY:
      if (i.seen === 'duplicate') return { kind: 'drop', reason: 'duplicate' };
      if (i.self === 'leaf') return { kind: 'query', forward: [], dynamic: false };
      // Past the hard limit: answered, and handed to matching leaves, but no ultrapeer gets it (routing.c forward_message).
      if (over) return { kind: 'query', forward: leafCopies(i), dynamic: false };
      // A leaf's query: its matching leaves now, the ultrapeers by dynamic querying (spec 3.5).
      if (i.from.role === 'leaf') return { kind: 'query', forward: leafCopies(i), dynamic: true };
      return { kind: 'query', forward: queryCopies(i), dynamic: false };
    case DESCRIPTOR_PUSH: {
      // Routed like a reply, deduplicated like a query (gtk-gnutella's route_message): a
      // higher-TTL copy goes on, but a push for us is carried out once.
      if (i.seen === 'duplicate') return { kind: 'drop', reason: 'duplicate' };
      const r = reply(i);
      if (r.kind === 'reply' && r.to !== 'us' && over) return { kind: 'drop', reason: 'high-ttl' };
      return i.seen === 'higher-ttl' && r.kind === 'reply' && r.to === 'us' ? { kind: 'drop', reason: 'duplicate' } : r;
    }
    case DESCRIPTOR_PONG:
    case DESCRIPTOR_QUERY_HIT:
      return reply(i);
    default:
      return { kind: 'drop', reason: 'unknown-type' };
  }
}

function reply(i: RouteInput): RouteDecision {
  if (i.back === undefined) return { kind: 'drop', reason: 'route-lost' };
  if (i.back === 'us') return { kind: 'reply', to: 'us', ttl: i.ttl };
  if (i.self === 'leaf' || i.back === i.from.id) return { kind: 'drop', reason: 'route-lost' };
  if (i.ttl <= 1) return { kind: 'drop', reason: 'expired' };
  // A reply goes to one link, so a TTL past the hard limit is trimmed, not dropped (routing.c route_query_hit).
  return { kind: 'reply', to: i.back, ttl: Math.min(i.ttl, HARD_TTL_LIMIT + 1) - 1 };
}

/** TTL + hops past gtk-gnutella's hard_ttl_limit (15). */
export function overHardLimit(ttl: number, hops: number): boolean {
  return ttl + hops > HARD_TTL_LIMIT;
}

function leafCopies(i: RouteInput): Forward[] {
  const out: Forward[] = [];
  for (const leaf of i.matchingLeaves()) if (leaf !== i.from.id) out.push({ to: leaf, ttl: 1 });
  return out;
}

function queryCopies(i: RouteInput): Forward[] {
  const hops = i.hops + 1;
  const capped = Math.max(1, Math.min(i.ttl - 1, MAX_TTL - hops));
  const out = leafCopies(i);
  if (i.ttl > 1 && MAX_TTL - hops >= 1 && !(i.whatsNew === true && hops >= WHATS_NEW_MAX_HOPS)) {
    for (const up of i.ultrapeers) {
      if (up === i.from.id) continue;
      // Last hop: only ultrapeers whose merged table (theirs + their leaves') matches (spec 3.4).
      if (capped === 1 && i.lastHop && !i.lastHop(up)) continue;
      out.push({ to: up, ttl: capped });
    }
  }
  return out;
}
