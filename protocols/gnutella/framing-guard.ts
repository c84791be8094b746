import type { Decoder } from '../../src/codec/decoder.js';
import { NetError } from '../../src/errors.js';
import type { Descriptor } from './descriptor.js';

/** The stream broke its framing (a length of 64 KiB or more, or past its type's limit): Bye 400, then close. */
export interface GarbledStream {
  kind: 'garbled';
  error: NetError;
}

/**
 * Wraps the descriptor decoder of an open link so that a framing error becomes
 * one `garbled` message instead of a throw: the link can then say `Bye 400`
 * before it closes, as spec 6 asks ("length >= 64 KiB, or larger than the
 * per-type kick size -> Bye 400 and close; the stream cannot be resynced").
 * After it, every byte is dropped: nothing past a broken frame is read.
 * Errors other than NetError (bugs) still throw.
 */
export class FramingGuard implements Decoder<Descriptor | GarbledStream> {
  readonly #inner: Decoder<Descriptor>;
  #broken = false;

  constructor(inner: Decoder<Descriptor>) {
    this.#inner = inner;
  }

  push(chunk: Buffer): void {
    if (!this.#broken) this.#inner.push(chunk);
  }

  next(): Descriptor | GarbledStream | undefined {
    if (this.#broken) return undefined;
    try {
      return this.#inner.next();
    } catch (err) {
      if (!(err instanceof NetError)) throw err;
      this.#broken = true;
      this.#inner.takeRest();
      return { kind: 'garbled', error: err };
    }
  }

  takeRest(): Buffer[] {
    return this.#broken ? [] : this.#inner.takeRest();
  }

  get buffered(): number {
    return this.#broken ? 0 : this.#inner.buffered;
  }
}
