import { inflateSync } from 'node:zlib';
import { NetError } from '../../src/errors.js';
import { tokenize } from '../../src/share/tokenize.js';
import { QRP_COMPRESSOR_NONE, QRP_COMPRESSOR_ZLIB, QRP_MAX_TABLE_SLOTS, QRP_MIN_WORD, URN_SHA1_PREFIX } from './constants.js';
import { qrpHash } from './qrp-hash.js';
import type { QrpPatch, QrpReset } from './qrp-messages.js';

/** Compressed bytes one patch sequence may carry before we call it hostile. */
const MAX_COMPRESSED_PATCH = 1024 * 1024;

/**
 * A neighbour's QRP table as it arrives (spec 3.4 "Receiving"): RESET then
 * PATCH chunks in order, zlib inflated with a hard output bound of one table.
 * Any protocol error throws NetError PROTOCOL (GTKG answers it with Bye 413).
 */
export class QrpReceiver {
  #present: Uint8Array | undefined;
  #bits = 0;
  #infinity = 0;
  #expectSeq = 1;
  #chunks: Buffer[] = [];
  #chunkBytes = 0;
  #seq: { size: number; compressor: number; entryBits: number } | undefined;
  /** True once a full patch sequence was applied. */
  complete = false;

  reset(m: QrpReset): void {
    const n = m.tableLength;
    if (n < 2 || n > QRP_MAX_TABLE_SLOTS || (n & (n - 1)) !== 0) throw NetError.protocol(`QRP table length ${n}`);
    if (m.infinity < 1) throw NetError.protocol(`QRP infinity ${m.infinity}`);
    this.#present = new Uint8Array(n);
    this.#bits = Math.log2(n);
    this.#infinity = m.infinity;
    this.#expectSeq = 1;
    this.#chunks = [];
    this.#chunkBytes = 0;
    this.#seq = undefined;
    this.complete = false;
  }

  patch(m: QrpPatch): void {
    const table = this.#present;
    if (!table) throw NetError.protocol('QRP patch before reset');
    if (m.seqNo !== this.#expectSeq || m.seqSize < 1 || m.seqNo > m.seqSize) throw NetError.protocol(`QRP patch ${m.seqNo}/${m.seqSize} out of order`);
    if (![1, 2, 4, 8].includes(m.entryBits)) throw NetError.protocol(`QRP entry bits ${m.entryBits}`);
    if (m.compressor !== QRP_COMPRESSOR_NONE && m.compressor !== QRP_COMPRESSOR_ZLIB) throw NetError.protocol(`QRP compressor ${m.compressor}`);
    if (this.#seq && (this.#seq.size !== m.seqSize || this.#seq.compressor !== m.compressor || this.#seq.entryBits !== m.entryBits)) {
      throw NetError.protocol('QRP patch sequence changed parameters');
    }
    this.#seq = { size: m.seqSize, compressor: m.compressor, entryBits: m.entryBits };
    this.#chunkBytes += m.data.length;
    if (this.#chunkBytes > MAX_COMPRESSED_PATCH) throw NetError.protocol('QRP patch too large');
    this.#chunks.push(m.data);
    this.#expectSeq++;
    if (m.seqNo < m.seqSize) return;
    const want = (table.length * m.entryBits) / 8;
    let data = Buffer.concat(this.#chunks);
    if (m.compressor === QRP_COMPRESSOR_ZLIB) {
      try {
        data = inflateSync(data, { maxOutputLength: want });
      } catch (err) {
        throw new NetError('PROTOCOL', `QRP patch does not inflate within one table: ${(err as Error).message}`, { cause: err });
      }
    }
    if (data.length > want) throw NetError.protocol('QRP patch data beyond the table');
    this.#apply(table, data, m.entryBits);
    this.#chunks = [];
    this.#chunkBytes = 0;
    this.#seq = undefined;
    this.#expectSeq = 1;
    this.complete = true;
  }

  #apply(table: Uint8Array, data: Buffer, entryBits: number): void {
    const perByte = 8 / entryBits;
    const mask = (1 << entryBits) - 1;
    const sign = 1 << (entryBits - 1);
    for (let i = 0; i < data.length; i++) {
      const byte = data[i]!;
      if (byte === 0) continue;
      for (let k = 0; k < perByte; k++) {
        const slot = i * perByte + k;
        const raw = (byte >> (8 - entryBits * (k + 1))) & mask;
        if (raw === 0) continue;
        if (entryBits === 1) table[slot] = table[slot]! ^ 1;
        else table[slot] = raw & sign ? 1 : 0;
      }
    }
  }

  /** Whether a slot is present (for tests and the UP's merged last-hop table). */
  hasHash(hash: number): boolean {
    return this.#present?.[hash] === 1;
  }

  get bits(): number {
    return this.#bits;
  }

  get infinity(): number {
    return this.#infinity;
  }

  /**
   * Query matching (spec 3.4): any URN present routes; otherwise words of 3+
   * bytes are hashed, all must be present when fewer than 3, else 2/3 (GTKG).
   */
  matches(text: string, sha1Urns: readonly string[] = []): boolean {
    const table = this.#present;
    if (!table || !this.complete) return false;
    for (const urn of sha1Urns) if (table[qrpHash(urn.startsWith(URN_SHA1_PREFIX) ? urn : URN_SHA1_PREFIX + urn, this.#bits)] === 1) return true;
    const words = [...new Set(tokenize(text))].filter((w) => Buffer.byteLength(w) >= QRP_MIN_WORD);
    if (words.length === 0) return false;
    let hits = 0;
    for (const w of words) if (table[qrpHash(w, this.#bits)] === 1) hits++;
    return words.length < 3 ? hits === words.length : hits * 3 >= words.length * 2;
  }
}
