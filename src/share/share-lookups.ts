/**
 * The ways a remote finds one of the library's files (issue 4, "Share
 * library"): by exact name, by path under its root, by SHA-1, and by keywords
 * or substring through the keyword index. The library links an entry when a
 * scan finds it and unlinks it when the file changes or goes; an entry
 * nobody replaced keeps its place in all of them across rescans.
 *
 * The name, path and SHA-1 maps are built on the first lookup that needs
 * them, from the entries linked by then, and kept up to date from then on
 * (issue 9: a first scan of 100,000 files spent about a third of the event
 * loop's time and much of its garbage filling three maps that no one had
 * asked anything yet). Several files under one name or SHA-1 give the
 * lowest-indexed one, whenever the map was built.
 *
 * The keyword index is built on the first search too, from the entries
 * linked by then in the order they were linked (so results come in the same
 * order as from an index kept up to date all along), and kept up to date
 * from then on (issue 9: filling it took about 190 ms of CPU, with its
 * garbage, of a first scan of 100,000 files on two cores). Until then an
 * unlinked entry is only remembered as gone; the list of entries waiting is
 * compacted when the gone ones pile up, so it never holds more than a
 * third more than the live entries (plus UNINDEXED_GONE_MIN).
 */
import { KeywordIndex, type IndexFilters, type SearchMode } from './keyword-index.js';
import { MultiMap, nfc } from './multi-map.js';
import type { ShareEntry } from './share-entry.js';
import { boxedArray } from './boxed-array.js';

/** Unlinked entries that may wait in the list of entries not yet indexed before it is compacted. */
export const UNINDEXED_GONE_MIN = 4096;

/** Name, path, SHA-1 and keyword lookups over the library's entries. */
export class ShareLookups {
  #byName: MultiMap<string, ShareEntry> | undefined;
  #byRel: Map<string, ShareEntry> | undefined;
  #bySha1: MultiMap<string, ShareEntry> | undefined;
  /** Built on the first search; until then the entries linked, in order, and those of them unlinked since. */
  #index: KeywordIndex | undefined;
  #unindexed = boxedArray<ShareEntry>();
  #gone = new Set<ShareEntry>();

  /** `linked()`: every entry linked now (what a map is built from on its first lookup). */
  constructor(private readonly linked: () => Iterable<ShareEntry>) {}

  /** Makes an entry findable by name, path, SHA-1 (if hashed) and keywords. */
  link(e: ShareEntry): void {
    this.#byName?.add(nfc(e.name), e);
    this.#byRel?.set(nfc(e.relPath), e);
    if (this.#bySha1) addSha1(this.#bySha1, e);
    if (this.#index) this.#index.add(e.index, e.name, e.size);
    else {
      if (this.#gone.size > 0) this.#gone.delete(e); // linked again after an unlink: indexed after all
      this.#unindexed.push(e);
    }
  }

  /** Undoes link. */
  unlink(e: ShareEntry): void {
    this.#byName?.delete(nfc(e.name), e);
    if (this.#byRel) {
      const rel = nfc(e.relPath);
      if (this.#byRel.get(rel) === e) this.#byRel.delete(rel);
    }
    const sha1 = this.#bySha1 && e.sha1;
    if (sha1) this.#bySha1!.delete(sha1, e);
    if (this.#index) this.#index.remove(e.index);
    else this.#forget(e);
  }

  /** A linked entry has just been hashed: findable by its SHA-1 from now on. */
  hashed(e: ShareEntry): void {
    if (this.#bySha1) addSha1(this.#bySha1, e);
  }

  /** Entry indices matching a query, in the order they were linked; at most `limit`. */
  search(query: string, mode: SearchMode, limit: number, filters?: IndexFilters): number[] {
    return this.#keywords().search(query, mode, limit, filters);
  }

  /** Entries linked and not yet in the keyword index (it is built on the first search), gone ones included. */
  get unindexed(): number {
    return this.#unindexed.length;
  }

  /** The keyword index, built now from the entries waiting if no search has asked before. */
  #keywords(): KeywordIndex {
    if (this.#index) return this.#index;
    const index = new KeywordIndex();
    for (const e of this.#unindexed) if (!this.#gone.has(e)) index.add(e.index, e.name, e.size);
    this.#unindexed = boxedArray();
    this.#gone.clear();
    return (this.#index = index);
  }

  /** An entry waiting for the index was unlinked: it is left out when the index is built. */
  #forget(e: ShareEntry): void {
    this.#gone.add(e);
    if (this.#gone.size < UNINDEXED_GONE_MIN || this.#gone.size * 4 < this.#unindexed.length) return;
    this.#unindexed = this.#unindexed.filter((w) => !this.#gone.has(w));
    this.#gone.clear();
  }

  /** By exact file name (NFC); the lowest-indexed when several share it. */
  byName(name: string): ShareEntry | undefined {
    if (!this.#byName) {
      this.#byName = new MultiMap();
      for (const e of this.linked()) this.#byName.add(nfc(e.name), e);
    }
    return this.#byName.best(nfc(name), lower);
  }

  /** By path under its root (`/` separators, NFC). */
  byRel(rel: string): ShareEntry | undefined {
    if (!this.#byRel) {
      this.#byRel = new Map();
      for (const e of this.linked()) this.#byRel.set(nfc(e.relPath), e);
    }
    return this.#byRel.get(nfc(rel));
  }

  /** By SHA-1, lower-case hex; only hashed entries; the lowest-indexed when several have it. */
  bySha1(hex: string): ShareEntry | undefined {
    if (!this.#bySha1) {
      this.#bySha1 = new MultiMap();
      for (const e of this.linked()) addSha1(this.#bySha1, e);
    }
    return this.#bySha1.best(hex, lower);
  }
}

/** Files the SHA-1 map holds: only hashed ones (an entry's sha1 is read once: tracked-entry.ts makes it from its record). */
function addSha1(map: MultiMap<string, ShareEntry>, e: ShareEntry): void {
  const sha1 = e.sha1;
  if (sha1) map.add(sha1, e);
}

/** Lower index first: the file found first. */
function lower(a: ShareEntry, b: ShareEntry): boolean {
  return a.index < b.index;
}
