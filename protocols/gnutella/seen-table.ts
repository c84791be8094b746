import { GenerationMap } from './generation-map.js';
import type { Seen } from './router.js';

/** GUIDs remembered per generation (GTKG tracks 100,000 relayed query MUIDs, spec 2.15). */
export const SEEN_PER_GENERATION = 100_000;
/** A generation lasts this long (LW: two generations give 5-10 minutes). */
export const SEEN_GENERATION_MS = 5 * 60_000;

/** The whole MUID as four words (no Buffer per entry), its type and the TTL first seen. */
interface SeenEntry {
  w0: number;
  w1: number;
  w2: number;
  w3: number;
  type: number;
  ttl: number;
}

function sameMuid(e: SeenEntry, muid: Buffer, type: number): boolean {
  return e.type === type && e.w0 === muid.readUInt32LE(0) && e.w1 === muid.readUInt32LE(4) && e.w2 === muid.readUInt32LE(8) && e.w3 === muid.readUInt32LE(12);
}

const TWO_20 = 0x10_0000;

/**
 * A 52-bit number from the MUID's 128 bits and the type: a number key hashes
 * far faster than a string. Entries keep the whole MUID, so a collision (rare,
 * or forged) only makes the newer descriptor replace the older entry.
 */
function keyOf(muid: Buffer, type: number): number {
  const hi = (muid.readUInt32LE(0) ^ muid.readUInt32LE(8)) >>> 0;
  const lo = ((muid.readUInt32LE(4) ^ muid.readUInt32LE(12)) + type * 0x9e3779) & (TWO_20 - 1);
  return hi * TWO_20 + lo;
}

/**
 * Duplicate detection on (MUID, type) with the TTL first seen (spec 2.15): a
 * copy with a higher TTL than recorded is a dynamic-query re-probe, not a
 * duplicate. Bounded by two generations whatever peers send.
 */
export class SeenTable {
  readonly #map: GenerationMap<number, SeenEntry>;

  constructor(now: () => number, perGeneration = SEEN_PER_GENERATION, generationMs = SEEN_GENERATION_MS) {
    this.#map = new GenerationMap<number, SeenEntry>({ maxPerGeneration: perGeneration, generationMs, now });
  }

  /** Records the descriptor and says how it was seen before. */
  check(muid: Buffer, type: number, ttl: number): Seen {
    const key = keyOf(muid, type);
    const before = this.#map.get(key);
    if (before === undefined || !sameMuid(before, muid, type)) {
      this.#map.set(key, { w0: muid.readUInt32LE(0), w1: muid.readUInt32LE(4), w2: muid.readUInt32LE(8), w3: muid.readUInt32LE(12), type, ttl });
      return 'new';
    }
    if (ttl > before.ttl) {
      before.ttl = ttl;
      return 'higher-ttl';
    }
    return 'duplicate';
  }

  get size(): number {
    return this.#map.size;
  }
}
