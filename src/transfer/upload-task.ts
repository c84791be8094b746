import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Clock } from '../clock.js';
import { NetError, toNetError } from '../errors.js';
import type { UploadRequest } from './transfer-types.js';
import { plural } from '../words.js';

/**
 * Read size for uploads: big reads keep syscalls and per-chunk overhead small next
 * to the copy. On an idle 2-core machine 1 MiB reads reached 0.71-0.80 x nginx's
 * sendfile and 4 MiB reads 0.93-1.02 x (bench gnutella-upload, transfer-upload).
 * Each upload reads into two buffers taken from a small shared pool and reuses
 * them, instead of a fresh 4 MiB buffer per read for the garbage collector.
 */
export const UPLOAD_CHUNK_BYTES = 1 << 22;
/** How often a running upload checks for progress (and stalls). */
export const UPLOAD_TICK_MS = 250;

/** Everything one upload needs from the engine. */
export interface UploadContext {
  req: UploadRequest;
  clock: Clock;
  signal: AbortSignal;
  /** No progress for this long fails the upload (a peer that stops reading). */
  stallMs: number;
  onStart(total: number): void;
  onBytes(bytes: number): void;
}

/**
 * Streams a byte range of a file into a sink (issue 4,
 * "Uploads"): opened with O_NOFOLLOW so a symlink swapped in after the share
 * check is refused, checked to be a regular file, range clamped to its size.
 * A sink that stops taking bytes for `stallMs` is cut off. An upload that
 * stops before its end (cancel, stall, shutdown, a read error) resets a
 * socket sink (RST, not FIN): a peer that knows no size cannot mistake the
 * cut file for a whole one. Returns bytes sent.
 */
export async function runUpload(ctx: UploadContext): Promise<number> {
  const { req } = ctx;
  let fh;
  try {
    fh = await open(req.path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    throw NetError.notFound(`cannot open ${req.name}: ${toNetError(err).message}`);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw NetError.path(`${req.name} is not a regular file`);
    const start = req.start ?? 0;
    const end = Math.min(req.end ?? st.size - 1, st.size - 1);
    if (start < 0 || (start > end && !(start === 0 && st.size === 0))) {
      throw NetError.usage(`range ${start}-${req.end ?? ''} outside a ${st.size}-byte file`);
    }
    const total = Math.max(0, end - start + 1);
    ctx.onStart(total);
    if (total === 0) {
      if (req.endSink !== false) req.sink.end();
      return 0;
    }
    if (ctx.signal.aborted) {
      // Cancelled while the file was being opened: the peer is cut off as from a running upload.
      resetSink(req.sink);
      throw toNetError(ctx.signal.reason);
    }
    const ac = new AbortController();
    const onCancel = (): void => ac.abort(toNetError(ctx.signal.reason));
    ctx.signal.addEventListener('abort', onCancel, { once: true });
    let last = 0;
    let lastMoveAt = ctx.clock.now();
    const copy = new ChunkCopy(fh, req.sink, ac.signal);
    const tick = ctx.clock.setInterval(() => {
      const now = ctx.clock.now();
      if (copy.sent !== last) {
        last = copy.sent;
        lastMoveAt = now;
        ctx.onBytes(last);
      } else if (now - lastMoveAt >= ctx.stallMs) {
        ac.abort(NetError.timeout('upload stalled: peer stopped reading', ctx.stallMs));
      }
    }, UPLOAD_TICK_MS);
    try {
      await copy.run(start, total, req.endSink !== false);
    } catch (err) {
      // Stopped before the end: the peer must be able to tell a cut file from a whole one.
      resetSink(req.sink);
      if (ac.signal.aborted) throw toNetError(ac.signal.reason);
      throw copy.diskError !== undefined ? NetError.file(copy.diskError, req.name) : toNetError(err);
    } finally {
      tick.cancel();
      ctx.signal.removeEventListener('abort', onCancel);
      copy.release();
    }
    ctx.onBytes(copy.sent);
    return copy.sent;
  } finally {
    await fh.close();
  }
}

/**
 * Aborts a socket sink with a TCP reset (net.Socket.resetAndDestroy) so the
 * peer sees ECONNRESET instead of a clean end of file; other sinks are destroyed.
 */
export function resetSink(sink: Writable): void {
  const s = sink as Writable & { resetAndDestroy?: () => unknown };
  if (typeof s.resetAndDestroy === 'function' && !s.destroyed) s.resetAndDestroy();
  else sink.destroy();
}

/** Buffers kept for reuse between uploads: 8 uploads at once use 16; more are allocated and dropped. */
const POOL_MAX = 16;
const pool: Buffer[] = [];

function takeBuffer(): Buffer {
  return pool.pop() ?? Buffer.allocUnsafe(UPLOAD_CHUNK_BYTES);
}

/**
 * Copies a byte range from a file to a sink with two reused buffers: one being
 * read from disk while the other is written, and a buffer is read into again
 * only after the sink's write callback says it is done with it. Progress
 * (`sent`) counts bytes the sink has taken, so a peer that stops reading
 * stops it; a file that shrinks under the upload is a disk error.
 */
class ChunkCopy {
  sent = 0;
  diskError: unknown;
  readonly #bufs: Buffer[] = [takeBuffer(), takeBuffer()];
  readonly #pending: (Promise<void> | null)[] = [null, null];

  constructor(
    private readonly fh: FileHandle,
    private readonly sink: Writable,
    private readonly signal: AbortSignal,
  ) {}

  async run(start: number, total: number, end: boolean): Promise<void> {
    const aborted = new Promise<never>((_, reject) => {
      const fail = (): void => reject(this.signal.reason);
      if (this.signal.aborted) fail();
      else this.signal.addEventListener('abort', fail, { once: true });
    });
    aborted.catch(() => undefined);
    const sinkError = new Promise<never>((_, reject) => this.sink.once('error', reject));
    sinkError.catch(() => undefined);
    const race = <T>(p: Promise<T>): Promise<T> => Promise.race([p, aborted, sinkError]);
    let pos = start;
    let left = total;
    for (let i = 0; left > 0; i ^= 1) {
      if (this.#pending[i]) await race(this.#pending[i]!);
      const buf = this.#bufs[i]!;
      const want = Math.min(buf.length, left);
      // Only the read's own failure is the disk's: the race also fails when the peer goes (EPIPE).
      const read = this.fh.read(buf, 0, want, pos).catch((err: unknown) => {
        if (!this.signal.aborted) this.diskError = err;
        throw err;
      });
      const { bytesRead: n } = await race(read);
      if (n === 0) {
        this.diskError = new Error(`file ended ${plural(left, 'byte')} early (changed while uploading)`);
        throw this.diskError;
      }
      pos += n;
      left -= n;
      this.#pending[i] = this.#write(buf.subarray(0, n));
    }
    await race(Promise.all(this.#pending));
    if (end) {
      this.sink.end();
      await race(finished(this.sink, { readable: false }));
    }
  }

  #write(chunk: Buffer): Promise<void> {
    const written = new Promise<void>((resolve, reject) => {
      this.sink.write(chunk, (err) => {
        if (err) reject(err);
        else {
          this.sent += chunk.length;
          resolve();
        }
      });
    });
    // Awaited later (or never, once the other write failed first): a peer's reset fails both
    // writes at once, and an http.ServerResponse sink emits no 'error' to end the copy before.
    written.catch(() => undefined);
    return written;
  }

  /** Returns the buffers to the pool once no write can still be reading them. */
  release(): void {
    const settled = this.#pending.map((p) => p?.catch(() => undefined));
    void Promise.all(settled).then(() => {
      for (const b of this.#bufs) if (pool.length < POOL_MAX) pool.push(b);
    });
  }
}
