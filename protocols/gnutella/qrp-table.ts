import { deflateSync } from 'node:zlib';
import { tokenize } from '../../src/share/tokenize.js';
import {
  QRP_CHUNK_BYTES,
  QRP_COMPRESSOR_NONE,
  QRP_COMPRESSOR_ZLIB,
  QRP_ENTRY_BITS,
  QRP_INFINITY,
  QRP_MIN_WORD,
  QRP_TABLE_BITS,
} from './constants.js';
import { qrpHash } from './qrp-hash.js';
import { encodeQrpPatch, encodeQrpReset } from './qrp-messages.js';

/** Trailing characters cut off a word to add its prefixes (GTKG variant, spec 3.4). */
const MAX_TRUNCATIONS = 5;

/**
 * The words a file name puts into a QRP table (spec 3.4): its keywords and their
 * prefixes of at least 3 characters (up to 5 characters cut), a superset of
 * what LimeWire and gtk-gnutella insert.
 */
export function qrpWords(name: string): string[] {
  const out = new Set<string>();
  for (const w of tokenize(name)) {
    out.add(w);
    for (let k = 1; k <= MAX_TRUNCATIONS && w.length - k >= QRP_MIN_WORD; k++) out.add(w.slice(0, w.length - k));
  }
  return [...out];
}

/**
 * A leaf's query-routing table (spec 3.4): one presence bit per slot. Built
 * from the share's names and URNs; `updateMessages` turns the difference to the
 * table last sent into RESET + 4-bit zlib PATCH payloads.
 */
export class QrpTable {
  readonly bits: number;
  readonly present: Uint8Array;

  constructor(bits = QRP_TABLE_BITS) {
    this.bits = bits;
    this.present = new Uint8Array(1 << bits);
  }

  /** Adds a word (or a `urn:sha1:` string), hashed lower-cased. */
  add(word: string): void {
    this.present[qrpHash(word, this.bits)] = 1;
  }

  /** Adds a shared file: its name's words and prefixes, and its SHA-1 URN. */
  addFile(name: string, urn?: string): void {
    for (const w of qrpWords(name)) this.add(w);
    if (urn) this.add(urn);
  }

  has(word: string): boolean {
    return this.present[qrpHash(word, this.bits)] === 1;
  }

  equals(other: QrpTable): boolean {
    if (other.bits !== this.bits) return false;
    for (let i = 0; i < this.present.length; i++) if (this.present[i] !== other.present[i]) return false;
    return true;
  }

  /**
   * The 4-bit patch data from `previous` (all absent when undefined) to this
   * table: two slots per byte, high nibble first; -(infinity-1) = now present,
   * +(infinity-1) = now absent, 0 = unchanged (spec 3.4).
   */
  patchData(previous?: QrpTable, infinity = QRP_INFINITY): Buffer {
    const slots = this.present.length;
    const out = Buffer.alloc(slots / 2);
    const on = (1 - infinity) & 0x0f;
    const off = (infinity - 1) & 0x0f;
    for (let i = 0; i < slots; i++) {
      const before = previous?.present[i] ?? 0;
      const now = this.present[i]!;
      if (before === now) continue;
      const v = now ? on : off;
      out[i >> 1]! |= i & 1 ? v : v << 4;
    }
    return out;
  }

  /**
   * Payloads to send (spec 3.4): a RESET when there is no previous table, then
   * one PATCH sequence (zlib when smaller), cut into chunks of 4 KiB.
   */
  updateMessages(previous?: QrpTable, infinity = QRP_INFINITY): Buffer[] {
    const out: Buffer[] = [];
    if (!previous || previous.bits !== this.bits) out.push(encodeQrpReset(this.present.length, infinity));
    const raw = this.patchData(previous && previous.bits === this.bits ? previous : undefined, infinity);
    const packed = deflateSync(raw);
    const zlib = packed.length < raw.length;
    const data = zlib ? packed : raw;
    const seqSize = Math.max(1, Math.ceil(data.length / QRP_CHUNK_BYTES));
    if (seqSize > 255) throw new RangeError('QRP patch needs more than 255 chunks');
    for (let i = 0; i < seqSize; i++) {
      out.push(
        encodeQrpPatch({
          seqNo: i + 1,
          seqSize,
          compressor: zlib ? QRP_COMPRESSOR_ZLIB : QRP_COMPRESSOR_NONE,
          entryBits: QRP_ENTRY_BITS,
          data: data.subarray(i * QRP_CHUNK_BYTES, (i + 1) * QRP_CHUNK_BYTES),
        }),
      );
    }
    return out;
  }
}
