import type { ShareEntry } from '../../src/share/share-entry.js';
import { DESCRIPTOR_QUERY_HIT, MAX_RESULTS_PER_HIT } from './constants.js';
import { encodeDescriptor } from './descriptor.js';
import { encodeQueryHit, type HitResultInit, type QueryHitInit } from './query-hit.js';
import { newGuid } from './servent-guid.js';

/** The media type of a browse-host answer (spec 5.5). */
export const BROWSE_CONTENT_TYPE = 'application/x-gnutella-packets';
/** Most files one browse answer lists: bounds the body (~4 KiB per 10 files). */
export const BROWSE_MAX_FILES = 10_000;

/** Whether an `Accept` header takes browse-host packets (spec 5.5; otherwise 406). */
export function acceptsBrowse(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => part.split(';')[0]!.trim().toLowerCase() === BROWSE_CONTENT_TYPE);
}

/**
 * The body of a browse-host answer (spec 5.5): our shared files as a stream of
 * complete QueryHit descriptors (23-byte header included, one fresh MUID for all,
 * TTL 1, hops 0), at most 10 results each. Only hashed files are listed (every
 * result carries its `urn:sha1:`), at most BROWSE_MAX_FILES.
 */
export function browseBody(entries: Iterable<ShareEntry>, hit: Omit<QueryHitInit, 'results'>, maxFiles = BROWSE_MAX_FILES): Buffer {
  const results: HitResultInit[] = [];
  for (const e of entries) {
    if (results.length >= maxFiles) break;
    if (e.sha1) results.push({ index: e.index, size: e.size, name: e.name, sha1: e.sha1 });
  }
  const muid = newGuid();
  const parts: Buffer[] = [];
  for (let i = 0; i < results.length; i += MAX_RESULTS_PER_HIT) {
    const payload = encodeQueryHit({ ...hit, results: results.slice(i, i + MAX_RESULTS_PER_HIT) });
    parts.push(encodeDescriptor({ muid, type: DESCRIPTOR_QUERY_HIT, ttl: 1, hops: 0, payload }));
  }
  return Buffer.concat(parts);
}
