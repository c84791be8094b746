/**
 * Key -> several values, first-added first. The library's name and SHA-1
 * lookups use it: two shared files may have the same name or content, and
 * removing one must leave the other findable. A key with one value (nearly
 * every key) holds it directly: no Set per file (issue 9: a warm start
 * indexes 100,000 files).
 */
export class MultiMap<K, V> {
  #map = new Map<K, V | Many<V>>();

  add(key: K, value: V): void {
    const cur = this.#map.get(key);
    if (cur === undefined) this.#map.set(key, value);
    else if (cur instanceof Many) cur.set.add(value);
    else if (cur !== value) this.#map.set(key, new Many(cur, value));
  }

  delete(key: K, value: V): void {
    const cur = this.#map.get(key);
    if (cur === undefined) return;
    if (!(cur instanceof Many)) {
      if (cur === value) this.#map.delete(key);
      return;
    }
    cur.set.delete(value);
    if (cur.set.size === 1) this.#map.set(key, cur.set.values().next().value as V);
  }

  /** Of the values under `key`, the one that `before` puts ahead of every other. */
  best(key: K, before: (a: V, b: V) => boolean): V | undefined {
    const cur = this.#map.get(key);
    if (!(cur instanceof Many)) return cur;
    let best: V | undefined;
    for (const v of cur.set) if (best === undefined || before(v, best)) best = v;
    return best;
  }

  clear(): void {
    this.#map.clear();
  }
}

/** Two or more values under one key, in the order they were added. */
class Many<V> {
  readonly set: Set<V>;
  constructor(a: V, b: V) {
    this.set = new Set([a, b]);
  }
}

/** NFC, skipping the (costly) ICU call for pure ASCII, which every name is in most shares. */
export function nfc(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s) ? s : s.normalize('NFC');
}
