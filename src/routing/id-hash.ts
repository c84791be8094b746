import { randomBytes } from 'node:crypto';

/**
 * The keyed 64-bit hash a SeenCache stores for a message id (issue 9: a relay hashes every
 * line's id), from the id's string or from its bytes as they arrived.
 *
 * Two seeded FNV-1a-style runs over the id, two characters a step, each run mixed at the end
 * with MurmurHash3's finaliser. The seeds are random per hasher, so a peer cannot aim ids at
 * one hash (two different ids share a hash with odds of about 2^-64 per pair). An id whose
 * characters are the bytes one for one (latin1: a flood's id, [A-Za-z0-9_-]) hashes the same
 * from either, so a relay can look up an id it has not decoded.
 *
 * The answer is left in `hi` and `lo` (no object a hash): read them right after the call.
 */
export class IdHash {
  readonly #seed1: number;
  readonly #seed2: number;
  /** High and low halves of the last hash (unsigned 32-bit). */
  hi = 0;
  lo = 0;

  constructor() {
    const seeds = randomBytes(8);
    this.#seed1 = seeds.readUInt32LE(0);
    this.#seed2 = seeds.readUInt32LE(4);
  }

  /** Hashes the id `id` into `hi` and `lo`. */
  ofString(id: string): void {
    let a = this.#seed1;
    let b = this.#seed2;
    const n = id.length;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      const c = id.charCodeAt(i) | (id.charCodeAt(i + 1) << 16);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
    }
    if (i < n) {
      const c = id.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
    }
    this.#finish(a, b, n);
  }

  /** Hashes the id whose characters are the bytes `bytes[at, end)` one for one: as ofString() of `bytes.toString('latin1', at, end)`. */
  ofBytes(bytes: Uint8Array, at: number, end: number): void {
    let a = this.#seed1;
    let b = this.#seed2;
    let i = at;
    for (; i + 1 < end; i += 2) {
      const c = bytes[i]! | (bytes[i + 1]! << 16);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
    }
    if (i < end) {
      const c = bytes[i]!;
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
    }
    this.#finish(a, b, end - at);
  }

  #finish(a: number, b: number, length: number): void {
    this.hi = fmix32(a ^ length) >>> 0;
    this.lo = fmix32(b + Math.imul(a, 0x9e3779b1)) >>> 0;
  }
}

/** MurmurHash3's 32-bit finaliser: every input bit moves every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
