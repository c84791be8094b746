import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { SavedDownload } from './transfer-state.js';
import type { DownloadRequest } from './transfer-types.js';

/** How the node builds the engine (`--downloads`, limits, timeouts); defaults in TRANSFER_DEFAULTS. */
export interface TransferEngineOptions {
  /** Where finished downloads go (`--downloads DIR`, default `<dataDir>/downloads`). */
  downloadDir: string;
  clock?: Clock;
  log?: Logger;
  maxActiveDownloads?: number;
  maxDownloadsPerPeer?: number;
  /** Downloads waiting to start; more are refused. */
  maxQueuedDownloads?: number;
  maxUploads?: number;
  maxUploadsPerPeer?: number;
  /** Uploads waiting for a slot; more are refused (LIMIT). */
  maxWaitingUploads?: number;
  /** How long an upload may wait for a slot. */
  uploadWaitMs?: number;
  /** No byte for this long fails a transfer. */
  stallMs?: number;
  /** Busy answers (`503` without a place kept) one source may give a download before it is given up. */
  remoteBusyTries?: number;
  /** Total time one source may keep a download in its remote queue before it is given up. */
  remoteQueuedMs?: number;
  /** Largest download when its size is unknown. */
  maxDownloadBytes?: number;
  /** Least time between two progress events of one transfer. */
  progressEveryMs?: number;
  /** Finished transfers remembered for `/downloads` and `/retry`. */
  maxHistory?: number;
  /**
   * Where unfinished downloads are persisted (`<dataDir>/transfers.json`):
   * the queue and every failed or interrupted download with a `ref` come back
   * on `restore()`. Absent: nothing is persisted.
   */
  stateFile?: string;
}

/** Turns a persisted download back into a request (through its protocol's FileProtocol.source); throws when it cannot. */
export type ReviveDownload = (saved: SavedDownload) => DownloadRequest;

/** Defaults for every limit and timeout of the engine. */
export const TRANSFER_DEFAULTS = {
  maxActiveDownloads: 4,
  maxDownloadsPerPeer: 2,
  maxQueuedDownloads: 1000,
  maxUploads: 8,
  maxUploadsPerPeer: 2,
  maxWaitingUploads: 32,
  uploadWaitMs: 60_000,
  stallMs: 30_000,
  remoteBusyTries: 5,
  remoteQueuedMs: 6 * 3_600_000,
  maxDownloadBytes: 64 * 1024 ** 3,
  progressEveryMs: 250,
  maxHistory: 500,
} as const;
