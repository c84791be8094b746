import { createWriteStream } from 'node:fs';
import { unlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Clock, Timer } from '../clock.js';
import { NetError, toNetError } from '../errors.js';
import { ensureDir } from '../paths.js';
import { normalizeSha1 } from '../share/base32.js';
import { sanitizeDownloadName } from './file-name.js';
import { commitPart, loadPart } from './part-file.js';
import type { SinkTarget } from './socket-sink.js';
import type { DownloadRequest } from './transfer-types.js';
import { formatSizeExact, sizesApart } from '../words.js';

/**
 * Bytes buffered between the socket and the disk while a write is in flight
 * (the next write takes them all at once, writev). Measured on this machine
 * (loopback, 512 MiB, a bare Node receiver): 16 KiB ~180 MB/s (the socket is
 * paused and resumed all the time), 1 MiB ~210-310 MB/s, 2-4 MiB 110-180 MB/s
 * (much more system time per byte).
 */
const WRITE_BATCH_BYTES = 1 << 20;
/** How often a running download looks for a stall: a quarter of stallMs, at most every second. */
const STALL_TICK_MAX_MS = 1000;

/** Everything one download needs from the engine: request, folder, clock, limits, callbacks. */
export interface DownloadContext {
  req: DownloadRequest;
  dir: string;
  /** The `.part` file's name in `dir`, claimed by the engine for this download alone. */
  partName: string;
  clock: Clock;
  /** Aborted by /cancel or shutdown; its reason becomes the failure. */
  signal: AbortSignal;
  /** No byte for this long fails the download (slow or silent peer). */
  stallMs: number;
  /** Cap when the size is unknown. */
  maxBytes: number;
  onStart(partPath: string, bytes: number, total: number | null): void;
  onBytes(bytes: number): void;
}

/**
 * A finished download: its final path and length, and its SHA-1 (hex) when
 * one was announced and checked (`verified`); null when the source announced
 * none, because then nothing is hashed (see runDownload).
 */
export interface DownloadOutcome {
  path: string;
  bytes: number;
  sha1: string | null;
  verified: boolean;
}

/**
 * Runs one download (issue 4, "Transfer engine"): appends to `<name>.part`
 * (resuming what is there), enforces the expected or maximum size as bytes
 * arrive, times out a stalled peer, verifies size and SHA-1, and only then
 * gives the file its final, never-overwriting name. Bytes are hashed only when
 * the source announced a SHA-1: hashing what nobody can check cost a third of
 * the downloader's CPU on a Napster download (no SHA-1 in that protocol) and
 * proved nothing. A part that can never
 * become the right file (too large, wrong hash, nothing sent) is deleted; one
 * cut short is kept for `/retry`. Disk errors (ENOSPC, ENOENT...) fail with
 * FILE, not SOCKET: they are ours, not the peer's.
 */
export async function runDownload(ctx: DownloadContext): Promise<DownloadOutcome> {
  const { req } = ctx;
  const expectedSha1 = req.sha1 === undefined ? undefined : normalizeSha1(req.sha1);
  if (req.sha1 !== undefined && expectedSha1 === undefined) throw NetError.usage(`not a SHA-1: ${req.sha1}`);
  const name = sanitizeDownloadName(req.name);
  await ensureDir(ctx.dir).catch((e: unknown) => Promise.reject(NetError.file(e, 'download folder')));
  const partPath = join(ctx.dir, ctx.partName);
  const expectedSize = req.size ?? null;
  const cap = expectedSize ?? req.maxBytes ?? ctx.maxBytes;
  const part = await loadPart(partPath, expectedSize, expectedSha1 !== undefined).catch((e: unknown) => Promise.reject(NetError.file(e, ctx.partName)));
  let bytes = part.offset;
  ctx.onStart(partPath, bytes, expectedSize);

  if (expectedSize === null || bytes < expectedSize) {
    const ac = new AbortController();
    const fail = (reason: NetError): void => ac.abort(reason);
    const onCancel = (): void => fail(toNetError(ctx.signal.reason));
    if (ctx.signal.aborted) throw toNetError(ctx.signal.reason);
    ctx.signal.addEventListener('abort', onCancel, { once: true });
    let opened: Awaited<ReturnType<DownloadRequest['source']['open']>> | undefined;
    // A byte stamps the time; a tick compares (a timer re-armed per chunk cost more than the chunk).
    let lastByteAt = ctx.clock.now();
    const stall: Timer = ctx.clock.setInterval(
      () => {
        if (ctx.clock.now() - lastByteAt >= ctx.stallMs) fail(NetError.timeout('download stalled', ctx.stallMs));
        else opened?.sink?.flush();
      },
      Math.max(1, Math.min(STALL_TICK_MAX_MS, ctx.stallMs / 4)),
    );
    const onBytes = (n: number): void => {
      lastByteAt = ctx.clock.now();
      bytes = n;
      ctx.onBytes(n);
    };
    try {
      opened = await openSource(req, bytes, ac.signal);
      if (opened.total != null && expectedSize !== null && opened.total !== expectedSize) {
        const [says, expected] = sizesApart(opened.total, expectedSize);
        throw NetError.size(`the peer says the file has ${says}, where ${expected} was announced`);
      }
      const skip = bytes - opened.start;
      if (skip < 0) throw NetError.protocol(`peer resumed at ${opened.start}, we asked for ${bytes}`);
      const target: SinkTarget = { partPath, bytes, skip, cap, hash: part.sha1, signal: ac.signal, onBytes };
      if (opened.sink) await opened.sink.writeTo(target);
      else await pipeToPart(opened.stream, target);
    } catch (err) {
      opened?.stream.destroy();
      const reason = ac.signal.aborted ? toNetError(ac.signal.reason) : toNetError(err);
      // A part that can never be the file (the peer sent more than announced) goes.
      if (reason.code === 'SIZE') await unlink(partPath).catch(() => undefined);
      throw reason;
    } finally {
      stall.cancel();
      ctx.signal.removeEventListener('abort', onCancel);
    }
  }

  if (req.emptyIsMissing && bytes === 0 && expectedSize !== 0) {
    await unlink(partPath).catch(() => undefined);
    throw NetError.notFound('peer sent nothing (unknown name, or an empty file)');
  }
  if (expectedSize !== null && bytes < expectedSize) {
    throw NetError.incomplete(bytes, expectedSize);
  }
  const sha1 = part.sha1?.digest('hex') ?? null;
  if (expectedSha1 !== undefined && sha1 !== expectedSha1) {
    await unlink(partPath).catch(() => undefined);
    throw NetError.verify(`SHA-1 mismatch: got ${sha1 ?? 'nothing'}, expected ${expectedSha1} (part deleted)`);
  }
  // An announced empty file has nothing to fetch, so nothing ever made its part.
  if (bytes === 0) await writeFile(partPath, '', { flag: 'a' }).catch((e: unknown) => Promise.reject(NetError.file(e, ctx.partName)));
  const path = await commitPart(partPath, ctx.dir, name).catch((e: unknown) => Promise.reject(NetError.file(e, name)));
  return { path, bytes, sha1, verified: sha1 !== null };
}

/**
 * Any other source (a Readable: Gnutella's HTTP body, a pushed socket): through
 * a Transform that drops `skip`, enforces `cap`, hashes and counts, into the
 * part by a write stream in WRITE_BATCH_BYTES batches. Settles once the part is
 * closed (an unlink after it cannot race the open).
 */
async function pipeToPart(stream: Readable, t: SinkTarget): Promise<void> {
  let { skip, bytes } = t;
  const meter = new Transform({
    readableHighWaterMark: WRITE_BATCH_BYTES,
    writableHighWaterMark: WRITE_BATCH_BYTES,
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
      if (skip > 0) {
        const drop = Math.min(skip, chunk.length);
        skip -= drop;
        chunk = chunk.subarray(drop);
      }
      if (bytes + chunk.length > t.cap) return cb(NetError.size(`the peer sent more than ${formatSizeExact(t.cap)}`));
      bytes += chunk.length;
      t.hash?.update(chunk);
      t.onBytes(bytes);
      cb(null, chunk.length > 0 ? chunk : undefined);
    },
  });
  let diskError: unknown;
  let sourceError: unknown;
  // A source that breaks (a reset) ends the copy instead of tearing it down: what it sent before
  // still reaches the part for /retry. Torn down, the bytes waiting for the part's open were lost.
  async function* untilBroken(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of stream) yield chunk as Buffer;
    } catch (err) {
      sourceError = err;
    }
  }
  const file = createWriteStream(t.partPath, { flags: 'a', highWaterMark: WRITE_BATCH_BYTES });
  file.once('error', (e) => (diskError = e));
  try {
    await pipeline(untilBroken(), meter, file, { signal: t.signal });
    if (sourceError !== undefined) throw sourceError;
  } catch (err) {
    // Now, before the close: the file stream's own error has been emitted, one pipeline passed on to it not yet.
    const reason = t.signal.aborted ? toNetError(t.signal.reason) : diskError !== undefined ? NetError.file(diskError, basename(t.partPath)) : toNetError(err);
    if (!file.closed) await new Promise<void>((resolve) => file.once('close', () => resolve()));
    throw reason;
  }
}

/** Opens the source, or rejects with the signal's reason as soon as it aborts (a late stream is destroyed). */
function openSource(
  req: DownloadRequest,
  offset: number,
  signal: AbortSignal,
): Promise<Awaited<ReturnType<DownloadRequest['source']['open']>>> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(toNetError(signal.reason));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    req.source.open(offset, signal).then(
      (opened) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) opened.stream.destroy();
        else resolve(opened);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(toNetError(e));
      },
    );
  });
}
