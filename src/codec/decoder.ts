import { ByteQueue } from './byte-queue.js';

/**
 * An incremental, pull-based parser. The connection pushes every received chunk
 * and then pulls messages one at a time, so a handler can swap in another
 * decoder right after the message that ends one phase of a protocol (a header
 * block, a handshake) and `takeRest()` hands the already-read bytes over.
 * Implementations are pure: no I/O, no timers. They throw NetError on bad input
 * and check every length against a limit before buffering past it.
 */
export interface Decoder<M> {
  push(chunk: Buffer): void;
  /** The next complete message, or undefined until more bytes arrive. */
  next(): M | undefined;
  /** Removes and returns the bytes not yet decoded (for a protocol switch). */
  takeRest(): Buffer[];
  /**
   * The peer ended the stream: a format whose last message may lack its
   * terminator (a line protocol answering and closing) returns it here.
   */
  end?(): M | undefined;
  /** Bytes held but not yet decoded. */
  readonly buffered: number;
}

/** Base for decoders over a ByteQueue. */
export abstract class QueueDecoder<M> implements Decoder<M> {
  protected readonly queue = new ByteQueue();

  push(chunk: Buffer): void {
    this.queue.push(chunk);
  }

  abstract next(): M | undefined;

  takeRest(): Buffer[] {
    return this.queue.drain();
  }

  get buffered(): number {
    return this.queue.length;
  }
}

/** Pushes one chunk and pulls every complete message (the `push(chunk): M[]` form). */
export function decodeAll<M>(decoder: Decoder<M>, chunk: Buffer): M[] {
  decoder.push(chunk);
  const out: M[] = [];
  for (let m = decoder.next(); m !== undefined; m = decoder.next()) out.push(m);
  return out;
}

/** Hands a finished decoder's leftover bytes to its successor. */
export function handOver<A, B>(from: Decoder<A>, to: Decoder<B>): Decoder<B> {
  for (const c of from.takeRest()) to.push(c);
  return to;
}
