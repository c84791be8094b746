/**
 * `transfers.json` kept in step with the engine (README "Transfers"): the
 * changes of one tick are coalesced into one atomic write, and writes run one
 * after another, so the file is always a whole state, never a half one.
 */
import { toNetError } from '../errors.js';
import type { Logger } from '../log.js';
import { saveTransferState, type SavedDownload } from './transfer-state.js';

export class TransferJournal {
  #saving: Promise<void> = Promise.resolve();
  #queued = false;

  /** Without a file (an engine with no `stateFile`) nothing is written. */
  constructor(
    private readonly file: string | undefined,
    private readonly snapshot: () => SavedDownload[],
    private readonly log: Logger,
  ) {}

  /** Something changed: write once this tick is over. */
  schedule(): void {
    if (!this.file || this.#queued) return;
    this.#queued = true;
    queueMicrotask(() => {
      this.#queued = false;
      void this.save();
    });
  }

  /** Writes now (after any write in flight); resolves when it is on disk or has failed with a warning. */
  save(): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    this.#saving = this.#saving.then(() =>
      saveTransferState(file, this.snapshot()).catch((err: unknown) => this.log.warn(`cannot save ${file}: ${toNetError(err).message}`)),
    );
    return this.#saving;
  }
}
