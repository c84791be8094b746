/**
 * "What's New?" queries (spec 2.7), as gtk-gnutella answers them (search.c,
 * share.c share_fill_newest): a query whose text is `WhatIsNewXOXO` (any case)
 * or that carries GGEP `WH` asks for the newest files; we answer with our 3
 * newest by modification time among those changed in the last two weeks (hashed
 * ones only: every result carries its `urn:sha1:`). One that also names SHA-1s is
 * dropped, neither answered nor relayed (gtk-gnutella drops it: MSG_DROP_QUERY_OVERHEAD).
 *
 * gtk-gnutella sends one only to neighbours that say `WHAT` in their Features
 * Supported vendor message (`null/10v0`: count LE16, then 4-byte name + LE16
 * version each), so we say it after the handshake; as an ultrapeer we hand one,
 * as it does (qrp.c qrt_build_query_target), to every leaf that said `WHAT` and
 * whose QRP table is not empty (not only those whose table matches), to other
 * ultrapeers while its hops as sent stay below 2, and on a last hop only to those
 * that said `WHAT`.
 *
 * The newest files come from a walk over the share, kept until the share's
 * totals move or a minute passes: a flood of such queries costs one walk a minute.
 */
import type { ShareEntry } from '../../src/share/share-entry.js';
import { MAX_SUPPORTED_ENTRIES, VENDOR_NULL, VMSG_FEATURES_SUPPORTED } from './constants.js';
import { ggepGet } from './ggep.js';
import type { Query } from './query.js';
import { encodeVendor, type VendorMessage } from './vendor.js';

export const WHATS_NEW_TEXT = 'whatisnewxoxo';
/** GGEP "feature query"; feature 1 is What's New. */
export const GGEP_WH = 'WH';
/** Files in our answer (gtk-gnutella's sfv[3]). */
export const WHATS_NEW_FILES = 3;
/** Only files this recent (SHARE_RECENT_THRESH, two weeks). */
export const WHATS_NEW_MAX_AGE_MS = 14 * 24 * 3_600_000;
/** Hops past which it is not relayed to other ultrapeers (as it goes out). */
export const WHATS_NEW_MAX_HOPS = 2;
/** How long a walk's answer is kept while the share's totals stay put. */
const NEWEST_KEEP_MS = 60_000;

/** Whether a query is a What's New query. */
export function isWhatsNew(q: Pick<Query, 'text' | 'ggep'>): boolean {
  // Length first: this runs for every query an ultrapeer routes (issue 9).
  return (q.text.length === WHATS_NEW_TEXT.length && q.text.toLowerCase() === WHATS_NEW_TEXT) || (q.ggep.length > 0 && ggepGet(q.ggep, GGEP_WH) !== undefined);
}

/** The `n` newest hashed files changed within the last two weeks, newest first. */
export function newestFiles(entries: Iterable<ShareEntry>, now: number, n = WHATS_NEW_FILES): ShareEntry[] {
  const out: ShareEntry[] = [];
  for (const e of entries) {
    if (!e.sha1 || now - e.mtimeMs > WHATS_NEW_MAX_AGE_MS) continue;
    if (out.length === n && e.mtimeMs <= out[n - 1]!.mtimeMs) continue;
    out.push(e);
    out.sort((a, b) => b.mtimeMs - a.mtimeMs);
    if (out.length > n) out.pop();
  }
  return out;
}

/** What the cache needs of the share library. */
export interface NewestSource {
  entries(): Iterable<ShareEntry>;
  readonly files: number;
  readonly bytes: number;
  readonly pendingHashes: number;
}

/** newestFiles over a share, walked again only when its totals moved or a minute passed. */
export class NewestFiles {
  #key = '';
  #at = -Infinity;
  #files: ShareEntry[] = [];

  constructor(private readonly share: NewestSource) {}

  get(now: number): ShareEntry[] {
    const key = `${this.share.files}:${this.share.bytes}:${this.share.pendingHashes}`;
    if (key !== this.#key || now - this.#at >= NEWEST_KEEP_MS) {
      this.#files = newestFiles(this.share.entries(), now);
      this.#key = key;
      this.#at = now;
    }
    return this.#files;
  }
}

/** Feature `WHAT`, version 1, in Features Supported. */
export const FEATURE_WHATS_NEW = 'WHAT';
const FEATURE_BYTES = 6;

/** Our Features Supported (`null/10v0`): What's New, version 1. */
export function encodeFeaturesSupported(features: ReadonlyArray<{ name: string; version: number }> = [{ name: FEATURE_WHATS_NEW, version: 1 }]): Buffer {
  const body = Buffer.alloc(2 + features.length * FEATURE_BYTES);
  body.writeUInt16LE(features.length, 0);
  features.forEach((f, i) => {
    body.write(f.name.padEnd(4, '\0').slice(0, 4), 2 + i * FEATURE_BYTES, 'latin1');
    body.writeUInt16LE(f.version, 2 + i * FEATURE_BYTES + 4);
  });
  return encodeVendor({ vendor: VENDOR_NULL, selector: VMSG_FEATURES_SUPPORTED, version: 0, body });
}

/**
 * Whether a Features Supported message says `WHAT` with a version other than 0;
 * undefined for any other vendor message (or one too short for its count).
 */
export function saysWhatsNew(m: VendorMessage): boolean | undefined {
  if (m.vendor !== VENDOR_NULL || m.selector !== VMSG_FEATURES_SUPPORTED || m.body.length < 2) return undefined;
  const n = Math.min(m.body.readUInt16LE(0), MAX_SUPPORTED_ENTRIES);
  if (2 + n * FEATURE_BYTES > m.body.length) return undefined;
  for (let i = 0; i < n; i++) {
    const at = 2 + i * FEATURE_BYTES;
    if (m.body.toString('latin1', at, at + 4) === FEATURE_WHATS_NEW && m.body.readUInt16LE(at + 4) !== 0) return true;
  }
  return false;
}
