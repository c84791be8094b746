import type { Role } from './handshake.js';

/** `--gnutella-mode`: a fixed role, or `auto` (start as a leaf, promote when fit; spec 3.1). */
export type GnutellaMode = Role | 'auto';

/** Uptime before auto mode promotes (GTKG: 1 h; LW: 2 h current uptime). */
export const DEFAULT_PROMOTE_AFTER_MS = 60 * 60_000;
/** Defaults of the ultrapeer options (`--gnutella-max-leaves`, `--gnutella-up-links`, `--gnutella-promote-after`). */
export const ULTRAPEER_DEFAULTS = { maxLeaves: 100, upLinks: 32, promoteAfterMs: DEFAULT_PROMOTE_AFTER_MS } as const;
/** Links we must be able to hold to be an ultrapeer (GTKG auto mode: >= 25 peer connections). */
export const MIN_UP_CAPACITY = 25;
/** Auto mode changes role at most this often (GTKG: 30 min). */
export const ROLE_CHANGE_EVERY_MS = 30 * 60_000;
/** An auto ultrapeer without leaves for this long goes back to leaf (GTKG: 1 h). */
export const DEMOTE_WITHOUT_LEAVES_MS = 60 * 60_000;

/** What the role decision looks at. */
export interface RoleView {
  mode: GnutellaMode;
  current: Role;
  /** Why we are firewalled (`firewalled: ...`); undefined = an unsolicited inbound link proved we are not (spec 4.1). */
  firewalledWhy: string | undefined;
  uptimeMs: number;
  promoteAfterMs: number;
  /** Leaf slots + ultrapeer links we are configured for. */
  capacity: number;
  /** Since when we have had no leaf (as an ultrapeer), undefined = we have leaves. */
  leaflessForMs: number | undefined;
  /** Time since the last role change (Infinity = never changed). */
  sinceChangeMs: number;
  /** Overrides for tests: the hysteresis and the leafless limit. */
  changeEveryMs?: number;
  demoteAfterMs?: number;
}

/** The role to have and why, in words for `/gstatus` and the status bar. */
export interface RoleDecision {
  role: Role;
  why: string;
}

function minutes(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}

/**
 * Role election (spec 3.1, GTKG auto mode): a fixed mode is kept; auto promotes
 * only when not firewalled, up long enough and configured for enough links, at
 * most once per hysteresis period, and goes back to leaf when that stops being
 * true or it kept no leaf for an hour.
 */
export function decideRole(v: RoleView): RoleDecision {
  if (v.mode !== 'auto') return { role: v.mode, why: `--gnutella-mode ${v.mode}` };
  const blockers: string[] = [];
  if (v.firewalledWhy !== undefined) blockers.push(v.firewalledWhy);
  if (v.uptimeMs < v.promoteAfterMs) blockers.push(`up ${minutes(v.uptimeMs)} of the ${minutes(v.promoteAfterMs)} needed`);
  if (v.capacity < MIN_UP_CAPACITY) blockers.push(`room for ${v.capacity} links, ${MIN_UP_CAPACITY} needed`);
  const fit = blockers.length === 0;
  const want: Role = fit ? 'ultrapeer' : 'leaf';
  const demoteAfter = v.demoteAfterMs ?? DEMOTE_WITHOUT_LEAVES_MS;
  if (v.current === 'ultrapeer' && fit && v.leaflessForMs !== undefined && v.leaflessForMs >= demoteAfter) {
    return hold(v, 'leaf', `auto: no leaf for ${minutes(v.leaflessForMs)}`);
  }
  if (want === v.current) {
    return { role: want, why: fit ? 'auto: reachable, up long enough, room for links' : `auto: leaf while ${blockers.join(', ')}` };
  }
  return hold(v, want, fit ? 'auto: promoted (reachable, up long enough, room for links)' : `auto: demoted (${blockers.join(', ')})`);
}

function hold(v: RoleView, want: Role, why: string): RoleDecision {
  const every = v.changeEveryMs ?? ROLE_CHANGE_EVERY_MS;
  if (v.sinceChangeMs < every) return { role: v.current, why: `auto: would be ${want}, but the role changed ${minutes(v.sinceChangeMs)} ago (at most one change per ${minutes(every)})` };
  return { role: want, why };
}

/** What the dialling side looks at when an ultrapeer answers our connect (spec 3.1 leaf guidance). */
export interface GuidanceView {
  mode: GnutellaMode;
  current: Role;
  /** Leaves we hold now. */
  leaves: number;
  /** The acceptor's `X-Ultrapeer-Needed` (undefined = not sent). */
  needed: boolean | undefined;
  /** Who guides us, for the reason (`ip:port`). */
  host: string;
}

/** Whether to become the guiding ultrapeer's leaf, and why. */
export type GuidanceDecision = { kind: 'obey'; why: string } | { kind: 'ignore'; why: string };

/**
 * Leaf guidance as the dialling side (spec 1.3, 3.1): an ultrapeer that answers
 * our connect with `X-Ultrapeer-Needed: False` would rather have us as its leaf.
 * Only auto mode obeys, only as an ultrapeer with no leaf of its own (the header
 * is ignored in UP-UP when the client already has leaves).
 */
export function decideLeafGuidance(v: GuidanceView): GuidanceDecision {
  if (v.needed !== false) return { kind: 'ignore', why: 'no leaf guidance' };
  if (v.current !== 'ultrapeer') return { kind: 'ignore', why: 'already a leaf' };
  if (v.mode !== 'auto') return { kind: 'ignore', why: `leaf guidance from ${v.host} ignored: --gnutella-mode ${v.mode}` };
  if (v.leaves > 0) return { kind: 'ignore', why: `leaf guidance from ${v.host} ignored: we have ${v.leaves} ${v.leaves === 1 ? 'leaf' : 'leaves'}` };
  return { kind: 'obey', why: `leaf guidance from ${v.host}` };
}
