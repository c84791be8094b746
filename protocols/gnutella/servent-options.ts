/**
 * What a Servent takes beyond the command line (tests, benches) and the
 * timing and size constants it runs by (spec 1.5, 2.6, 3.1, 3.4).
 */
import type { QueueLimits } from '../../src/net/connection-types.js';
import type { GnutellaOptions } from './flags.js';
import type { UploadQueueOptions } from './upload-queue.js';

/** Options beyond the command line (tests, benches). */
export interface ServentOptions extends GnutellaOptions {
  /** The upload queue's limits and times (upload-queue.ts, spec 5.4); tests shorten them. */
  uploadQueue?: Partial<UploadQueueOptions> & { followUpMs?: number };
  /** How long a search collects hits (default 20 s). */
  searchMs?: number;
  /** Cap on one HTTP answer's body (gtk-gnutella-like 512 KiB pieces in tests). */
  maxPieceBytes?: number;
  /** Dynamic querying (spec 3.5): wait per hop (default 2.4 s) and results wanted for a leaf's query (50) and ours (150). */
  dqHopMs?: number;
  dqLeafResults?: number;
  dqOwnResults?: number;
  /** How often an ultrapeer re-merges and sends its last-hop QRP table (default 30 s). */
  qrpUpdateMs?: number;
  /** Links from one IP (default 8; tests and benches run many nodes on 127.0.0.1). */
  perIp?: number;
  /**
   * Hold connections from this machine (127/8, ::1) to gtk-gnutella's per-address rate too
   * (address-bans.ts); off by default: a test net or a user's own programs dial from there.
   */
  rateLimitLoopback?: boolean;
  /** Auto mode hysteresis and leafless limit (spec 3.1; defaults 30 min and 1 h), for tests. */
  roleChangeEveryMs?: number;
  demoteWithoutLeavesMs?: number;
  /** Period of dialling, alive pings and QRP updates (default 5 s). */
  maintainMs?: number;
  /** As an ultrapeer, be our leaves' push proxy (default true; tests turn it off to force routed pushes). */
  pushProxy?: boolean;
  /** How long a push download waits for the GIV (default 30 s). */
  pushWaitMs?: number;
  /** A link with no traffic either way this long is closed with Bye 405 (default 180 s, spec 1.5). */
  idleMs?: number;
  /** Each link's send queue (default: the core's); tests set a small one to fill it. */
  sendQueue?: Partial<QueueLimits>;
  /** A link congested this long gets Bye 405 (default 180 s, gtk-gnutella's node_tx_flowc_timeout). */
  flowControlMs?: number;
}

/** Inbound links beyond leaves and ultrapeer links: handshakes and HTTP on the same port. */
export const INBOUND_SPARE = 16;
/** Links from one IP address (several servents behind one NAT). */
export const PER_IP = 8;
/** Addresses remembered as ultrapeers. */
export const KNOWN_ULTRAPEERS = 2_000;
/** An ultrapeer re-merges its last-hop table and sends the changes this often (LW/GTKG: about a minute). */
export const QRP_UP_UPDATE_MS = 30_000;
/** The host cache is saved (when changed) this often. */
export const HOSTS_SAVE_EVERY_MS = 60_000;
/** A link silent both ways this long is closed with Bye 405 (spec 1.5: GTKG's node_connected_timeout). */
export const IDLE_MS = 180_000;
