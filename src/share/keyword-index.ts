import { foldForMatch, tokenize } from './tokenize.js';

/** How a query matches names: every word as a whole token, or one substring of the folded name. */
export type SearchMode = 'words' | 'substring';

/**
 * An in-memory inverted index from name tokens to entry ids, so a words query
 * costs the size of its rarest token's posting list, never a scan of the disk
 * (ARCHITECTURE: "answer from the in-memory index"). Substring queries scan the
 * folded names, which are kept alongside.
 */
export class KeywordIndex {
  #postings = new Map<string, Set<number>>();
  #folded = new Map<number, string>();

  get size(): number {
    return this.#folded.size;
  }

  add(id: number, name: string): void {
    this.remove(id);
    this.#folded.set(id, foldForMatch(name));
    for (const t of new Set(tokenize(name))) {
      let set = this.#postings.get(t);
      if (!set) this.#postings.set(t, (set = new Set()));
      set.add(id);
    }
  }

  remove(id: number): void {
    const folded = this.#folded.get(id);
    if (folded === undefined) return;
    this.#folded.delete(id);
    for (const t of new Set(tokenize(folded))) {
      const set = this.#postings.get(t);
      set?.delete(id);
      if (set?.size === 0) this.#postings.delete(t);
    }
  }

  /** Ids matching the query, in ascending id order, at most `limit` of them. */
  search(query: string, mode: SearchMode, limit: number): number[] {
    return mode === 'words' ? this.#words(query, limit) : this.#substring(query, limit);
  }

  #words(query: string, limit: number): number[] {
    const tokens = [...new Set(tokenize(query))];
    if (tokens.length === 0) return [];
    const sets: Set<number>[] = [];
    for (const t of tokens) {
      const s = this.#postings.get(t);
      if (!s) return [];
      sets.push(s);
    }
    sets.sort((a, b) => a.size - b.size);
    const [rarest, ...rest] = sets;
    const out: number[] = [];
    for (const id of [...rarest!].sort((a, b) => a - b)) {
      if (rest.every((s) => s.has(id))) {
        out.push(id);
        if (out.length >= limit) break;
      }
    }
    return out;
  }

  #substring(query: string, limit: number): number[] {
    const q = foldForMatch(query).trim();
    if (q === '') return [];
    const out: number[] = [];
    for (const [id, name] of this.#folded) {
      if (name.includes(q)) {
        out.push(id);
        if (out.length >= limit) break;
      }
    }
    return out.sort((a, b) => a - b);
  }
}
