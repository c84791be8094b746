import { MAX_TTL } from './constants.js';
import type { LinkId } from './router.js';

/** Probe: TTL 1 to this many ultrapeers first (spec 3.5: "~3"). */
export const DQ_PROBE_UPS = 3;
export const DQ_PROBE_TTL = 1;
/** Wait per hop of TTL before the next step (spec 3.5: ~2.4 s). */
export const DQ_HOP_MS = 2_400;
/** Results wanted: 150 for our own query, 50 for a leaf's (spec 3.5, GTKG). */
export const DQ_OWN_RESULTS = 150;
export const DQ_LEAF_RESULTS = 50;
/** Stop after this long whatever happens (LW 200 s). */
export const DQ_MAX_MS = 200_000;
/** Stop once this many ultrapeers are estimated reached (spec 3.5). */
export const DQ_MAX_HORIZON = 200_000;

/** An ultrapeer link not yet sent this query. */
export interface DqCandidate {
  id: LinkId;
  /** The peer's `X-Max-TTL` (<= 4). */
  maxTtl: number;
  /** The peer's `X-Degree` (ultrapeer links it holds). */
  degree: number;
  /** Its last-hop QRP table matches the query (or it has none): worth probing first. */
  lastHopMatch: boolean;
}

/** What the next step depends on. */
export interface DqView {
  wanted: number;
  results: number;
  /** Ultrapeers not yet sent the query, in link order. */
  candidates: readonly DqCandidate[];
  /** Ultrapeers sent the query so far. */
  queried: number;
  /** Ultrapeers estimated reached so far (sum of horizons). */
  reached: number;
  elapsedMs: number;
  maxMs: number;
  hopMs: number;
  /** The leaf said it has enough (BEAR/12 0xFFFF) or its link is gone. */
  leafStop?: string;
}

/** Send these copies and look again after `waitMs`, or stop and say why. */
export type DqStep = { kind: 'send'; sends: Array<{ to: LinkId; ttl: number }>; waitMs: number } | { kind: 'stop'; why: string };

/** Ultrapeers a query sent with `ttl` to a peer of `degree` may reach: sum of (degree-1)^i for i < ttl (spec 3.5). */
export function horizon(ttl: number, degree: number): number {
  let sum = 0;
  let p = 1;
  for (let i = 0; i < ttl; i++) {
    sum += p;
    p *= Math.max(1, degree - 1);
  }
  return sum;
}

/**
 * One step of dynamic querying (spec 3.5, "decide, then do"): stop when enough
 * results came, the leaf says so, time or horizon ran out, or no ultrapeer is
 * left; else probe ~3 ultrapeers at TTL 1 (those whose last-hop table matches
 * first), then one ultrapeer at a time with the smallest TTL whose horizon
 * covers its share of the ultrapeers still to reach at the rate seen so far.
 */
export function dqStep(v: DqView): DqStep {
  if (v.leafStop !== undefined) return { kind: 'stop', why: v.leafStop };
  if (v.results >= v.wanted) return { kind: 'stop', why: `enough results (${v.results} of ${v.wanted} wanted)` };
  if (v.elapsedMs >= v.maxMs) return { kind: 'stop', why: `time limit (${Math.round(v.maxMs / 1000)} s)` };
  if (v.reached >= DQ_MAX_HORIZON) return { kind: 'stop', why: `horizon covered (${v.reached} ultrapeers)` };
  if (v.candidates.length === 0) return { kind: 'stop', why: `every ultrapeer queried (${v.queried}), ${v.results} of ${v.wanted} results` };
  const ordered = [...v.candidates].sort((a, b) => Number(b.lastHopMatch) - Number(a.lastHopMatch));
  if (v.queried === 0) {
    const probe = ordered.slice(0, DQ_PROBE_UPS).map((c) => ({ to: c.id, ttl: DQ_PROBE_TTL }));
    return { kind: 'send', sends: probe, waitMs: v.hopMs * DQ_PROBE_TTL };
  }
  const next = ordered[0]!;
  const perUp = v.results / Math.max(1, v.reached);
  const stillToReach = perUp > 0 ? (v.wanted - v.results) / perUp : Infinity;
  const share = stillToReach / v.candidates.length;
  const cap = Math.max(1, Math.min(next.maxTtl, MAX_TTL));
  let ttl = 1;
  while (ttl < cap && horizon(ttl, next.degree) < share) ttl++;
  return { kind: 'send', sends: [{ to: next.id, ttl }], waitMs: v.hopMs * ttl };
}
