import type { Readable, Writable } from 'node:stream';
import type { NetError } from '../errors.js';
import type { SocketSink } from './socket-sink.js';

/** What a protocol hands the engine to fetch one file. */
export interface DownloadSource {
  /**
   * Opens the remote file wanting bytes from `offset` on (resume). The stream
   * may start earlier (`start` < offset) when the protocol has no ranges, as
   * P+2 does: the engine then skips what it already has. `total` is the file's
   * full size when the protocol says so. With `sink` (a socket the protocol
   * dialled through a SocketSink), the engine moves the bytes with the sink
   * (straight into the part, issue 13 "Speed") instead of reading `stream`.
   */
  open(offset: number, signal: AbortSignal): Promise<{ stream: Readable; start: number; total?: number | null; sink?: SocketSink }>;
  /**
   * The download failed with this source (any reason but a cancel, a wrong SHA-1
   * or size included): a protocol that keeps a mesh of sources (Gnutella's
   * alternate locations) marks it bad there.
   */
  failed?(err: NetError): void;
}

/** One download as a protocol asks for it; the engine owns everything after. */
export interface DownloadRequest {
  /** The remote name; made safe for the local disk by the engine. */
  name: string;
  /** Who serves it (`ip:port`, a nick): per-peer slots and display. */
  peer: string;
  protocol: string;
  source: DownloadSource;
  /** Expected size, checked before the rename; null/undefined when unknown. */
  size?: number | null;
  /** Expected SHA-1 (hex, base32 or urn:sha1:), checked before the rename. */
  sha1?: string;
  /** Hard cap when the size is unknown (default: the engine's maxDownloadBytes). */
  maxBytes?: number;
  /** Treat a zero-byte answer as "not found" (P+2 sends nothing for an unknown name). */
  emptyIsMissing?: boolean;
  /**
   * The protocol's JSON-serialisable reference for this file (FileHit.ref).
   * With it the download is persisted and revived after a restart; without
   * it, it lives only as long as the process.
   */
  ref?: unknown;
}

/** Where a transfer is in its life; `/retry` takes failed and cancelled ones back to queued. */
export type TransferState = 'queued' | 'active' | 'done' | 'failed' | 'cancelled';

/** One row of `/downloads`. */
export interface TransferInfo {
  id: number;
  direction: 'down' | 'up';
  name: string;
  peer: string;
  protocol: string;
  state: TransferState;
  bytes: number;
  total: number | null;
  rate: number;
  /** Final path (done), or the part path while running. */
  path: string | null;
  reason: string | null;
  /** While queued: the download fetching the same content under another name, copied once it is done. */
  sameAs?: number;
  /** Once done: whether size and SHA-1 were checked (see transfer.done). */
  verified?: boolean;
  /** Brought back from the last run (`transfers.json`) and queued again at start-up. */
  resumed?: boolean;
  /** While queued: its source queued us or is busy (remote-queue.ts): what it said, and when we ask again. */
  remote?: { note: string; retryInS: number };
}

/** One upload: a resolved file, an optional byte range and the sink (a detached socket, an HTTP response). */
export interface UploadRequest {
  /** The file to send: a path the share library has resolved (ResolvedEntry.realPath). */
  path: string;
  /** Display name. */
  name: string;
  peer: string;
  protocol: string;
  sink: Writable;
  /** First byte to send (default 0). */
  start?: number;
  /** Last byte to send, inclusive (default: the end of the file). */
  end?: number;
  /** End the sink when done (default true: P+2 closes after the bytes). */
  endSink?: boolean;
  /** Wait for a slot (default) or fail at once with LIMIT when none is free. */
  wait?: boolean;
  /** Known SHA-1 for the done event. */
  sha1?: string | null;
}

/** A finished upload: its transfer id and the bytes sent. */
export interface UploadResult {
  id: number;
  bytes: number;
}
