import type { DownloadSource } from '../transfer/transfer-types.js';
import type { SearchQuery } from './search-query.js';

/**
 * A hit as a protocol reports it; the core adds the search id and the global
 * result number (`search.hit`) and remembers which protocol made it (`/get N`).
 */
export interface FileHit {
  name: string;
  /** Bytes, or -1 when the protocol does not say (P+2 answers carry names only). */
  size: number;
  /** Who has it, for display and per-peer limits: `ip:port` or a nick. */
  source: string;
  /** Hex, base32 or `urn:sha1:`; checked after the download when present. */
  sha1?: string;
  /** Advertised speed (kbit/s) where the protocol carries one. */
  speed?: number;
  /** The holder is behind a firewall (Gnutella push, Napster firewalled). */
  firewalled?: boolean;
  /**
   * Protocol-private and JSON-serialisable: enough to download this hit later,
   * also after a restart (the transfer engine persists it with the download).
   */
  ref: unknown;
}

/** How a protocol's downloads differ from the engine's defaults (see DownloadRequest). */
export interface FileDownloadOptions {
  /** A zero-byte answer means "not found" (P+2 sends nothing for an unknown name). */
  emptyIsMissing?: boolean;
  /** Largest download accepted when the size is unknown. */
  maxBytes?: number;
}

/**
 * What a file-sharing protocol implements so the core can search it and
 * download from it (issue 7, "Search and download belong to the core"). A
 * plugin declares it as `ProtocolPlugin.files`; the node registers it with the
 * SearchService while the plugin runs.
 */
export interface FileProtocol {
  /**
   * Streams hits into `sink` until the search is finished or `signal` aborts;
   * resolves with how many peers it asked (0: the search reached nobody).
   * Hits given after it resolves are ignored.
   */
  search(query: SearchQuery, sink: (hit: FileHit) => void, signal: AbortSignal): Promise<{ peers: number }>;
  /** A download source for a hit it produced, or for a persisted one (its `ref`) after a restart. */
  source(hit: FileHit): DownloadSource;
  /** Per-protocol download options (default: none). */
  readonly download?: FileDownloadOptions;
}
