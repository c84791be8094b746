/**
 * Two of gtk-gnutella's checks on a neighbour's conduct, as pure decisions
 * over a link's counters (spec 2.15, 6; its routing.c and nodes.c); the
 * message handler sends the Bye they return.
 *
 * - Duplicates: a query the same neighbour already sent us (not a higher-TTL
 *   re-probe) counts; past 5, while they are over 1.5 % of what it sent and we
 *   hold more links than we want, it gets `Bye 401 Sent N dups (P% of RX)`.
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
  const pct = received > 0 ? ((100 * dups) / received).toFixed(1) : '0.0';
  return { dups, bye: { code: C.BYE_DUPLICATES, reason: `Sent ${dups} dups (${pct}% of RX)` } };
}

/** The link's neighbour sent a query twice: counts it, says when it must go. */
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
