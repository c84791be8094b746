/**
 * The engine's record of one transfer, and what of it survives a restart
 * (`transfers.json`, README "Transfers").
 */
import type { RateMeter } from './rate-meter.js';
import type { SavedDownload } from './transfer-state.js';
import type { DownloadRequest, TransferInfo } from './transfer-types.js';

/** One transfer as the engine tracks it. */
export interface Transfer {
  info: TransferInfo;
  req?: DownloadRequest;
  /** Other sources of the same file (same SHA-1), tried in turn when the current one fails. */
  alternates: DownloadRequest[];
  /** The download fetching this one's content under another name: this one is a copy of it once done. */
  copyOf?: Transfer;
  /** Downloads of this one's content under other names, copied from it once it is done. */
  copies: Transfer[];
  /** The `.part` this download owns in the download folder, once claimed. */
  part?: string;
  /** Interrupted by shutdown: resumes on the next start. */
  interrupted?: boolean;
  /** Failed while the protocol that made it was not running: kept as saved until it is. */
  saved?: SavedDownload;
  abort?: AbortController;
  meter: RateMeter;
  lastEmit: number;
}

/** What survives a restart: every unfinished download the protocol can revive (it has a ref). */
export function snapshotDownloads(transfers: Iterable<Transfer>): SavedDownload[] {
  const out: SavedDownload[] = [];
  for (const t of transfers) {
    if (t.saved) {
      out.push(t.saved);
      continue;
    }
    const req = t.req;
    if (!req || req.ref === undefined || t.info.state === 'done') continue;
    const state = t.interrupted || t.info.state === 'queued' || t.info.state === 'active' ? 'queued' : t.info.state;
    out.push({
      name: req.name,
      peer: req.peer,
      protocol: req.protocol,
      size: req.size ?? null,
      ...(req.sha1 !== undefined ? { sha1: req.sha1 } : {}),
      ref: req.ref,
      part: t.part ?? null,
      state,
      reason: state === 'queued' ? null : t.info.reason,
    });
  }
  return out;
}
