/**
 * One upload as the engine records it: a row in the transfer table (progress,
 * done or failed) around `runUpload`, with the slot given back when it settles.
 */
import type { Clock } from '../clock.js';
import { toNetError, type NetError } from '../errors.js';
import type { Release } from './slot-limiter.js';
import type { TransferTable } from './transfer-table.js';
import type { UploadRequest, UploadResult } from './transfer-types.js';
import { runUpload } from './upload-task.js';

/** What an upload needs from the engine. */
export interface UploadBooks {
  table: TransferTable;
  clock: Clock;
  stallMs: number;
  /** Keeps the settling promise until shutdown waits for it. */
  hold(p: Promise<void>): void;
}

/** Sends `req` holding `release`'s slot; resolves with its id and bytes, or rejects with the NetError it failed with. */
export async function trackedUpload(books: UploadBooks, req: UploadRequest, release: Release): Promise<UploadResult> {
  const { table } = books;
  const t = table.track('up', req.name, req.peer, req.protocol, null);
  t.info.state = 'active';
  t.info.path = req.path;
  const ac = (t.abort = new AbortController());
  const run = runUpload({
    req,
    clock: books.clock,
    signal: ac.signal,
    stallMs: books.stallMs,
    onStart: (total) => (t.info.total = total),
    onBytes: (bytes) => table.progress(t, bytes),
  });
  let failure: NetError | undefined;
  const done = run.then(
    (bytes) => {
      t.info.bytes = bytes;
      table.finish(t, 'done');
      table.emit({ type: 'transfer.done', id: t.info.id, name: t.info.name, direction: 'up', path: req.path, bytes, sha1: req.sha1 ?? null, verified: true, peer: req.peer });
    },
    (err: unknown) => {
      failure = toNetError(err);
      table.finish(t, ac.signal.aborted ? 'cancelled' : 'failed', failure);
    },
  );
  books.hold(done.finally(() => release()));
  await done;
  if (failure) throw failure;
  return { id: t.info.id, bytes: t.info.bytes };
}
