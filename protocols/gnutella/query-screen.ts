/**
 * Queries gtk-gnutella drops before it answers or relays them (search.c
 * search_is_valid, search_request_preprocess), so we do too:
 *
 * - too short: a text of at most 1 byte, or of at most 3 bytes from 2 or more
 *   hops away (max_ttl / 2), unless it names a SHA-1 (an empty text with a URN
 *   is a search by hash);
 * - a re-query: a leaf of ours that sends the same query (its text, or its last
 *   SHA-1) again within 1,700 s (node_requery_threshold). What's New queries and
 *   duplicates are not counted. Bounded per leaf: the oldest forgotten first.
 */
import { MAX_TTL } from './constants.js';

/** Text bytes a query needs from afar (MIN_SEARCH_TERM_BYTES). */
export const MIN_FAR_TEXT_BYTES = 3;
/** Same query from the same leaf not again before this (node_requery_threshold, 1700 s). */
export const REQUERY_MS = 1_700_000;
/** Queries remembered per leaf. */
export const MAX_REMEMBERED_QUERIES = 256;

/** Whether a query is too short to answer or relay; `hops` as it arrived. */
export function tooShort(text: string, sha1s: readonly string[], hops: number): boolean {
  if (sha1s.length > 0 || text.length > MIN_FAR_TEXT_BYTES) return false; // more UTF-16 units than 3: more bytes too
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes <= 1 || (bytes <= MIN_FAR_TEXT_BYTES && hops + 1 > MAX_TTL / 2);
}

/** A leaf's recent queries: says whether one is a re-query. */
export class RequeryMemory {
  readonly #seen = new Map<string, number>();

  /** True when the leaf sent this query (text, or last SHA-1) within 1,700 s; records it otherwise. */
  again(text: string, sha1s: readonly string[], now: number): boolean {
    const key = sha1s.length > 0 ? `urn:sha1:${sha1s[sha1s.length - 1]}` : text;
    const at = this.#seen.get(key);
    if (at !== undefined && now - at < REQUERY_MS) return true;
    this.#seen.delete(key);
    if (this.#seen.size >= MAX_REMEMBERED_QUERIES) this.#seen.delete(this.#seen.keys().next().value!);
    this.#seen.set(key, now);
    return false;
  }
}
