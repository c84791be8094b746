/**
 * Two of gtk-gnutella's checks on a neighbour's conduct, as pure decisions
 * over a link's counters (spec 2.15, 6; its routing.c and nodes.c); the
 * message handler sends the Bye they return.
 *
 * - Duplicates: a query or push the same neighbour already sent us, first or
 *   after another neighbour, with a TTL no higher than its own earlier copy
 *   (sender-log.ts; a higher one is a re-probe), counts, over the life of the
 *   link (routing.c handle_duplicate); pings do not. Past 5, while they are over
 *   1.5 % of all it sent and we hold more links than we want, it gets
 *   `Bye 401 Sent N dups (P% of RX)`, P as C's printf writes it.
 * - High TTL: an ultrapeer counts the queries and relayed pushes a neighbour
 *   sends past TTL + hops 15 (routing.c forward_message); one that sends the
 *   11th from within 2 hops gets `Bye 403 Relayed 11 high TTL (>10) messages`.
 * - Identity: a neighbour's own hits (hops 0) carrying a servent GUID other
 *   than its own are "weird" (neighbour-guid.ts); the fifth gets
 *   `Bye 412 Security violation`.
 */
import * as C from './constants.js';
import type { GnutellaLink } from './link.js';
import { checkNeighbourGuid, MAX_WEIRD_HITS } from './neighbour-guid.js';

/** Duplicates from one neighbour before they may end the link (gtk-gnutella's min_dup_msg). */
export const MIN_DUPS = 5;
/** ... and the share of its messages they must pass (min_dup_ratio 1.50 %). */
export const MIN_DUP_RATIO = 0.015;

export interface ByeVerdict {
  code: number;
  reason: string;
}

/**
 * The neighbour sent again a query it had sent us; `received`: messages it
 * sent in all; `links`/`wanted`: our open links and the number we aim for.
 */
export function duplicateConduct(dupsBefore: number, received: number, links: number, wanted: number): { dups: number; bye?: ByeVerdict } {
  const dups = dupsBefore + 1;
  if (dupsBefore < MIN_DUPS || links <= Math.max(2, wanted) || dups <= MIN_DUP_RATIO * received) return { dups };
  const pct = received > 0 ? dupShare(dups, received) : '0.0';
  return { dups, bye: { code: C.BYE_DUPLICATES, reason: `Sent ${dups} dups (${pct}% of RX)` } };
}

/**
 * `100 * dups / received` as gtk-gnutella's `%.1f` writes it: glibc rounds a double
 * lying exactly halfway between two tenths to the even one (12.25 -> "12.2"), where
 * toFixed goes up ("12.3"); every other value both round alike. A half is exact only
 * when 20 x the share is an odd multiple of 5 (the share is then a sum of powers of 2).
 */
export function dupShare(dups: number, received: number): string {
  const twenty = (2000 * dups) / received;
  if (Number.isInteger(twenty) && twenty % 2 === 1 && twenty % 5 === 0) {
    const below = (twenty - 1) / 2;
    return ((below % 2 === 0 ? below : below + 1) / 10).toFixed(1);
  }
  return ((100 * dups) / received).toFixed(1);
}

/** The link's neighbour sent a query or push again: counts it, says when it must go. */
export function duplicateFrom(l: GnutellaLink, links: number, wanted: number): ByeVerdict | undefined {
  let received = 0;
  for (const n of Object.values(l.in)) received += n;
  const v = duplicateConduct(l.dups, received, links, wanted);
  l.dups = v.dups;
  return v.bye;
}

/** One of the neighbour's own hits (hops 0); updates the link's GUID and count, says when it must go. */
export function ownHitConduct(l: GnutellaLink, payload: Buffer): ByeVerdict | undefined {
  const v = checkNeighbourGuid(l.serventGuid ?? l.peer?.guid, payload);
  if (!v) return undefined;
  l.serventGuid = v.guid;
  if (!v.weird || ++l.weirdHits < MAX_WEIRD_HITS) return undefined;
  return { code: C.BYE_SECURITY, reason: 'Security violation' };
}

/** High-TTL messages a neighbour may send before one from close by ends the link (max_high_ttl_msg). */
export const MAX_HIGH_TTL = 10;
/** ... "close by": hops at most this (max_high_ttl_radius). */
export const HIGH_TTL_RADIUS = 2;

/** The link's neighbour sent a query or relayed push past the hard TTL limit: counts it, says when it must go. */
export function highTtlFrom(l: GnutellaLink, isQuery: boolean, hops: number): ByeVerdict | undefined {
  l.highTtl++;
  if (!isQuery || hops > HIGH_TTL_RADIUS || l.highTtl <= MAX_HIGH_TTL) return undefined;
  return { code: C.BYE_HIGH_TTL, reason: `Relayed ${l.highTtl} high TTL (>${MAX_HIGH_TTL}) messages` };
}
