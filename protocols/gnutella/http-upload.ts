import type { IncomingMessage, ServerResponse } from 'node:http';
import { systemClock, type Clock } from '../../src/clock.js';
import { toNetError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { normalizeIp } from '../../src/net/address.js';
import type { ShareEntry } from '../../src/share/share-entry.js';
import type { ShareLibrary } from '../../src/share/share-library.js';
import type { TransferEngine } from '../../src/transfer/transfer-engine.js';
import { USER_AGENT } from './constants.js';
import { parseRange } from './http-range.js';
import { acceptsBrowse, BROWSE_CONTENT_TYPE } from './browse-host.js';
import { QUEUE_FEATURE } from './parq-header.js';
import { UploadGate } from './upload-gate.js';
import type { UploadQueueOptions } from './upload-queue.js';
import { requestedSha1 } from './alt-loc-header.js';

/** What the upload side needs. */
export interface UploadDeps {
  share: ShareLibrary;
  transfers: TransferEngine;
  log: Logger;
  /**
   * Largest body of one answer: a request for more gets 206 with this many
   * bytes, as gtk-gnutella answers in 512 KiB pieces (appendix 18). Default: no cap.
   */
  maxPieceBytes?: number;
  /** The browse-host body (spec 5.5): our shared files as QueryHit descriptors. */
  browse?: () => Buffer;
  /** The push-proxy endpoint (spec 4.3): answers and returns true when the request is one. */
  pushProxy?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Headers every file answer carries (`X-Push-Proxy` while we are firewalled, spec 5.2). */
  headers?: () => Record<string, string>;
  /** Times of the upload queue (default: the system clock). */
  clock?: Clock;
  /** The upload queue's limits and times (upload-queue.ts; tests shorten them). */
  queue?: Partial<UploadQueueOptions> & { followUpMs?: number };
  /** Alternate locations (alt-loc-service.ts, spec 5.2): takes in the request's `X-Alt`, gives the answer's for `sha1` (hex). */
  alternates?: (sha1: string, req: IncomingMessage) => Record<string, string>;
}

/** Which shared file a request path names, or undefined (404): N2R by SHA-1, or /get/<index>/<name>. */
export function lookupRequest(url: string, share: Pick<ShareLibrary, 'bySha1' | 'byIndex'>): ShareEntry | undefined {
  const n2r = /^\/uri-res\/N2R\?(urn:sha1:[A-Za-z2-7]{32})$/i.exec(url);
  if (n2r) return share.bySha1(n2r[1]!);
  const get = /^\/get\/(\d{1,10})\/(.+)$/.exec(url);
  if (!get) return undefined;
  const entry = share.byIndex(Number(get[1]));
  let name: string;
  try {
    name = decodeURIComponent(get[2]!);
  } catch {
    return undefined;
  }
  // The name must be the entry's own: a path is never built from it.
  return entry && entry.name.normalize('NFC') === name.normalize('NFC') ? entry : undefined;
}

/** A 404 for a SHA-1 we do not share still names where else it is, as gtk-gnutella's does (spec 5.2). */
function notHere(deps: UploadDeps, req: IncomingMessage): Record<string, string> {
  const sha1 = requestedSha1(req.url ?? '');
  return sha1 && deps.alternates ? deps.alternates(sha1, req) : {};
}

function plain(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, text, { Server: USER_AGENT, 'Content-Type': 'text/plain', 'Content-Length': '0', ...extra });
  res.end();
}

/**
 * The HTTP side of the Gnutella port (spec 5): GET and HEAD of
 * `/uri-res/N2R?urn:sha1:...` and `/get/<index>/<name>`, one Range -> 206,
 * browse host (`GET /` accepting `application/x-gnutella-packets`, else 406),
 * `X-Gnutella-Content-URN` on every answer, a place in the upload queue
 * (`503 Queued`, upload-gate.ts) or `503 Busy` + Retry-After when no upload
 * slot is free, 404 for anything not shared. Bytes go through the transfer engine.
 */
export function createUploadHandler(deps: UploadDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const gate = new UploadGate(deps.transfers, deps.clock ?? systemClock, deps.queue);
  return (req, res) => {
    void serve(deps, gate, req, res).catch((err: unknown) => {
      deps.log.warn(`gnutella upload: ${toNetError(err).message}`);
      if (!res.headersSent) plain(res, 500, 'Internal Error');
      else res.destroy();
    });
  };
}

async function serve(deps: UploadDeps, gate: UploadGate, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const peer = `${normalizeIp(req.socket.remoteAddress)}:${req.socket.remotePort ?? 0}`;
  if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'Method Not Allowed', { Allow: 'GET, HEAD' });
  if (deps.pushProxy?.(req, res)) return;
  if (req.url === '/' && deps.browse) {
    if (!acceptsBrowse(req.headers.accept)) return plain(res, 406, 'Not Acceptable');
    const body = deps.browse();
    res.writeHead(200, 'OK', { Server: USER_AGENT, 'Content-Type': BROWSE_CONTENT_TYPE, 'Content-Length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
    return;
  }
  const entry = lookupRequest(req.url ?? '', deps.share);
  if (!entry) return plain(res, 404, 'Not Found', notHere(deps, req));
  const resolved = await deps.share.verifyOnDisk(entry);
  if (!('realPath' in resolved)) return plain(res, 404, 'Not Found');
  const urn: Record<string, string> = {
    ...(resolved.sha1Base32 ? { 'X-Gnutella-Content-URN': `urn:sha1:${resolved.sha1Base32}` } : {}),
    ...deps.headers?.(),
    ...(resolved.sha1 ? deps.alternates?.(resolved.sha1, req) : {}),
  };
  const size = resolved.size;
  const range = parseRange(req.headers.range, size);
  if (range.kind === 'unsatisfiable') return plain(res, 416, 'Requested Range Not Satisfiable', { 'Content-Range': `bytes */${size}`, ...urn });
  let start = range.kind === 'range' ? range.start : 0;
  let end = range.kind === 'range' ? range.end : size - 1;
  const cap = deps.maxPieceBytes;
  if (cap !== undefined && end - start + 1 > cap) end = start + cap - 1;
  const partial = range.kind === 'range' || end < size - 1;
  if (size === 0) [start, end] = [0, -1];
  const admitted = gate.admit(req, resolved.sha1 ?? resolved.realPath, peer);
  if (!('slot' in admitted)) return plain(res, admitted.status, admitted.text, { ...admitted.headers, ...urn });
  const slot = admitted.slot;
  const headers: Record<string, string> = {
    Server: USER_AGENT,
    'X-Features': QUEUE_FEATURE,
    'Content-Type': 'application/binary',
    'Content-Length': String(end - start + 1),
    'Accept-Ranges': 'bytes',
    ...urn,
  };
  if (partial) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
  res.writeHead(partial ? 206 : 200, partial ? 'Partial Content' : 'OK', headers);
  if (req.method === 'HEAD' || end < start) {
    slot();
    res.end();
    return;
  }
  await deps.transfers.upload({ path: resolved.realPath, name: resolved.name, peer, protocol: 'gnutella', sink: res, start, end, endSink: true, sha1: resolved.sha1 ?? null }, slot);
}
