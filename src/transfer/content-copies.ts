/**
 * Downloads that wait for another download of the same content (README
 * "Downloads"): two names of one SHA-1 are two files, but the bytes come
 * once. A waiting download is copied under its own name when the one that
 * fetches the bytes is done and verified, and goes on its own when that one
 * fails or is cancelled.
 */
import { join } from 'node:path';
import type { AppEvent } from '../app-api.js';
import { NetError } from '../errors.js';
import { sanitizeDownloadName } from './file-name.js';
import type { DownloadOutcome } from './download-task.js';
import { commitCopy } from './part-file.js';
import type { PartClaims } from './part-claims.js';
import type { Transfer } from './transfer-record.js';

/** What the copies need of the transfer engine. */
export interface CopyHost {
  readonly downloadDir: string;
  readonly parts: PartClaims;
  emit(e: AppEvent): void;
  finish(t: Transfer, state: 'done' | 'failed' | 'cancelled', err?: NetError): void;
  /** Queues `t` as a download of its own. */
  enqueue(t: Transfer): void;
  /** `t`'s place in the download queue (1 is next), 0 when it is not queued. */
  position(t: Transfer): number;
  /** The state file changed. */
  changed(): void;
}

/** The downloads waiting for another one's bytes (`Transfer.copyOf`), and what happens to them. */
export class ContentCopies {
  readonly #waiting = new Set<Transfer>();

  constructor(private readonly host: CopyHost) {}

  /** How many wait (they count against the download queue's cap). */
  get size(): number {
    return this.#waiting.size;
  }

  /** `t` waits for `from`, which fetches the same content under another name. */
  wait(t: Transfer, from: Transfer): void {
    t.copyOf = from;
    from.copies.push(t);
    this.#waiting.add(t);
    Object.assign(t.info, { state: 'queued', reason: null, rate: 0, sameAs: from.info.id });
    const { id, name, peer, protocol, total } = t.info;
    this.host.emit({ type: 'transfer.queued', id, name, direction: 'down', peer, protocol, total, position: this.host.position(from) || 1 });
    this.host.changed();
  }

  /** Cancels `t` if it waits; false when it is not a waiting copy. */
  cancel(t: Transfer, reason: NetError): boolean {
    const from = t.copyOf;
    if (!from) return false;
    from.copies.splice(from.copies.indexOf(t), 1);
    this.#release(t);
    this.host.finish(t, 'cancelled', reason);
    this.host.changed();
    return true;
  }

  /** `from` is done: each download waiting for it gets its own copy of the file, under its own name. */
  async done(from: Transfer, out: DownloadOutcome): Promise<void> {
    for (const t of from.copies.splice(0)) {
      this.#release(t);
      t.info.state = 'active';
      try {
        const part = await this.host.parts.claimNew(t.req!.name, false);
        const partPath = join(this.host.downloadDir, part);
        const path = await commitCopy(out.path, out.bytes, partPath, sanitizeDownloadName(t.req!.name)).finally(() => this.host.parts.release(part));
        Object.assign(t.info, { bytes: out.bytes, total: out.bytes, path, verified: out.verified });
      } catch (err) {
        this.host.finish(t, 'failed', NetError.file(err, t.info.name));
        continue;
      }
      this.host.finish(t, 'done');
      const { id, name, peer, bytes, path } = t.info;
      this.host.emit({ type: 'transfer.done', id, name, direction: 'down', path: path!, bytes, sha1: out.sha1, verified: out.verified, peer });
    }
    this.host.changed();
  }

  /** `from` failed or was cancelled for good: each download waiting for it goes on its own. */
  onTheirOwn(from: Transfer): void {
    for (const t of from.copies.splice(0)) {
      this.#release(t);
      this.host.enqueue(t);
    }
  }

  #release(t: Transfer): void {
    t.copyOf = undefined;
    delete t.info.sameAs;
    this.#waiting.delete(t);
  }
}
