/**
 * QueryHits gtk-gnutella drops before it shows or routes them (search.c
 * get_results_set and search_results_identify_spam, spam_sha1.c; spec 6
 * "Content-level"), decided here and carried out by message-handler.ts: a
 * dropped hit is neither delivered to our search nor routed on, and counted by
 * reason in `/gstatus` drops.
 *
 * - `own-result`: the servent GUID is ours, or its address is ours (MSG_DROP_OWN_RESULT);
 * - `bad-result`: the servent GUID equals the hit's MUID ("very funny", MSG_DROP_BAD_RESULT);
 * - `blank-servent-id`: a servent GUID of zeros (MSG_DROP_BLANK_SERVENT_ID);
 * - `malformed-sha1`: a `urn:sha1:` that is not a SHA-1 (MSG_DROP_MALFORMED_SHA1);
 * - `hostile-ip`: the servent's address is hostile (hostiles.ts, MSG_DROP_HOSTILE_IP);
 * - `spam-sha1`: a record names a SHA-1 of the user's spam list (spam_sha1_check);
 * - `spam-index`: a record with file index 0xFFFFFFFF (gtk-gnutella's spam mark), or
 *   two records with the same file index (a servent has one file per index);
 * - `bogus-size`: a record of 0 bytes (no servent shares an empty file) or over
 *   MAX_SANE_SIZE.
 *
 * Results that merely echo the query's words are left alone: gtk-gnutella marks
 * those only for LimeWire vendor codes under conditions we do not track.
 */
import type { QueryHit } from './query-hit.js';

/** Why a hit is dropped. */
export type HitDropReason = 'own-result' | 'bad-result' | 'blank-servent-id' | 'malformed-sha1' | 'hostile-ip' | 'spam-sha1' | 'spam-index' | 'bogus-size';

export type HitVerdict = { kind: 'pass' } | { kind: 'drop'; reason: HitDropReason };

/** gtk-gnutella's wildcard index, sent only by spammers (search_results_identify_spam). */
export const SPAM_FILE_INDEX = 0xffff_ffff;
/** Largest file size we believe: 1 TiB. */
export const MAX_SANE_SIZE = 2 ** 40;

/** What the screen compares a hit with. */
export interface HitScreenContext {
  /** The hit descriptor's MUID. */
  muid: Buffer;
  ourGuid: Buffer;
  /** Our address when we know it (`ip`, `port`). */
  ourIp: string | undefined;
  ourPort: number;
  hostile: (ip: string) => boolean;
  spamSha1: (hex: string) => boolean;
}

const PASS: HitVerdict = { kind: 'pass' };
const drop = (reason: HitDropReason): HitVerdict => ({ kind: 'drop', reason });
const URN_SHA1 = /^urn:sha1:/i;
const SHA1_BASE32 = /^urn:sha1:[A-Z2-7]{32}$/i;

function blank(guid: Buffer): boolean {
  for (let i = 0; i < guid.length; i++) if (guid[i] !== 0) return false;
  return true;
}

/** The verdict on one decoded hit. Pure; allocates nothing on the pass path beyond a small index check. */
export function screenHit(hit: QueryHit, c: HitScreenContext): HitVerdict {
  if (hit.serventGuid.equals(c.ourGuid)) return drop('own-result');
  if (hit.serventGuid.equals(c.muid)) return drop('bad-result');
  if (blank(hit.serventGuid)) return drop('blank-servent-id');
  if (c.ourIp !== undefined && hit.ip === c.ourIp && hit.port === c.ourPort) return drop('own-result');
  const rs = hit.results;
  for (let i = 0; i < rs.length; i++) {
    const r = rs[i]!;
    for (const h of r.huge) if (URN_SHA1.test(h) && !SHA1_BASE32.test(h)) return drop('malformed-sha1');
  }
  if (c.hostile(hit.ip)) return drop('hostile-ip');
  for (let i = 0; i < rs.length; i++) {
    const r = rs[i]!;
    for (const h of r.sha1s) if (c.spamSha1(h)) return drop('spam-sha1');
    if (r.index === SPAM_FILE_INDEX) return drop('spam-index');
    for (let j = 0; j < i; j++) if (rs[j]!.index === r.index) return drop('spam-index');
    if (r.size === 0 || r.size > MAX_SANE_SIZE) return drop('bogus-size');
  }
  return PASS;
}
