/** A set that forgets its oldest member past `max` (everything fed by remote input has a cap). */
export class BoundedSet<T> {
  readonly #items = new Set<T>();

  constructor(readonly max: number) {}

  add(v: T): void {
    this.#items.delete(v);
    this.#items.add(v);
    if (this.#items.size > this.max) {
      const oldest = this.#items.values().next().value;
      if (oldest !== undefined) this.#items.delete(oldest);
    }
  }

  delete(v: T): boolean {
    return this.#items.delete(v);
  }

  has(v: T): boolean {
    return this.#items.has(v);
  }

  get size(): number {
    return this.#items.size;
  }
}
