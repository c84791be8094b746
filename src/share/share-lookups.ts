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
 */
import { KeywordIndex, type IndexFilters, type SearchMode } from './keyword-index.js';
import { MultiMap, nfc } from './multi-map.js';
import type { MutableEntry } from './share-entry.js';

/** Name, path, SHA-1 and keyword lookups over the library's entries. */
export class ShareLookups {
  #byName: MultiMap<string, MutableEntry> | undefined;
  #byRel: Map<string, MutableEntry> | undefined;
  #bySha1: MultiMap<string, MutableEntry> | undefined;
  #index = new KeywordIndex();

  /** `linked()`: every entry linked now (what a map is built from on its first lookup). */
  constructor(private readonly linked: () => Iterable<MutableEntry>) {}

  /** Makes an entry findable by name, path, SHA-1 (if hashed) and keywords. */
  link(e: MutableEntry): void {
    this.#byName?.add(nfc(e.name), e);
    this.#byRel?.set(nfc(e.relPath), e);
    if (e.sha1) this.#bySha1?.add(e.sha1, e);
    this.#index.add(e.index, e.name, e.size);
  }

  /** Undoes link. */
  unlink(e: MutableEntry): void {
    this.#byName?.delete(nfc(e.name), e);
    if (this.#byRel) {
      const rel = nfc(e.relPath);
      if (this.#byRel.get(rel) === e) this.#byRel.delete(rel);
    }
    if (e.sha1) this.#bySha1?.delete(e.sha1, e);
    this.#index.remove(e.index);
  }

  /** A linked entry has just been hashed: findable by its SHA-1 from now on. */
  hashed(e: MutableEntry): void {
    if (e.sha1) this.#bySha1?.add(e.sha1, e);
  }

  /** Entry indices matching a query, in the order they were linked; at most `limit`. */
  search(query: string, mode: SearchMode, limit: number, filters?: IndexFilters): number[] {
    return this.#index.search(query, mode, limit, filters);
  }

  /** By exact file name (NFC); the lowest-indexed when several share it. */
  byName(name: string): MutableEntry | undefined {
    if (!this.#byName) {
      this.#byName = new MultiMap();
      for (const e of this.linked()) this.#byName.add(nfc(e.name), e);
    }
    return this.#byName.best(nfc(name), lower);
  }

  /** By path under its root (`/` separators, NFC). */
  byRel(rel: string): MutableEntry | undefined {
    if (!this.#byRel) {
      this.#byRel = new Map();
      for (const e of this.linked()) this.#byRel.set(nfc(e.relPath), e);
    }
    return this.#byRel.get(nfc(rel));
  }

  /** By SHA-1, lower-case hex; only hashed entries; the lowest-indexed when several have it. */
  bySha1(hex: string): MutableEntry | undefined {
    if (!this.#bySha1) {
      this.#bySha1 = new MultiMap();
      for (const e of this.linked()) if (e.sha1) this.#bySha1.add(e.sha1, e);
    }
    return this.#bySha1.best(hex, lower);
  }
}

/** Lower index first: the file found first. */
function lower(a: MutableEntry, b: MutableEntry): boolean {
  return a.index < b.index;
}
