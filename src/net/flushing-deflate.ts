/**
 * The deflating half of a compressed link (gnutella.md "Compression"): what a
 * tick sends is deflated and pushed out with one sync flush after it, so the
 * peer can decode every message without waiting for more, at the cost of one
 * flush per burst rather than per message.
 */
import { constants as zc, createDeflate, type Deflate } from 'node:zlib';
import { NetError } from '../errors.js';
import type { DeflateTuning } from './connection-types.js';

/** Where deflated bytes go, when there is room again, and what failed. */
export interface DeflateSink {
  out(chunk: Buffer): void;
  drain(): void;
  fail(err: NetError): void;
  /** False once the link is closed: no flush is due then. */
  active(): boolean;
}

export class FlushingDeflate {
  readonly #z: Deflate;
  readonly #sink: DeflateSink;
  #flushScheduled = false;

  constructor(sink: DeflateSink, tuning: DeflateTuning = {}) {
    this.#sink = sink;
    const z = createDeflate({ level: 6, ...tuning });
    z.on('data', (c: Buffer) => sink.out(c));
    z.on('drain', () => sink.drain());
    z.on('error', (e) => sink.fail(NetError.protocol(`deflate: ${e.message}`)));
    this.#z = z;
  }

  write(data: Buffer | string): void {
    this.#z.write(data);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      if (this.#sink.active()) this.#z.flush(zc.Z_SYNC_FLUSH);
    });
  }

  /** Bytes written and not yet handed to the sink. */
  get queued(): number {
    return this.#z.writableLength + this.#z.readableLength;
  }

  /**
   * Ends the stream; `done` runs once every deflated byte has gone to the sink
   * ('end', not end()'s callback, which only means the input was accepted: else
   * the last bytes, a Gnutella Bye, would miss the socket).
   */
  end(done: () => void): void {
    this.#z.once('end', done);
    this.#z.end();
  }
}
