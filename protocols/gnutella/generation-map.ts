/** Options of a GenerationMap. */
export interface GenerationMapOptions {
  /** Entries per generation; the old generation is dropped when the young one fills. */
  maxPerGeneration: number;
  /** A generation also ages out after this long. */
  generationMs: number;
  now: () => number;
}

/**
 * A bounded map that remembers entries for one to two generations, as LimeWire
 * keeps GUIDs (spec 2.15): two Maps, the young one is written, both are read,
 * and when the young one is full or old the old one is dropped. Total size is
 * at most 2 x maxPerGeneration whatever a peer sends; no per-entry timers.
 */
export class GenerationMap<K, V> {
  #young = new Map<K, V>();
  #old = new Map<K, V>();
  #since: number;

  constructor(private readonly opts: GenerationMapOptions) {
    this.#since = opts.now();
  }

  get(key: K): V | undefined {
    return this.#young.get(key) ?? this.#old.get(key);
  }

  set(key: K, value: V): void {
    this.#maybeRotate();
    this.#young.set(key, value);
  }

  get size(): number {
    return this.#young.size + this.#old.size;
  }

  #maybeRotate(): void {
    if (this.#young.size < this.opts.maxPerGeneration && this.opts.now() - this.#since < this.opts.generationMs) return;
    this.#old = this.#young;
    this.#young = new Map();
    this.#since = this.opts.now();
  }
}
