/**
 * A queue of received chunks. Consuming bytes slices chunks instead of
 * concatenating the whole buffer on every read, so a message that arrives in
 * many small pieces costs O(total bytes), never O(n^2). Lookups start from the
 * chunk the last one ended in (a cursor), not from the front: a peer that sends
 * a 16 KiB line one byte per segment makes 16,384 chunks, and a decoder that
 * looks at the newest bytes after each one must not walk all of them each time.
 */
export class ByteQueue {
  #chunks: Buffer[] = [];
  #head = 0; // offset into #chunks[0]
  #length = 0;
  /** The chunk the last lookup ended in, and the queue position of its first unconsumed byte. */
  #cursor = 0;
  #cursorBase = 0;

  get length(): number {
    return this.#length;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  /** Byte at position i (0-based from the front), or -1 past the end. */
  byteAt(i: number): number {
    if (i < 0 || i >= this.#length) return -1;
    const k = this.#locate(i);
    return this.#chunks[k]![i - this.#cursorBase + (k === 0 ? this.#head : 0)]!;
  }

  /**
   * Index of the first `byte` at or after `from`, or -1. Scans chunk by chunk with
   * Buffer.indexOf, so a caller that remembers where it stopped never rescans.
   */
  indexOf(byte: number, from = 0): number {
    from = Math.max(0, from);
    if (from >= this.#length) return -1;
    let k = this.#locate(from);
    let base = this.#cursorBase;
    for (; k < this.#chunks.length; k++) {
      const c = this.#chunks[k]!;
      const start = k === 0 ? this.#head : 0;
      const at = c.indexOf(byte, start + Math.max(0, from - base));
      // Park the cursor where the scan stopped: the next scan starts there.
      this.#cursor = k;
      this.#cursorBase = base;
      if (at !== -1) return base + (at - start);
      base += c.length - start;
    }
    return -1;
  }

  /**
   * Moves the cursor to the chunk holding position `pos` (0 <= pos < length),
   * walking from where it is (forwards or backwards), and returns that chunk's index.
   */
  #locate(pos: number): number {
    let k = this.#cursor;
    let base = this.#cursorBase;
    const last = this.#chunks.length - 1;
    const lastLen = this.#chunks[last]!.length - (last === 0 ? this.#head : 0);
    if (pos >= this.#length - lastLen) {
      k = last;
      base = this.#length - lastLen;
    } else {
      while (pos < base) {
        k--;
        base -= this.#chunks[k]!.length - (k === 0 ? this.#head : 0);
      }
      for (let len = this.#chunks[k]!.length - (k === 0 ? this.#head : 0); pos >= base + len; len = this.#chunks[k]!.length) {
        base += len;
        k++;
      }
    }
    this.#cursor = k;
    this.#cursorBase = base;
    return k;
  }

  /** Index of the first occurrence of `seq` at or after `from`, or -1. */
  indexOfSeq(seq: Buffer, from = 0): number {
    if (seq.length === 0) return from <= this.#length ? from : -1;
    let i = this.indexOf(seq[0]!, from);
    while (i !== -1 && i + seq.length <= this.#length) {
      let match = true;
      for (let k = 1; k < seq.length; k++) {
        if (this.byteAt(i + k) !== seq[k]) {
          match = false;
          break;
        }
      }
      if (match) return i;
      i = this.indexOf(seq[0]!, i + 1);
    }
    return -1;
  }

  /** Copies the first n bytes without consuming them. */
  peek(n: number): Buffer {
    return this.#take(Math.min(n, this.#length), false);
  }

  /** Removes and returns the first n bytes (n is clamped to the length). */
  consume(n: number): Buffer {
    return this.#take(Math.min(n, this.#length), true);
  }

  /** Drops the first n bytes. */
  skip(n: number): void {
    this.#take(Math.min(n, this.#length), true, false);
  }

  /** Removes and returns everything still queued, as the original chunks. */
  drain(): Buffer[] {
    const out = this.#chunks.map((c, i) => (i === 0 && this.#head > 0 ? c.subarray(this.#head) : c));
    this.#chunks = [];
    this.#head = 0;
    this.#length = 0;
    this.#cursor = 0;
    this.#cursorBase = 0;
    return out;
  }

  #take(n: number, remove: boolean, copy = true): Buffer {
    if (n === 0) return Buffer.alloc(0);
    if (remove) {
      this.#cursor = 0;
      this.#cursorBase = 0;
    }
    const first = this.#chunks[0]!;
    // Fast path: the bytes lie inside the first chunk; hand out a view.
    if (first.length - this.#head >= n) {
      const out = copy ? first.subarray(this.#head, this.#head + n) : Buffer.alloc(0);
      if (remove) {
        this.#head += n;
        this.#length -= n;
        if (this.#head === first.length) {
          this.#chunks.shift();
          this.#head = 0;
        }
      }
      return out;
    }
    const out = copy ? Buffer.allocUnsafe(n) : Buffer.alloc(0);
    let written = 0;
    let idx = 0;
    let head = this.#head;
    while (written < n) {
      const c = this.#chunks[idx]!;
      const take = Math.min(c.length - head, n - written);
      if (copy) c.copy(out, written, head, head + take);
      written += take;
      head += take;
      if (head === c.length) {
        idx++;
        head = 0;
      }
    }
    if (remove) {
      this.#chunks.splice(0, idx);
      this.#head = head;
      this.#length -= n;
    }
    return out;
  }
}
