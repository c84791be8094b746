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
  /** One bit per slot (a 2 Mi-slot table costs 256 KiB, not 2 MiB). */
  #present: Uint32Array | undefined;
  #slots = 0;
  #bits = 0;
  #infinity = 0;
  #expectSeq = 1;
  #chunks: Buffer[] = [];
  #chunkBytes = 0;
  #seq: { size: number; compressor: number; entryBits: number } | undefined;
  /** True once a full patch sequence was applied. */
  complete = false;
  /** Bumped by every applied patch and reset: the ultrapeer re-merges its last-hop table when it moves. */
  version = 0;

  reset(m: QrpReset): void {
    const n = m.tableLength;
    if (n < 2 || n > QRP_MAX_TABLE_SLOTS || (n & (n - 1)) !== 0) throw NetError.protocol(`QRP table length ${n}`);
    if (m.infinity < 1) throw NetError.protocol(`QRP infinity ${m.infinity}`);
    this.#present = new Uint32Array(Math.max(1, n >>> 5));
    this.#slots = n;
    this.#bits = Math.log2(n);
    this.version++;
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
    const want = (this.#slots * m.entryBits) / 8;
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
    this.version++;
  }

  #apply(table: Uint32Array, data: Buffer, entryBits: number): void {
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
        const w = slot >>> 5;
        const bit = 1 << (slot & 31);
        if (entryBits === 1) table[w] = table[w]! ^ bit;
        else if (raw & sign) table[w] = table[w]! | bit;
        else table[w] = table[w]! & ~bit;
      }
    }
  }

  /** Whether a slot is present (for tests and the UP's merged last-hop table). */
  hasHash(hash: number): boolean {
    const t = this.#present;
    return t !== undefined && ((t[hash >>> 5]! >>> (hash & 31)) & 1) === 1;
  }

  /**
   * ORs this table into `into` (a presence byte per slot, `bits` wide), scaling
   * between sizes (spec 3.3 property 4): the ultrapeer's merged last-hop table.
   */
  orInto(into: Uint8Array, bits: number): void {
    const t = this.#present;
    if (!t || !this.complete) return;
    const mine = this.#bits;
    for (let w = 0; w < t.length; w++) {
      let word = t[w]!;
      while (word !== 0) {
        const low = word & -word;
        const slot = (w << 5) + (31 - Math.clz32(low));
        word ^= low;
        if (mine >= bits) into[slot >>> (mine - bits)] = 1;
        else into.fill(1, slot << (bits - mine), (slot + 1) << (bits - mine));
      }
    }
  }

  /** A complete table with no slot present: a leaf that shares nothing (gtk-gnutella's NODE_HAS_EMPTY_QRT). */
  get empty(): boolean {
    return this.complete && this.#present !== undefined && this.#present.every((w) => w === 0);
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
    return this.matchesWords(new QueryWords(text, sha1Urns));
  }

  /** `matches` for a query split once and hashed once per table size (an ultrapeer asks every leaf). */
  matchesWords(q: QueryWords): boolean {
    if (!this.#present || !this.complete) return false;
    const bits = this.#bits;
    for (const h of q.urnHashes(bits)) if (this.hasHash(h)) return true;
    const hashes = q.wordHashes(bits);
    if (hashes.length === 0) return false;
    let hits = 0;
    for (const h of hashes) if (this.hasHash(h)) hits++;
    return hashes.length < 3 ? hits === hashes.length : hits * 3 >= hashes.length * 2;
  }
}

/**
 * A query's words (3+ bytes, spec 3.4) and SHA-1 URNs, hashed lazily per
 * table size and kept: matching one query against 300 leaves hashes it once.
 */
export class QueryWords {
  readonly words: string[];
  readonly urns: string[];
  readonly #byBits = new Map<number, { words: number[]; urns: number[] }>();

  constructor(text: string, sha1Urns: readonly string[] = []) {
    this.words = [...new Set(tokenize(text))].filter((w) => Buffer.byteLength(w) >= QRP_MIN_WORD);
    this.urns = sha1Urns.map((u) => (u.toLowerCase().startsWith(URN_SHA1_PREFIX) ? u : URN_SHA1_PREFIX + u));
  }

  #get(bits: number): { words: number[]; urns: number[] } {
    let h = this.#byBits.get(bits);
    if (!h) {
      h = { words: this.words.map((w) => qrpHash(w, bits)), urns: this.urns.map((u) => qrpHash(u, bits)) };
      this.#byBits.set(bits, h);
    }
    return h;
  }

  wordHashes(bits: number): number[] {
    return this.#get(bits).words;
  }

  urnHashes(bits: number): number[] {
    return this.#get(bits).urns;
  }
}
