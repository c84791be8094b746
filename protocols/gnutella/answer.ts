import type { ShareEntry } from '../../src/share/share-entry.js';
import { MAX_RESULTS_PER_HIT, QUERY_FLAG_FIREWALLED } from './constants.js';
import { queryFlag } from './query.js';
import type { HitResultInit } from './query-hit.js';
import type { Query } from './query.js';
import { isWhatsNew } from './whats-new.js';

/** Most files we return for one query, over all its hits. */
export const MAX_ANSWER_FILES = 50;

/** The share lookups answering needs (the ShareLibrary's in-memory index; no disk). */
export interface ShareLookup {
  search(text: string, opts: { limit: number }): ShareEntry[];
  bySha1(sha1: string): ShareEntry | undefined;
}

/**
 * The results for a Query, grouped into hits of at most 10 (spec 2.5, 2.8):
 * files matching any URN, then files matching all words; each once, and only
 * files already hashed (every result carries its `urn:sha1:`). A What's New
 * query gets our newest files (`newest`, whats-new.ts), or nothing if it also
 * names SHA-1s.
 */
export function answerQuery(q: Query, share: ShareLookup, maxFiles = MAX_ANSWER_FILES, newest: () => readonly ShareEntry[] = () => []): HitResultInit[][] {
  const text = q.text.trim();
  const whatsNew = isWhatsNew(q);
  if (whatsNew && q.sha1s.length > 0) return [];
  const seen = new Set<number>();
  const out: HitResultInit[] = [];
  const take = (e: ShareEntry | undefined): void => {
    if (!e?.sha1 || seen.has(e.index) || out.length >= maxFiles) return;
    seen.add(e.index);
    out.push({ index: e.index, size: e.size, name: e.name, sha1: e.sha1 });
  };
  if (whatsNew) for (const e of newest()) take(e);
  for (const sha1 of q.sha1s) take(share.bySha1(sha1));
  if (text.length > 1 && !whatsNew) for (const e of share.search(text, { limit: maxFiles })) take(e);
  const hits: HitResultInit[][] = [];
  for (let i = 0; i < out.length; i += MAX_RESULTS_PER_HIT) hits.push(out.slice(i, i + MAX_RESULTS_PER_HIT));
  return hits;
}

/**
 * Spec 2.7 flag bit 14: a firewalled querier gets no hit from a firewalled
 * responder (neither could connect to the other, and we do no firewall-to-firewall
 * transfers), as gtk-gnutella and LimeWire obey it.
 */
export function answersQuerier(flags: number, weAreFirewalled: boolean): boolean {
  return !(weAreFirewalled && queryFlag(flags, QUERY_FLAG_FIREWALLED));
}
