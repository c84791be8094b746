/**
 * A DataView over the last byte array asked for, so hot byte loops can read and write four
 * bytes at a time (issue 9: a relay's parse and print of every line). It is found by the
 * array itself: in Node 20 reading a Buffer's `buffer` or `byteOffset` costs 11-17 ns (a call
 * into V8), more than a short copy, so a view is made once an array (a received chunk, an
 * output batch), not once a line. Each user keeps its own, one per role; the last array stays
 * referenced until the next one.
 */
export class WordView {
  #array: Uint8Array | undefined;
  #view: DataView | undefined;

  /** A view of `a` (indexes as `a`'s). */
  of(a: Uint8Array): DataView {
    if (a !== this.#array || this.#view === undefined) {
      this.#array = a;
      this.#view = new DataView(a.buffer, a.byteOffset, a.length);
    }
    return this.#view;
  }
}
