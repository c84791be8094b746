import type { Decoder } from '../../src/codec/decoder.js';
import { NetError } from '../../src/errors.js';

/** Bytes of a broken stream kept to tell what it was (a `GNUTELLA CONNECT/` or an HTTP request). */
const HEAD_BYTES = 32;

/**
 * The stream broke its framing: on an open link a length of 64 KiB or more, or past its
 * type's limit (Bye 400, then close); in the handshake a header block over 16 KiB (413).
 */
export interface GarbledStream {
  kind: 'garbled';
  error: NetError;
  /** The first bytes held when it broke (latin-1), to tell a Gnutella connect from HTTP. */
  head: string;
}

/**
 * Wraps the descriptor decoder of an open link (or the handshake's header-block
 * decoder) so that a framing error becomes one `garbled` message instead of a
 * throw: the link can then say `Bye 400` before it closes, as spec 6 asks
 * ("length >= 64 KiB, or larger than the per-type kick size -> Bye 400 and
 * close; the stream cannot be resynced"), or answer a handshake too large
 * for us with 413 (spec 1.4, 1.5).
 * After it, every byte is dropped: nothing past a broken frame is read.
 * Errors other than NetError (bugs) still throw.
 */
export class FramingGuard<M> implements Decoder<M | GarbledStream> {
  readonly #inner: Decoder<M>;
  #broken = false;

  constructor(inner: Decoder<M>) {
    this.#inner = inner;
  }

  push(chunk: Buffer): void {
    if (!this.#broken) this.#inner.push(chunk);
  }

  next(): M | GarbledStream | undefined {
    if (this.#broken) return undefined;
    try {
      return this.#inner.next();
    } catch (err) {
      if (!(err instanceof NetError)) throw err;
      this.#broken = true;
      const rest = this.#inner.takeRest();
      const head = Buffer.concat(rest.slice(0, HEAD_BYTES)).subarray(0, HEAD_BYTES).toString('latin1');
      return { kind: 'garbled', error: err, head };
    }
  }

  takeRest(): Buffer[] {
    return this.#broken ? [] : this.#inner.takeRest();
  }

  get buffered(): number {
    return this.#broken ? 0 : this.#inner.buffered;
  }
}
