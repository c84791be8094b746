import type { Connection } from '../../src/net/connection.js';
import type { Descriptor } from './descriptor.js';
import type { GarbledStream } from './framing-guard.js';
import type { PeerHeaders, Role } from './handshake.js';
import { QrpReceiver } from './qrp-receiver.js';
import type { QrpTable } from './qrp-table.js';
import { TokenBucket } from './token-bucket.js';
import { HOPS_FLOW_OPEN } from './hops-flow.js';
import type { SentHopsFlow } from './hops-flow-sender.js';
import { RequeryMemory } from './query-screen.js';

/** A leaf's queries: 1 a second on average, bursts of 10 (LimeWire leaves send one every few seconds). */
export const LEAF_QUERIES_PER_S = 1;
export const LEAF_QUERY_BURST = 10;

/** What the group's decoders yield: header blocks during the handshake, then descriptors (or the end of a broken stream). */
export type GnutellaFrame = string[] | Descriptor | GarbledStream;

/** Where a link is in its life (spec 1.2). */
export type LinkPhase = 'start' | 'await-response' | 'await-final' | 'open';

/** Messages counted per type name, in and out (for `/gstatus`). */
export type Counters = Record<string, number>;

/** One Gnutella link's state; the servent owns and mutates it. */
export class GnutellaLink {
  phase: LinkPhase = 'start';
  role: Role | undefined;
  peer: PeerHeaders | undefined;
  compressedIn = false;
  compressedOut = false;
  openedAt = 0;
  /** Pings sent without a pong since (alive pings, spec 2.6). */
  unansweredPings = 0;
  /** When we last sent an alive ping (ping-policy.ts). */
  lastAlivePingAt = -Infinity;
  /** Since when nothing came in, as the maintenance rounds see it (by decodedIn moving). */
  quietSince = 0;
  /** decodedIn at the last maintenance round. */
  decodedAtRound = 0;
  /** The peer's servent GUID (hex) as its handshake or first own hit said, and its own hits that said another (neighbour-guid.ts). */
  serventGuid: string | undefined;
  weirdHits = 0;
  /** Queries and pushes it sent us again (peer-conduct.ts). */
  dups = 0;
  /** Its Hops Flow: queries go to it only with fewer hops than this (hops-flow.ts). */
  hopsFlow = HOPS_FLOW_OPEN;
  /** A leaf's recent queries, to drop its re-queries (query-screen.ts). */
  readonly requeries = new RequeryMemory();
  /** Queries and relayed pushes it sent past TTL + hops 15 (peer-conduct.ts). */
  highTtl = 0;
  /** It said `WHAT` in Features Supported: it takes What's New queries (whats-new.ts). */
  whatsNew = false;
  /** Pings taken from this peer, and when the next regular one may be (ping-policy.ts). */
  pingsTaken = 0;
  pingAcceptAt = 0;
  /** A leaf's QRP table, as its ultrapeer receives it (spec 3.4). */
  readonly qrp = new QrpReceiver();
  /** Descriptor bytes decoded (after inflating): with the wire bytes, the compression ratio. */
  decodedIn = 0;
  readonly in: Counters = {};
  readonly out: Counters = {};
  /** Our QRP table as this ultrapeer last received it (patches are differences to it). */
  sentTable: QrpTable | undefined;
  /** The address we dialled (outbound), for the host cache. */
  dialled: string | undefined;
  /** A leaf's query allowance (as its ultrapeer), and queries dropped over it. */
  queryBucket = new TokenBucket(LEAF_QUERIES_PER_S, LEAF_QUERY_BURST);
  throttled = 0;
  /** The Hops Flow we last told this peer, and when (hops-flow-sender.ts). */
  sentHopsFlow: SentHopsFlow = { value: HOPS_FLOW_OPEN, at: -Infinity };
  /** Since when this link has been congested (its peer not reading), seen by the servent's rounds. */
  flowControlSince: number | undefined;

  constructor(
    readonly id: number,
    readonly conn: Connection<GnutellaFrame>,
  ) {}

  count(dir: 'in' | 'out', type: string): void {
    const c = dir === 'in' ? this.in : this.out;
    c[type] = (c[type] ?? 0) + 1;
  }
}
