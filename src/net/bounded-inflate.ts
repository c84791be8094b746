/**
 * The inflating half of a compressed link (gnutella.md "Compression"): zlib
 * inflate with a sync-flush finish, whose output is bounded by a ratio to the
 * compressed input, so a deflate bomb fails with INFLATE_LIMIT instead of
 * filling memory. Connection feeds it socket bytes and gets decoded-ready
 * bytes back.
 */
import { constants as zc, createInflate, type Inflate } from 'node:zlib';
import { NetError } from '../errors.js';
import { DEFAULT_INFLATE_LIMITS, type DeflateTuning, type InflateLimits } from './connection-types.js';

/** Where inflated bytes, the end of the stream and failures go. */
export interface InflateSink {
  data(chunk: Buffer): void;
  end(): void;
  fail(err: NetError): void;
}

export class BoundedInflate {
  readonly #z: Inflate;
  readonly #limits: InflateLimits;
  #compressed = 0;
  #inflated = 0;

  constructor(sink: InflateSink, limits: Partial<InflateLimits> = {}, tuning: Pick<DeflateTuning, 'chunkSize'> = {}) {
    this.#limits = { ...DEFAULT_INFLATE_LIMITS, ...limits };
    const z = createInflate({ finishFlush: zc.Z_SYNC_FLUSH, ...tuning });
    z.on('data', (c: Buffer) => {
      this.#inflated += c.length;
      const { maxRatio, slackBytes } = this.#limits;
      if (this.#inflated > this.#compressed * maxRatio + slackBytes) {
        sink.fail(NetError.inflateLimit(this.#compressed, this.#inflated, maxRatio));
        return;
      }
      sink.data(c);
    });
    z.on('end', () => sink.end());
    z.on('error', (e) => sink.fail(NetError.badMessage(`bad deflate stream: ${e.message}`)));
    this.#z = z;
  }

  /** Compressed bytes from the peer. */
  write(chunk: Buffer): void {
    this.#compressed += chunk.length;
    this.#z.write(chunk);
  }

  /** The peer sent FIN: what is buffered still comes out, then `end`. */
  end(): void {
    this.#z.end();
  }

  pause(): void {
    this.#z.pause();
  }

  resume(): void {
    this.#z.resume();
  }

  destroy(): void {
    this.#z.destroy();
  }

  /** Inflated bytes not yet handed on. */
  get buffered(): number {
    return this.#z.readableLength;
  }

  /** Input is still held that may become messages. */
  get busy(): boolean {
    return !this.#z.readableEnded;
  }
}
