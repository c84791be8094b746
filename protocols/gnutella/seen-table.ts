import { randomInt } from 'node:crypto';
import { GenerationMap } from './generation-map.js';
import type { Seen } from './router.js';

/** GUIDs remembered per generation (GTKG tracks 100,000 relayed query MUIDs, spec 2.15). */
export const SEEN_PER_GENERATION = 100_000;
/** A generation lasts this long (LW: two generations give 5-10 minutes). */
export const SEEN_GENERATION_MS = 5 * 60_000;

const SMI_30 = 0x3fff_ffff;
const VERIFY_14 = 0x3fff;

/** Odd 32-bit multipliers drawn per table, so nobody can craft MUIDs that collide. */
function seeds(): Uint32Array {
  const out = new Uint32Array(10);
  for (let i = 0; i < out.length; i++) out[i] = (randomInt(0, 2 ** 31) * 2 + 1) >>> 0;
  return out;
}

/**
 * Small integers only (no allocation per entry, the cheapest Map there is):
 * the key is 30 bits of a seeded hash of the MUID and type, the value packs 14
 * bits of a second hash with the type and the TTL first seen. Two different
 * MUIDs pass for one with a chance of about 1 in 10^13 per pair; a collision
 * that is caught makes the newer descriptor replace the older entry.
 */
function mix(h: number): number {
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  return h ^ (h >>> 15);
}

/**
 * Duplicate detection on (MUID, type) with the TTL first seen (spec 2.15): a
 * copy with a higher TTL than recorded is a dynamic-query re-probe, not a
 * duplicate. Bounded by two generations whatever peers send.
 */
export class SeenTable {
  readonly #map: GenerationMap<number, number>;
  readonly #k = seeds();

  constructor(now: () => number, perGeneration = SEEN_PER_GENERATION, generationMs = SEEN_GENERATION_MS) {
    this.#map = new GenerationMap<number, number>({ maxPerGeneration: perGeneration, generationMs, now });
  }

  /** Records the descriptor and says how it was seen before. */
  check(muid: Buffer, type: number, ttl: number): Seen {
    const k = this.#k;
    const w0 = muid.readUInt32LE(0);
    const w1 = muid.readUInt32LE(4);
    const w2 = muid.readUInt32LE(8);
    const w3 = muid.readUInt32LE(12);
    const key = mix(Math.imul(w0, k[0]!) ^ Math.imul(w1, k[1]!) ^ Math.imul(w2, k[2]!) ^ Math.imul(w3, k[3]!) ^ Math.imul(type + 1, k[4]!)) & SMI_30;
    const verify = mix(Math.imul(w0, k[5]!) + Math.imul(w1, k[6]!) + Math.imul(w2, k[7]!) + Math.imul(w3, k[8]!)) & VERIFY_14;
    const value = (verify << 16) | ((type & 0xff) << 8) | (ttl & 0xff);
    const before = this.#map.get(key);
    if (before === undefined || before >>> 8 !== value >>> 8) {
      this.#map.set(key, value);
      return 'new';
    }
    if (ttl > (before & 0xff)) {
      this.#map.set(key, value);
      return 'higher-ttl';
    }
    return 'duplicate';
  }

  get size(): number {
    return this.#map.size;
  }
}
