/**
 * Who may hold an accepted chat link, as pure decisions (README "Limits", "Plain peers";
 * specs/chat.md "Plain peers"). Accepted links are of three kinds:
 * - *pending*: no HELLO yet and no plain line either (a node about to say HELLO, a `nc`
 *   user about to type, or a half-open / slowloris socket). They have their own pool; when
 *   it is full the oldest is dropped, and under pressure they get a much shorter timeout,
 *   so sockets that never speak cannot keep anyone out;
 * - *plain* peers that spoke: at most `maxPlain`, so part of the inbound slots is always
 *   kept for protocol nodes; a password mesh takes none (plain peers cannot prove it);
 * - *nodes*: finished HELLO (and AUTH); with plain peers at most `maxInbound`.
 */
import { NetError } from '../../src/errors.js';
import { authFailed } from './errors.js';

/** What admission looks at on one accepted link. */
export interface SlotHolder {
  readonly direction: 'in' | 'out';
  /** 'hello' | 'auth' | 'ready' | 'plain' (see link.ts). */
  readonly state: string;
  /** Whether the peer has sent a complete line. */
  readonly spoke: boolean;
}

/** What the accepted links hold right now. */
export interface SlotCounts {
  pending: number;
  plain: number;
  nodes: number;
}

/** The kind of slot an accepted link holds (outbound links hold none). */
export function slotKind(l: SlotHolder): keyof SlotCounts | undefined {
  if (l.direction !== 'in') return undefined;
  if (l.state === 'ready') return 'nodes';
  if (l.state === 'plain' && l.spoke) return 'plain';
  return 'pending';
}

/** Counts the accepted links by kind, leaving out `except` (the link being judged). */
export function countSlots<L extends SlotHolder>(links: Iterable<L>, except?: L): SlotCounts {
  const c: SlotCounts = { pending: 0, plain: 0, nodes: 0 };
  for (const l of links) {
    if (l === except) continue;
    const k = slotKind(l);
    if (k) c[k]++;
  }
  return c;
}

/** The limits admission applies (ResolvedChatOptions fields). */
export interface AdmissionLimits {
  /** Nodes and plain peers together, accepted links only. */
  maxInbound: number;
  /** Plain peers that spoke, accepted links only. */
  maxPlain: number;
  /** Accepted links that have not identified themselves yet. */
  maxPending: number;
  hasPassword: boolean;
}

/** Why a password mesh refuses a plain peer, in one line the `nc` user reads. */
export const PLAIN_NEEDS_OPEN_MESH = 'this mesh has a password: plain peers (nc, classic clients) may only join open meshes';

/** Whether a link whose first line is not HELLO may become a plain peer. */
export function admitPlain(c: SlotCounts, l: AdmissionLimits): NetError | undefined {
  if (l.hasPassword) return authFailed(PLAIN_NEEDS_OPEN_MESH);
  if (c.plain >= l.maxPlain) return NetError.limit(`chat: plain peer limit (${l.maxPlain}) reached; the other inbound slots are kept for peerdeck nodes`);
  if (c.plain + c.nodes >= l.maxInbound) return NetError.limit(`chat: inbound link limit (${l.maxInbound}) reached`);
  return undefined;
}

/** Whether an accepted link that finished HELLO may become a neighbour. */
export function admitNode(c: SlotCounts, l: AdmissionLimits): NetError | undefined {
  if (c.plain + c.nodes >= l.maxInbound) return NetError.limit(`chat: inbound link limit (${l.maxInbound}) reached`);
  return undefined;
}

/** Whether a silent accepted link may be shown lines as a plain reader (never in a password mesh). */
export function mayRead(l: AdmissionLimits): boolean {
  return !l.hasPassword;
}

/** Under pressure once half the pending pool is taken. */
export function underPressure(pending: number, maxPending: number): boolean {
  return pending * 2 >= maxPending;
}

/**
 * Time a new accepted link gets to say HELLO (or its first plain line): the normal
 * handshake timeout, or the short one while the pending pool is under pressure.
 */
export function preHelloTimeout(pending: number, maxPending: number, normalMs: number, pressureMs: number): number {
  return underPressure(pending, maxPending) ? Math.min(normalMs, pressureMs) : normalMs;
}

/**
 * The pending link to drop for a newcomer when the pool is full: the one that has
 * waited longest without identifying itself (an honest dialler sends HELLO at once).
 */
export function pickEviction<L extends SlotHolder & { readonly openedAt: number }>(links: Iterable<L>, except?: L): L | undefined {
  let oldest: L | undefined;
  for (const l of links) {
    if (l === except || slotKind(l) !== 'pending') continue;
    if (!oldest || l.openedAt < oldest.openedAt) oldest = l;
  }
  return oldest;
}
