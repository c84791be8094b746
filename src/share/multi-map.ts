/**
 * Key -> several values, first-added first. The library's name and SHA-1
 * lookups use it: two shared files may have the same name or content, and
 * removing one must leave the other findable.
 */
export class MultiMap<K, V> {
  #map = new Map<K, Set<V>>();

  add(key: K, value: V): void {
    let set = this.#map.get(key);
    if (!set) this.#map.set(key, (set = new Set()));
    set.add(value);
  }

  delete(key: K, value: V): void {
    const set = this.#map.get(key);
    if (!set) return;
    set.delete(value);
    if (set.size === 0) this.#map.delete(key);
  }

  first(key: K): V | undefined {
    const set = this.#map.get(key);
    if (!set) return undefined;
    for (const v of set) return v;
    return undefined;
  }

  clear(): void {
    this.#map.clear();
  }
}

/** NFC, skipping the (costly) ICU call for pure ASCII, which every name is in most shares. */
export function nfc(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s) ? s : s.normalize('NFC');
}
