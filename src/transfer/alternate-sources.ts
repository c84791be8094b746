/**
 * A download's other sources (README "Downloads", Gnutella "Alternate
 * locations"): the same file (SHA-1) from other peers, joined while it is
 * queued or running and tried in turn when the current source fails.
 */
import type { NetError } from '../errors.js';
import type { Transfer } from './transfer-record.js';
import type { DownloadRequest } from './transfer-types.js';

/** Other sources remembered per download; more are not taken. */
export const MAX_ALTERNATES = 16;

/** Adds `req` as another source of `t` and calls `joined`; false when it knows that source already or keeps no more. */
export function joinSource(t: Transfer, req: DownloadRequest, joined: () => void = () => undefined): boolean {
  const known = [t.req!, ...t.alternates].some((r) => r.peer === req.peer && r.protocol === req.protocol);
  if (known || t.alternates.length >= MAX_ALTERNATES) return false;
  t.alternates.push(req);
  joined();
  return true;
}

/**
 * The current source of `t` failed with `err`: `t` takes the next one, keeping
 * the name it was asked under (and the size it was announced with, when the new
 * source did not say). False when there is none, or the failure is our disk's.
 */
export function takeNextSource(t: Transfer, err: NetError): boolean {
  if (err.code === 'FILE') return false;
  const next = t.alternates.shift();
  if (!next) return false;
  const was = t.req!;
  t.req = { ...next, name: was.name, size: next.size ?? was.size ?? null };
  Object.assign(t.info, { peer: next.peer, protocol: next.protocol });
  return true;
}
