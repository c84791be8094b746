import type { Socket } from 'node:net';
import type { Direction } from '../app-api.js';
import type { Clock } from '../clock.js';
import type { Decoder } from '../codec/decoder.js';
import type { NetError } from '../errors.js';
import type { Connection } from './connection.js';

/*
 * The shapes a Connection is built from and reports through: queue limits,
 * timeouts, the hooks its owner (a ConnectionGroup) supplies, compression
 * bounds. Kept apart from connection.ts so that file holds the one class.
 */
/** Send-queue thresholds (bytes). See STYLE.md rule 4: one backpressure policy. */
export interface QueueLimits {
  /** Above this, droppable traffic is dropped and the link counts as congested. */
  highWater: number;
  /** Below this again, the link is no longer congested. */
  lowWater: number;
  /** A precious (non-droppable) send that would pass this closes the link as a slow consumer. */
  hardCap: number;
}

export const DEFAULT_QUEUE: QueueLimits = { highWater: 256 * 1024, lowWater: 64 * 1024, hardCap: 4 * 1024 * 1024 };

export interface Timeouts {
  /** Time allowed until the plugin calls handshakeDone(); 0 = none. */
  handshakeMs: number;
  /** Time without any received byte before the link is closed; 0 = none. */
  idleMs: number;
}

export interface ConnectionHooks<M> {
  onMessage(conn: Connection<M>, msg: M): void;
  onClose(conn: Connection<M>, reason: NetError | undefined): void;
  /** A handler threw something other than a NetError: a bug, logged loudly; the link is closed. */
  onBug(conn: Connection<M>, err: unknown): void;
  /**
   * The peer half-closed (sent FIN) and every message before it was handled.
   * Absent: the link closes (flushing what is queued). Present: the owner
   * decides; it may still send its answer and close() afterwards.
   */
  onEnd?(conn: Connection<M>): void;
  /** The send queue fell back to the low watermark after being congested. */
  onDrain?(conn: Connection<M>): void;
  /**
   * The idle or handshake timeout fired. Absent, or returning false: the link
   * closes with `err`. Returning true keeps it (e.g. a keep-alive ping was sent);
   * an idle timer then starts over.
   */
  onTimeout?(conn: Connection<M>, err: NetError): boolean;
}

/**
 * Memory of a deflate context, which dominates an idle compressed link:
 * zlib needs (1 << (windowBits + 2)) + (1 << (memLevel + 9)) bytes, 256 KiB
 * at the defaults (15, 8); 13 and 6 need 64 KiB and still compress short
 * protocol messages well. Any inflater reads every window size.
 */
export interface DeflateTuning {
  windowBits?: number;
  memLevel?: number;
  /** Size of the output buffer zlib keeps per context (Node's default: 16 KiB). */
  chunkSize?: number;
}

/** Bounds on what an inflated (compressed) input may expand to. */
export interface InflateLimits {
  /** Inflated bytes may not pass this many times the compressed bytes (plus `slackBytes`). */
  maxRatio: number;
  /** Allowance on top of the ratio, so a short, highly compressible start is not cut. */
  slackBytes: number;
}

/**
 * Default inflate bounds: deflate can expand ~1000:1, while real Gnutella
 * traffic stays well under 20:1 over a link's life; past 100:1 it is a bomb.
 */
export const DEFAULT_INFLATE_LIMITS: InflateLimits = { maxRatio: 100, slackBytes: 1024 * 1024 };

export interface ConnectionInit<M> {
  id: number;
  group: string;
  direction: Direction;
  tag: string;
  socket: Socket;
  decoder: Decoder<M>;
  hooks: ConnectionHooks<M>;
  clock: Clock;
  timeouts: Timeouts;
  queue: QueueLimits;
}
