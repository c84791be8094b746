/**
 * What the last run left, brought back (README "Transfers", `transfers.json`):
 * the engine's `restore()` carried out over its parts.
 */
import { NetError, toNetError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ContentCopies } from './content-copies.js';
import type { PartClaims } from './part-claims.js';
import { findSame } from './same-file.js';
import type { Transfer } from './transfer-record.js';
import { loadTransferState } from './transfer-state.js';
import type { TransferTable } from './transfer-table.js';
import type { ReviveDownload } from './transfer-options.js';

/** The engine's parts that a restore works on. */
export interface RestoreDeps {
  stateFile: string | undefined;
  downloadDir: string;
  table: TransferTable;
  parts: PartClaims;
  copies: ContentCopies;
  log: Logger;
  stopped(): boolean;
  enqueue(t: Transfer): void;
}

/** See TransferEngine.restore. */
export async function restoreTransfers(d: RestoreDeps, revive: ReviveDownload): Promise<void> {
  if (d.stateFile) {
    for (const saved of await loadTransferState(d.stateFile)) {
      if (d.stopped()) return;
      const t = d.table.track('down', saved.name, saved.peer, saved.protocol, saved.size);
      if (saved.part) {
        t.part = saved.part;
        d.parts.claim(saved.part);
      }
      try {
        t.req = revive(saved);
      } catch (err) {
        t.saved = saved;
        d.table.finish(t, 'failed', NetError.notFound(`cannot resume: ${toNetError(err).message}`));
        continue;
      }
      if (saved.state !== 'queued') d.table.finish(t, saved.state, saved.reason ?? saved.state); // as it was said, not wrapped again
      else {
        t.info.resumed = true;
        // A copy waiting for another name's bytes (it has no part) waits again.
        const same = saved.part ? undefined : findSame(d.table.values(), t.req, t);
        if (same?.how === 'content') d.copies.wait(t, same.t);
        else d.enqueue(t);
      }
    }
  }
  for (const orphan of await d.parts.orphans()) {
    const text = `orphaned part file ${orphan} in ${d.downloadDir}: no download owns it (delete it, or /get the file again)`;
    d.log.warn(text);
    d.table.emit({ type: 'notice', protocol: 'transfers', text });
  }
}
