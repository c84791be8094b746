import { QRP_TABLE_BITS } from './constants.js';
import type { GnutellaLink } from './link.js';
import { QrpTable } from './qrp-table.js';

/**
 * An ultrapeer's last-hop QRP table (spec 3.4): its own table OR every leaf's,
 * scaled to 65,536 slots, sent to ultrapeers that said
 * `X-Ultrapeer-Query-Routing` so they send us a TTL-1 query only when one of us
 * can answer it. Re-merged only when a table changed.
 */
export class LastHopTable {
  #table: QrpTable | undefined;
  #key = '';

  /** The merged table, rebuilt when our table or a leaf's changed since the last call. */
  get(own: QrpTable, leaves: readonly GnutellaLink[]): QrpTable {
    const key = `${leaves.map((l) => `${l.id}.${l.qrp.version}`).join(',')}|${own === this.#ownSeen ? 'same' : 'new'}`;
    if (this.#table && key === this.#key) return this.#table;
    const t = new QrpTable(QRP_TABLE_BITS);
    const into = t.present;
    const bits = t.bits;
    if (own.bits === bits) {
      for (let i = 0; i < into.length; i++) if (own.present[i]) into[i] = 1;
    }
    for (const l of leaves) l.qrp.orInto(into, bits);
    this.#ownSeen = own;
    this.#key = `${leaves.map((l) => `${l.id}.${l.qrp.version}`).join(',')}|same`;
    this.#table = t;
    return t;
  }

  #ownSeen: QrpTable | undefined;
}
