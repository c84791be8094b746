import { IdHash } from './id-hash.js';

export interface SeenCacheOptions {
  /** Most ids remembered; the oldest is evicted past it. */
  max: number;
  /** How long an id is remembered. */
  ttlMs: number;
  /** Clock for the TTL (ms); defaults to performance.now. */
  now?: () => number;
}

/** Slots the ring starts with (it doubles as ids arrive, up to `max`). */
const FIRST_CAPACITY = 1024;
/** Marks an empty hash-table cell (cells hold ring slot + 1, with a tag above it). */
const EMPTY = 0;
/** Most ids a cache holds, whatever it is asked for (a slot index must leave room for a tag in 31 bits). */
const MAX_IDS = 2 ** 24;

/**
 * Remembers message ids for flood dedup: bounded in count and in time (TTL),
 * so a peer that invents ids cannot grow it without limit.
 *
 * Sized for the lag of a flood (issue 9): a copy of a message that comes the
 * long way round a loop of the mesh arrives after every message queued ahead
 * of it on that way, in send queues and kernel socket buffers (megabytes on
 * loopback). If more ids than the cache holds were recorded meanwhile, the
 * copy looks new and is shown twice: a triangle flood once let 8,182 copies
 * past a 65,536-id cache. So an id costs 24 bytes here instead of the ~100 of
 * a Map entry with its string, and a chat node keeps up to a million of them
 * (24 MiB at most, allocated only as ids arrive).
 *
 * An id is stored as its 64-bit keyed hash (id-hash.ts: two different ids
 * share one with odds of about 2^-64 per pair, so a copy wrongly taken for a
 * duplicate is that unlikely; random seeds per cache keep a peer from aiming
 * at it). The ring holds hashes and times in insertion order (an id is recorded
 * once and never refreshed, so the oldest inserted is the one to evict); an
 * open-addressing table (linear probing, backward-shift deletion) maps a hash
 * to its ring slot.
 *
 * Speed (issue 9): a relay asks about every line, and at a million ids every
 * lookup is a cache miss or several. A table cell holds the slot and, in its
 * spare bits, a few bits of the hash, so a probe passes cells of other ids
 * without reading the ring; the ring keeps both halves of a hash side by side.
 */
export class SeenCache {
  readonly #max: number;
  readonly #ttl: number;
  readonly #now: () => number;
  /** Hashes ids (the same id always to the same hash, in this cache). */
  readonly #ids = new IdHash();
  /** A table cell is `tag << #slotBits | (slot + 1)`; the tag is the top #tagBits of the hash's high half. */
  readonly #slotBits: number;
  readonly #slotMask: number;
  readonly #tagShift: number;
  /** Ring of recorded ids: hash halves (hi, lo) side by side, and insertion time, per slot. */
  #keys: Uint32Array;
  #at: Float64Array;
  /** Slot of the oldest id, and ids held. */
  #head = 0;
  #count = 0;
  /** Hash table of cells (EMPTY when free); a power of two in size, at most 3/4 full. */
  #table: Int32Array;
  #mask: number;
  /** Ids the table takes before it doubles (3/4 of its cells). */
  #tableLimit: number;
  /** The hash of the id given last (has() then markSeen() of one id hash it once). */
  #lastId: string | undefined;
  #lastHi = 0;
  #lastLo = 0;
  /** The id the last has() found absent, while nothing was recorded since (markSeen skips its lookup). */
  #absent: string | undefined;
  /** The hash of the id hasBytes() read last, and whether it was found absent with nothing recorded since. */
  #bytesHi = 0;
  #bytesLo = 0;
  #bytesRead = false;
  #bytesAbsent = false;
  /** The empty table cell where hasBytes()'s probe for an absent id stopped. */
  #bytesCell = 0;

  constructor(opts: SeenCacheOptions) {
    if (!(opts.max >= 1)) throw new RangeError('SeenCache max must be >= 1');
    this.#max = Math.min(Math.floor(opts.max), MAX_IDS);
    this.#ttl = opts.ttlMs;
    this.#now = opts.now ?? (() => performance.now());
    this.#slotBits = 32 - Math.clz32(this.#max + 1);
    this.#slotMask = 2 ** this.#slotBits - 1;
    // Cells stay positive int32s: 31 bits for slot and tag together.
    this.#tagShift = 32 - (31 - this.#slotBits);
    const cap = Math.min(this.#max, FIRST_CAPACITY);
    this.#keys = new Uint32Array(cap * 2);
    this.#at = new Float64Array(cap);
    this.#table = new Int32Array(tableSizeFor(cap));
    this.#mask = this.#table.length - 1;
    this.#tableLimit = tableLimit(this.#table.length);
  }

  /**
   * Records the id; true when it was not seen before (deliver and forward it). `now`: the
   * time if the caller has it already (a relay reads the clock once per line, not per step).
   */
  markSeen(id: string, now = this.#now()): boolean {
    this.#hash(id);
    const hi = this.#lastHi;
    const lo = this.#lastLo;
    const slot = id === this.#absent ? -1 : this.#find(hi, lo);
    this.#absent = undefined;
    if (slot !== -1 && now - this.#at[slot]! < this.#ttl) return false;
    this.#insert(hi, lo, now);
    return true;
  }

  /**
   * Whether the id was recorded and has not expired. A relay asks this before parsing a
   * line and then records the id: an id found absent is not looked up a second time.
   */
  has(id: string, now?: number): boolean {
    this.#hash(id);
    const slot = this.#find(this.#lastHi, this.#lastLo);
    if (slot === -1) {
      this.#absent = id;
      return false;
    }
    return (now ?? this.#now()) - this.#at[slot]! < this.#ttl;
  }

  /**
   * has() for the id whose characters are the bytes `b[at, end)` one for one (latin1: a
   * flood's id as it arrived), without making its string: the same answer has() gives for
   * `b.toString('latin1', at, end)`. A relay asks this of every line before parsing it.
   */
  hasBytes(b: Uint8Array, at: number, end: number, now?: number): boolean {
    const ids = this.#ids;
    ids.ofBytes(b, at, end);
    const hi = ids.hi;
    const lo = ids.lo;
    this.#bytesHi = hi;
    this.#bytesLo = lo;
    this.#bytesRead = true;
    // #find(), written out: where an absent id's probe stops is kept for markSeenLast().
    const t = this.#table;
    const mask = this.#mask;
    const k = this.#keys;
    const slotBits = this.#slotBits;
    const tag = hi >>> this.#tagShift;
    for (let i = lo & mask; ; i = (i + 1) & mask) {
      const cell = t[i]!;
      if (cell === EMPTY) {
        this.#bytesAbsent = true;
        this.#bytesCell = i;
        return false;
      }
      if (cell >>> slotBits !== tag) continue;
      const slot = (cell & this.#slotMask) - 1;
      if (k[2 * slot] === hi && k[2 * slot + 1] === lo) {
        this.#bytesAbsent = false;
        return (now ?? this.#now()) - this.#at[slot]! < this.#ttl;
      }
    }
  }

  /**
   * markSeen() for the id hasBytes() read last: records it, true when it was not seen
   * before. An id found absent is recorded without a second lookup when nothing was
   * recorded since.
   */
  markSeenLast(now = this.#now()): boolean {
    if (!this.#bytesRead) throw new Error('SeenCache.markSeenLast() without hasBytes()');
    const hi = this.#bytesHi;
    const lo = this.#bytesLo;
    if (this.#bytesAbsent && this.#count < this.#at.length && this.#count < this.#tableLimit) {
      // Nothing recorded since the lookup and room in the ring and the table (no growth, no eviction):
      // the table is as the lookup left it, so the id's cell is the empty one it stopped at.
      this.#bytesAbsent = false;
      this.#absent = undefined;
      const slot = this.#put(hi, lo, now);
      this.#table[this.#bytesCell] = this.#cell(hi, slot);
      return true;
    }
    const slot = this.#bytesAbsent ? -1 : this.#find(hi, lo);
    if (slot !== -1 && now - this.#at[slot]! < this.#ttl) return false;
    this.#insert(hi, lo, now);
    return true;
  }

  /** Ids held (expired ones count until their slot is reused). */
  get size(): number {
    return this.#count;
  }

  /** Sets #lastHi/#lastLo to the id's hash. */
  #hash(id: string): void {
    if (id === this.#lastId) return;
    const ids = this.#ids;
    ids.ofString(id);
    this.#lastId = id;
    this.#lastHi = ids.hi;
    this.#lastLo = ids.lo;
  }

  /** The table cell for a hash recorded in `slot`. */
  #cell(hi: number, slot: number): number {
    return ((hi >>> this.#tagShift) << this.#slotBits) | (slot + 1);
  }

  /** Whether `cell` may hold this hash (its tag matches), so its slot is worth reading. */
  #tagged(cell: number, hi: number): boolean {
    return cell >>> this.#slotBits === hi >>> this.#tagShift;
  }

  /** The ring slot holding this hash (the newest one, if re-recorded after expiry), or -1. */
  #find(hi: number, lo: number): number {
    const t = this.#table;
    const mask = this.#mask;
    const k = this.#keys;
    const slotBits = this.#slotBits;
    const tag = hi >>> this.#tagShift;
    for (let i = lo & mask; ; i = (i + 1) & mask) {
      const cell = t[i]!;
      if (cell === EMPTY) return -1;
      if (cell >>> slotBits !== tag) continue;
      const slot = (cell & this.#slotMask) - 1;
      if (k[2 * slot] === hi && k[2 * slot + 1] === lo) return slot;
    }
  }

  /** Writes a new id at the end of the ring (which has room); returns its slot. */
  #put(hi: number, lo: number, now: number): number {
    let slot = this.#head + this.#count;
    if (slot >= this.#at.length) slot -= this.#at.length;
    const k = this.#keys;
    k[2 * slot] = hi;
    k[2 * slot + 1] = lo;
    this.#at[slot] = now;
    this.#count++;
    return slot;
  }

  #insert(hi: number, lo: number, now: number): void {
    this.#bytesAbsent = false;
    this.#absent = undefined;
    if (this.#count === this.#at.length) {
      if (this.#at.length < this.#max) this.#grow();
      else this.#evictOldest();
    }
    if (this.#count >= this.#tableLimit) this.#rebuildTable(this.#table.length * 2);
    const slot = this.#put(hi, lo, now);
    const k = this.#keys;
    // An expired id recorded again takes a new slot: its cell points there from now on.
    const t = this.#table;
    const mask = this.#mask;
    for (let i = lo & mask; ; i = (i + 1) & mask) {
      const cell = t[i]!;
      if (cell === EMPTY) {
        t[i] = this.#cell(hi, slot);
        return;
      }
      if (!this.#tagged(cell, hi)) continue;
      const other = (cell & this.#slotMask) - 1;
      if (other !== slot && k[2 * other] === hi && k[2 * other + 1] === lo) {
        t[i] = this.#cell(hi, slot);
        return;
      }
    }
  }

  /** Drops the oldest id; its cell goes only if it still points at that slot. */
  #evictOldest(): void {
    const slot = this.#head;
    this.#head = (this.#head + 1) % this.#at.length;
    this.#count--;
    const t = this.#table;
    const mask = this.#mask;
    const hi = this.#keys[2 * slot]!;
    const mine = this.#cell(hi, slot);
    for (let i = this.#keys[2 * slot + 1]! & mask; ; i = (i + 1) & mask) {
      const cell = t[i]!;
      if (cell === EMPTY) return;
      if (cell === mine) {
        this.#deleteCell(i);
        return;
      }
    }
  }

  /** Backward-shift deletion: later cells of the probe run move up so no lookup stops early. */
  #deleteCell(at: number): void {
    const t = this.#table;
    const mask = this.#mask;
    let hole = at;
    for (let i = (at + 1) & mask; ; i = (i + 1) & mask) {
      const cell = t[i]!;
      if (cell === EMPTY) break;
      const home = this.#keys[2 * ((cell & this.#slotMask) - 1) + 1]! & mask;
      // The cell may fill the hole if its home is not in (hole, i] (cyclically).
      if (((i - home) & mask) >= ((i - hole) & mask)) {
        t[hole] = cell;
        hole = i;
      }
    }
    t[hole] = EMPTY;
  }

  /**
   * Doubles the ring (up to max), laying it out oldest first. The ring only grows while no
   * id was evicted yet, so its oldest id is in slot 0 and every slot keeps its number: the
   * table stays as it is (it grows on its own, by how many ids it holds).
   */
  #grow(): void {
    const oldKeys = this.#keys;
    const oldAt = this.#at;
    const oldCap = oldAt.length;
    const cap = Math.min(this.#max, oldCap * 2);
    const count = this.#count;
    const head = this.#head;
    const k = new Uint32Array(cap * 2);
    const at = new Float64Array(cap);
    // Oldest first: the ring from its head to its end, then from its start (copied whole).
    const first = Math.min(count, oldCap - head);
    k.set(oldKeys.subarray(2 * head, 2 * (head + first)));
    k.set(oldKeys.subarray(0, 2 * (count - first)), 2 * first);
    at.set(oldAt.subarray(head, head + first));
    at.set(oldAt.subarray(0, count - first), first);
    this.#keys = k;
    this.#at = at;
    this.#head = 0;
    if (head !== 0) this.#rebuildTable(this.#table.length); // slots were renumbered
  }

  /**
   * A new table of `size` cells for the ids in the ring, oldest first (so a re-recorded
   * id's cell ends on its newest slot).
   */
  #rebuildTable(size: number): void {
    const k = this.#keys;
    const cap = this.#at.length;
    const count = this.#count;
    const head = this.#head;
    const t = new Int32Array(size);
    const mask = size - 1;
    this.#table = t;
    this.#mask = mask;
    this.#tableLimit = tableLimit(size);
    const slotBits = this.#slotBits;
    const slotMask = this.#slotMask;
    const tagShift = this.#tagShift;
    for (let n = 0, slot = head; n < count; n++, slot = slot + 1 === cap ? 0 : slot + 1) {
      const hi = k[2 * slot]!;
      const lo = k[2 * slot + 1]!;
      const tag = hi >>> tagShift;
      const mine = (tag << slotBits) | (slot + 1);
      for (let i = lo & mask; ; i = (i + 1) & mask) {
        const cell = t[i]!;
        if (cell === EMPTY) {
          t[i] = mine;
          break;
        }
        if (cell >>> slotBits !== tag) continue;
        const other = (cell & slotMask) - 1;
        if (k[2 * other] === hi && k[2 * other + 1] === lo) {
          t[i] = mine;
          break;
        }
      }
    }
  }
}

/** The first table's size: a power of two that takes `cap` ids at most 3/4 full. */
function tableSizeFor(cap: number): number {
  let n = 4;
  while (tableLimit(n) < cap) n *= 2;
  return n;
}

/**
 * Ids a table of `size` cells takes before it doubles: 3/4 of them. A lookup of an absent id
 * (nearly every line a relay forwards) reads a few neighbouring cells of one cache line
 * even that full, and a smaller table misses the CPU's caches less often (issue 9).
 */
function tableLimit(size: number): number {
  return size - (size >>> 2);
}
