/**
 * The ways a remote finds one of the library's files (issue 4, "Share
 * library"): by exact name, by path under its root, by SHA-1, and by keywords
 * or substring through the keyword index. The library links an entry when a
 * scan finds it and unlinks it when the file changes or goes; an entry
 * nobody replaced keeps its place in all of them across rescans.
 */
import { KeywordIndex, type IndexFilters, type SearchMode } from './keyword-index.js';
import { MultiMap, nfc } from './multi-map.js';
import type { MutableEntry } from './share-entry.js';

/** Name, path, SHA-1 and keyword lookups over the library's entries. */
export class ShareLookups {
  #byName = new MultiMap<string, MutableEntry>();
  #byRel = new Map<string, MutableEntry>();
  #bySha1 = new MultiMap<string, MutableEntry>();
  #index = new KeywordIndex();

  /**
   * Makes an entry findable by name, path, SHA-1 (if hashed) and keywords.
   * `ascii`: the caller knows name and path are ASCII (their own NFC form),
   * so no per-name check is needed (issue 9: a first scan links 100,000).
   */
  link(e: MutableEntry, ascii = false): void {
    this.#byName.add(ascii ? e.name : nfc(e.name), e);
    this.#byRel.set(ascii ? e.relPath : nfc(e.relPath), e);
    if (e.sha1) this.#bySha1.add(e.sha1, e);
    this.#index.add(e.index, e.name, e.size);
  }

  /** Undoes link. */
  unlink(e: MutableEntry): void {
    this.#byName.delete(nfc(e.name), e);
    const rel = nfc(e.relPath);
    if (this.#byRel.get(rel) === e) this.#byRel.delete(rel);
    if (e.sha1) this.#bySha1.delete(e.sha1, e);
    this.#index.remove(e.index);
  }

  /** A linked entry has just been hashed: findable by its SHA-1 from now on. */
  hashed(e: MutableEntry): void {
    if (e.sha1) this.#bySha1.add(e.sha1, e);
  }

  /** Entry indices matching a query, in the order they were linked; at most `limit`. */
  search(query: string, mode: SearchMode, limit: number, filters?: IndexFilters): number[] {
    return this.#index.search(query, mode, limit, filters);
  }

  /** By exact file name (NFC); the first linked when several share it. */
  byName(name: string): MutableEntry | undefined {
    return this.#byName.first(nfc(name));
  }

  /** By path under its root (`/` separators, NFC). */
  byRel(rel: string): MutableEntry | undefined {
    return this.#byRel.get(nfc(rel));
  }

  /** By SHA-1, lower-case hex; only hashed entries. */
  bySha1(hex: string): MutableEntry | undefined {
    return this.#bySha1.first(hex);
  }
}
