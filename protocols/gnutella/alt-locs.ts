/**
 * What we know of where files are (spec 5.2, gtk-gnutella's download mesh):
 * per SHA-1, locations (`ip:port`) that have the file, newest first, and
 * locations found bad (they refused, had no such file, or broke the answer).
 * Fed by sources that served us the file, our own search hits naming a SHA-1,
 * and the `X-Alt` of others' requests and answers; read for the `X-Alt` and
 * `X-Nalt` we send. Every part is capped: remote peers fill it.
 */
import { LRUCache } from 'lru-cache';

/** SHA-1s remembered; the least recently used one is forgotten past this. */
export const MAX_MESH_FILES = 10_000;
/** Good locations kept per SHA-1; the oldest heard is dropped past this. */
export const MAX_GOOD_PER_FILE = 24;
/** Bad locations kept per SHA-1; the oldest found bad is dropped past this. */
export const MAX_BAD_PER_FILE = 16;

interface Mesh {
  /** Insertion order is age: the last key is the newest. */
  good: Set<string>;
  bad: Set<string>;
}

/** Sizes of the mesh (tests and `/gstatus`). */
export interface MeshLimits {
  files: number;
  goodPerFile: number;
  badPerFile: number;
}

export class AltLocs {
  readonly #meshes: LRUCache<string, Mesh>;
  readonly #limits: MeshLimits;

  constructor(limits: Partial<MeshLimits> = {}) {
    this.#limits = { files: MAX_MESH_FILES, goodPerFile: MAX_GOOD_PER_FILE, badPerFile: MAX_BAD_PER_FILE, ...limits };
    this.#meshes = new LRUCache({ max: this.#limits.files });
  }

  /** SHA-1s known now. */
  get files(): number {
    return this.#meshes.size;
  }

  /**
   * Someone says `loc` has `sha1` (a hit, an X-Alt): it becomes the newest good
   * location, unless it was found bad (hearsay does not clear that). True when
   * it was not known as good before.
   */
  heard(sha1: string, loc: string): boolean {
    const m = this.#mesh(sha1, true)!;
    if (m.bad.has(loc)) return false;
    return this.#addGood(m, loc);
  }

  /** `loc` served us `sha1`: good and newest, whatever was said of it before. */
  served(sha1: string, loc: string): void {
    const m = this.#mesh(sha1, true)!;
    m.bad.delete(loc);
    this.#addGood(m, loc);
  }

  /** `loc` failed us for `sha1`: it is no longer sent as good, and is sent as bad. */
  failed(sha1: string, loc: string): void {
    const m = this.#mesh(sha1, true)!;
    m.good.delete(loc);
    m.bad.delete(loc);
    m.bad.add(loc);
    if (m.bad.size > this.#limits.badPerFile) m.bad.delete(m.bad.values().next().value!);
  }

  /** A peer says `loc` is bad (X-Nalt): it is no longer sent as good (nor marked bad on hearsay). */
  dropped(sha1: string, loc: string): void {
    this.#mesh(sha1, false)?.good.delete(loc);
  }

  /** Whether `loc` was found bad for `sha1`. */
  isBad(sha1: string, loc: string): boolean {
    return this.#mesh(sha1, false)?.bad.has(loc) ?? false;
  }

  /** Up to `max` good locations of `sha1` that `keep` accepts, newest first. */
  good(sha1: string, max: number, keep: (loc: string) => boolean = () => true): string[] {
    return newest(this.#mesh(sha1, false)?.good, max, keep);
  }

  /** Up to `max` bad locations of `sha1` that `keep` accepts, newest first. */
  bad(sha1: string, max: number, keep: (loc: string) => boolean = () => true): string[] {
    return newest(this.#mesh(sha1, false)?.bad, max, keep);
  }

  #mesh(sha1: string, create: boolean): Mesh | undefined {
    const key = sha1.toLowerCase();
    let m = this.#meshes.get(key);
    if (!m && create) this.#meshes.set(key, (m = { good: new Set(), bad: new Set() }));
    return m;
  }

  #addGood(m: Mesh, loc: string): boolean {
    const known = m.good.delete(loc);
    m.good.add(loc);
    if (m.good.size > this.#limits.goodPerFile) m.good.delete(m.good.values().next().value!);
    return !known;
  }
}

function newest(set: Set<string> | undefined, max: number, keep: (loc: string) => boolean): string[] {
  if (!set) return [];
  const all = [...set];
  const out: string[] = [];
  for (let i = all.length - 1; i >= 0 && out.length < max; i--) if (keep(all[i]!)) out.push(all[i]!);
  return out;
}
