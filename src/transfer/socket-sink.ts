import type { Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import type { OnReadOpts, Socket } from 'node:net';
import { NetError, toNetError } from '../errors.js';
import { partWriter, type SharedRing } from './part-writer.js';
import { formatSizeExact } from '../words.js';

/**
 * One buffer of the ring: the kernel reads straight into it; once full, the
 * part writer's thread appends it to the part in 32 KiB writes. Measured
 * (loopback, 512 MiB from nginx into a bare receiver, 2 shared cores, beside
 * curl's 830-990 MB/s): 1 MiB x 4 with the writer thread 1000-1400 MB/s,
 * 128 KiB x 16 ~1000; with thread-pool writes of whole buffers 4 MiB x 3
 * 270-1470, 1 MiB x 4 370-760, 128 KiB x 16 700-1000 (see part-writer-messages.ts).
 */
export const SINK_BUFFER_BYTES = 1 << 20;
/** Buffers per download: one filling while the others are written; all full pauses the socket. */
export const SINK_BUFFERS = 4;
/**
 * Where a read lands when the ring has no free place (before the file phase,
 * and the first read after a pause): copied from here, so at most this much
 * is copied per pause.
 */
const SPARE_BYTES = 64 << 10;
/** Rings kept for the next download: two downloads at once reuse theirs. */
const POOL_MAX = 2;
const pool: SharedRing[] = [];

/** Where the file phase of a SocketSink goes, and what it must enforce. */
export interface SinkTarget {
  /** The part file, appended to (it holds `bytes` already). */
  partPath: string;
  /** Bytes already in the part (a resume). */
  bytes: number;
  /** Bytes at the head of the stream to drop (the peer started before `bytes`). */
  skip: number;
  /** The part never grows past this: the announced size, or the cap when none was. */
  cap: number;
  /** Running SHA-1 of the part, when one was announced. */
  hash: Hash | undefined;
  /** Aborted by cancel or stall: the socket is destroyed, what arrived is written, the reason is the rejection. */
  signal: AbortSignal;
  /** The part's length, after every read (cheap: no timer, no event). */
  onBytes(bytes: number): void;
}

/**
 * The socket-to-part-file sink of a download (issue 13, "Speed"): the socket
 * is created with `onread` (by ConnectionGroup.dial, the only place sockets
 * are opened) so the kernel reads land directly in a ring of a few reused
 * buffers shared with the part writer's thread; a full buffer is appended to
 * the part there while the next fills; when none is free the socket is paused
 * (backpressure: memory stays at the ring's size whatever the disk does) and
 * resumed when a write completes. No allocation or copy per read, no
 * thread-pool round trip per write, and the event loop never waits on the disk.
 *
 * Before the file phase (the protocol's header exchange) it behaves like a
 * plain socket: each read is copied and pushed to its readable side, so a
 * Connection and its decoder work on it unchanged. `writeTo` takes what the
 * readable side still holds (bytes read past the header), then moves every
 * later byte straight to the part.
 */
export class SocketSink {
  #socket: Socket | undefined;
  #mode: 'stream' | 'file' | 'done' = 'stream';
  readonly #bufferBytes: number;
  readonly #buffers: number;
  readonly #spare: Buffer;
  /** Shared with the part writer's thread; #free, #cur and the queue are views of it. */
  #ring: SharedRing | undefined;
  readonly #free: Buffer[] = [];
  #cur: Buffer | undefined;
  #fill = 0;
  /** #cur[0..#flushed) is already queued for the disk (by flush()). */
  #flushed = 0;
  #target: SinkTarget | undefined;
  #bytes = 0;
  #skip = 0;
  /** Bytes waiting for the disk, in order; `ring` is the buffer to reuse once written. */
  readonly #queue: Array<{ data: Buffer; ring: Buffer | undefined }> = [];
  /** What the header phase read past the header (not in the ring). */
  readonly #headChunks: Buffer[] = [];
  #writing = false;
  #fh: FileHandle | undefined;
  #file: 'opening' | 'open' | 'failed' = 'opening';
  #ended = false;
  /** Why the file phase stopped before the peer's end of stream. */
  #failure: NetError | undefined;
  #settle: ((f: NetError | undefined) => void) | undefined;

  /** `bufferBytes` and `buffers` other than the defaults are for tests (every ring boundary with small files). */
  constructor(opts: { bufferBytes?: number; buffers?: number } = {}) {
    this.#bufferBytes = opts.bufferBytes ?? SINK_BUFFER_BYTES;
    this.#buffers = opts.buffers ?? SINK_BUFFERS;
    if (!(this.#bufferBytes >= 1 && this.#buffers >= 1)) throw new RangeError('SocketSink: at least one buffer of at least one byte');
    // A read into the spare must fit a fresh ring buffer.
    this.#spare = Buffer.allocUnsafe(Math.min(SPARE_BYTES, this.#bufferBytes));
  }

  /** The `onread` option the socket must be created with (ConnectionGroup.dial's `reader` passes it to net.connect). */
  readonly onread: OnReadOpts = {
    buffer: () => (this.#mode === 'file' && this.#cur ? this.#cur.subarray(this.#fill) : this.#spare),
    callback: (n: number, buf: Uint8Array) => this.#onRead(n, buf),
  };

  /** The socket created with `onread`, before its first read. */
  bind(socket: Socket): void {
    if (this.#socket) throw new Error('SocketSink.bind called twice');
    this.#socket = socket;
  }

  /**
   * Moves the rest of the stream into `target.partPath` until the peer ends
   * it. Resolves with the part's length; rejects with a NetError (SIZE: the
   * peer sent more than `cap`, and nothing past the last whole buffer was
   * written; FILE: our disk; the abort reason; SOCKET or CLOSED) once the
   * part is closed and holds, in order, the bytes that arrived before.
   */
  async writeTo(target: SinkTarget): Promise<number> {
    const socket = this.#socket;
    if (!socket || this.#mode !== 'stream') throw new Error('SocketSink.writeTo: no socket, or called twice');
    this.#target = target;
    this.#bytes = target.bytes;
    this.#skip = target.skip;
    const settled = new Promise<NetError | undefined>((resolve) => (this.#settle = resolve));
    const onAbort = (): void => this.#fail(toNetError(target.signal.reason));
    const onEnd = (): void => this.#end();
    // After the end of stream every byte is in: a close or an error then (we destroy the socket) changes nothing.
    const onClose = (): void => {
      if (!this.#ended) this.#fail(NetError.closed('the peer closed the connection before the end of the file'));
    };
    const onError = (err: Error): void => {
      if (!this.#ended) this.#fail(NetError.socket(err));
    };
    socket.once('end', onEnd);
    socket.once('close', onClose);
    socket.on('error', onError);
    target.signal.addEventListener('abort', onAbort, { once: true });
    this.#mode = 'file';
    const pooled = this.#bufferBytes === SINK_BUFFER_BYTES && this.#buffers === SINK_BUFFERS;
    const ring = (this.#ring = (pooled ? pool.pop() : undefined) ?? partWriter.ring(this.#bufferBytes * this.#buffers));
    for (let i = 0; i < this.#buffers; i++) this.#free.push(Buffer.from(ring.sab, i * this.#bufferBytes, this.#bufferBytes));
    this.#cur = this.#free.pop();
    try {
      // Bytes the header phase read past the header (and the kernel read since) come first.
      for (let chunk = socket.read() as Buffer | null; chunk !== null && !this.#failure; chunk = socket.read() as Buffer | null) {
        this.#head(chunk);
      }
      if (target.signal.aborted) onAbort();
      else if (socket.readableEnded) this.#end();
      else if (socket.destroyed) onClose();
      else socket.resume();
      try {
        this.#fh = await open(target.partPath, 'a');
        const head = Buffer.concat(this.#headChunks.splice(0));
        if (head.length > 0 && !this.#failure) {
          const { bytesWritten } = await this.#fh.write(head, 0, head.length, null);
          if (bytesWritten !== head.length) throw Object.assign(new Error('short write (disk full?)'), { code: 'ENOSPC' });
        }
        this.#file = 'open';
      } catch (e) {
        this.#file = 'failed';
        this.#fail(NetError.file(e, 'part file'));
      }
      this.#pump();
      const failure = await settled;
      if (failure) throw failure;
      return this.#bytes;
    } finally {
      socket.off('end', onEnd);
      socket.off('close', onClose);
      socket.off('error', onError);
      target.signal.removeEventListener('abort', onAbort);
      await this.#fh?.close().catch(() => undefined);
      this.#release();
    }
  }

  #onRead(n: number, buf: Uint8Array): boolean {
    if (this.#mode === 'stream') return this.#socket!.push(Buffer.from(buf.subarray(0, n)));
    if (this.#mode !== 'file' || this.#ended || this.#failure) return false;
    if (buf === this.#spare) this.#copyIn(this.#spare.subarray(0, n));
    else this.#landed(n);
    // No free buffer: stop reading until a write completes (the next read lands in the spare).
    return this.#cur !== undefined && !this.#failure;
  }

  /** `n` bytes the kernel put at #cur[#fill..]. */
  #landed(n: number): void {
    const cur = this.#cur!;
    let len = n;
    if (this.#skip > 0) {
      const drop = Math.min(this.#skip, len);
      this.#skip -= drop;
      len -= drop;
      if (len > 0) cur.copyWithin(this.#fill, this.#fill + drop, this.#fill + drop + len);
    }
    if (!this.#account(cur, this.#fill, len)) return;
    this.#fill += len;
    if (this.#fill === cur.length) this.#rotate();
  }

  /** Bytes from outside the ring (the spare): copied to its current place. */
  #copyIn(src: Buffer): void {
    let p = Math.min(this.#skip, src.length);
    this.#skip -= p;
    while (p < src.length && !this.#failure) {
      const cur = this.#cur;
      if (!cur) return this.#fail(new Error('SocketSink: a read with no free buffer'), false);
      const k = Math.min(cur.length - this.#fill, src.length - p);
      src.copy(cur, this.#fill, p, p + k);
      if (!this.#account(cur, this.#fill, k)) return;
      this.#fill += k;
      p += k;
      if (this.#fill === cur.length) this.#rotate();
    }
  }

  /** Bytes read before the file phase: written first, as they are, when the part is open. */
  #head(chunk: Buffer): void {
    const drop = Math.min(this.#skip, chunk.length);
    this.#skip -= drop;
    const rest = chunk.subarray(drop);
    if (rest.length > 0 && this.#account(rest, 0, rest.length)) this.#headChunks.push(rest);
  }

  /** Counts `len` new bytes at buf[at..]; false (and failed) when they pass the cap. */
  #account(buf: Buffer, at: number, len: number): boolean {
    const t = this.#target!;
    if (this.#bytes + len > t.cap) {
      this.#fail(NetError.size(`the peer sent more than ${formatSizeExact(t.cap)}`), true);
      return false;
    }
    this.#bytes += len;
    t.hash?.update(buf.subarray(at, at + len));
    t.onBytes(this.#bytes);
    return true;
  }

  /** The current buffer is full: queue it for the disk and take a free one (none: reading pauses). */
  #rotate(): void {
    this.#queue.push({ data: this.#cur!.subarray(this.#flushed, this.#fill), ring: this.#cur });
    this.#cur = this.#free.pop();
    this.#fill = this.#flushed = 0;
    this.#pump();
  }

  /**
   * Writes what arrived into the current buffer since the last write, without
   * waiting for it to fill (the buffer keeps filling after it): a slow peer's
   * bytes reach the part within one call of this (the download's tick, at
   * most a second), as they did before the ring.
   */
  flush(): void {
    const cur = this.#cur;
    if (this.#mode !== 'file' || this.#failure || !cur || this.#fill === this.#flushed) return;
    this.#queue.push({ data: cur.subarray(this.#flushed, this.#fill), ring: undefined });
    this.#flushed = this.#fill;
    this.#pump();
  }

  /** One batch at a time to the writer thread (everything queued), appended in order. */
  #pump(): void {
    const fh = this.#fh;
    if (this.#file === 'failed') this.#drop();
    // Not before the part is open and the header phase's bytes are in it.
    if (this.#writing || !fh || this.#file !== 'open' || this.#queue.length === 0) return this.#maybeSettle();
    const batch = this.#queue.splice(0);
    const ranges: number[] = [];
    for (const q of batch) ranges.push(q.data.byteOffset, q.data.length);
    this.#writing = true;
    partWriter.write(this.#ring!, fh.fd, ranges).then(
      () => {
        this.#writing = false;
        for (const q of batch) if (q.ring) this.#recycle(q.ring);
        this.#pump();
      },
      (e: unknown) => {
        this.#writing = false;
        for (const q of batch) if (q.ring) this.#free.push(q.ring);
        this.#file = 'failed';
        this.#fail(NetError.file(e, 'part file'));
      },
    );
  }

  /** Forgets what waits for the disk (it can never be written, or must not be). */
  #drop(): void {
    for (const q of this.#queue.splice(0)) if (q.ring) this.#free.push(q.ring);
  }

  /** A ring buffer is written: fill it next if reading waits for one. */
  #recycle(ring: Buffer): void {
    if (this.#mode !== 'file' || this.#failure || this.#ended || this.#cur) return void this.#free.push(ring);
    this.#cur = ring;
    this.#fill = 0;
    this.#socket!.resume();
  }

  /** The peer's end of stream: what is in the ring goes to disk, then the part is complete. */
  #end(): void {
    if (this.#ended || this.#failure) return;
    this.#ended = true;
    this.#queueRest(true);
    this.#pump();
  }

  /**
   * Stops the transfer: the socket is destroyed, and what is already in the
   * ring is still written (a prefix of the file, for a resume) unless it can
   * never be right (`overflow`).
   */
  #fail(err: unknown, overflow = false): void {
    if (this.#failure) return;
    this.#failure = toNetError(err);
    this.#socket?.destroy();
    if (overflow) this.#drop();
    this.#queueRest(!overflow);
    this.#pump();
  }

  /** The current buffer leaves the ring: its unwritten bytes are queued (`keep`), or it is simply free again. */
  #queueRest(keep: boolean): void {
    const cur = this.#cur;
    if (!cur) return;
    if (keep && this.#fill > this.#flushed) this.#queue.push({ data: cur.subarray(this.#flushed, this.#fill), ring: cur });
    else this.#free.push(cur); // taken again only after every write has settled (#release)
    this.#cur = undefined;
    this.#fill = this.#flushed = 0;
  }

  #maybeSettle(): void {
    if (this.#writing || this.#queue.length > 0 || this.#file === 'opening') return;
    if (this.#failure) this.#settle?.(this.#failure);
    else if (this.#ended) this.#settle?.(undefined);
  }

  /** Ring buffers back to the pool once no write can still be reading them (all have settled). */
  #release(): void {
    this.#mode = 'done';
    if (this.#cur) this.#free.push(this.#cur);
    this.#cur = undefined;
    this.#free.length = 0;
    const ring = this.#ring;
    this.#ring = undefined;
    if (!ring) return;
    if (ring.sab.byteLength === SINK_BUFFER_BYTES * SINK_BUFFERS && pool.length < POOL_MAX) pool.push(ring);
    else partWriter.forget(ring);
  }
}
