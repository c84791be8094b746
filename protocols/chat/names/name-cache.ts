/**
 * The bounded cache of name records a node has seen answered (issue 14 "Peer names":
 * resolution answers from a bounded cache; answers are cached by the nodes they pass).
 * Capped in names and in records per name; the oldest name goes first; expired records
 * are dropped when read. A record older than the one held for the same publisher is refused.
 */
import type { NameRecord } from './record.js';

/** Names held, and records per name (several publishers of one unsecured name). */
export const MAX_CACHED_NAMES = 2_048;
export const MAX_RECORDS_PER_NAME = 8;

/** What putting a record did. */
export type CachePut = 'added' | 'refreshed' | 'older';

/** Who published a record: its key, or for an unsecured one its endpoints. */
function publisher(r: NameRecord): string {
  return r.key ?? r.endpoints.join(',');
}

/**
 * Puts `r` into one name's `list` (in place): it replaces the record of the same publisher
 * unless that one is newer ('older': nothing changes), and past MAX_RECORDS_PER_NAME
 * publishers the oldest goes. The cache keeps its lists this way, and so does a resolution
 * gathering answers, so a neighbour that answers again and again, or makes up publishers
 * of an unsecured name, holds at most MAX_RECORDS_PER_NAME records in either.
 */
export function putRecord(list: NameRecord[], r: NameRecord): CachePut {
  const who = publisher(r);
  const i = list.findIndex((x) => publisher(x) === who);
  let result: CachePut = 'added';
  if (i !== -1) {
    if (list[i]!.issued > r.issued) return 'older';
    list.splice(i, 1);
    result = 'refreshed';
  }
  list.push(r);
  if (list.length > MAX_RECORDS_PER_NAME) list.shift();
  return result;
}

/** See the file comment. */
export class NameCache {
  readonly #names = new Map<string, NameRecord[]>();

  get size(): number {
    return this.#names.size;
  }

  /** Stores a verified record; 'older' (and nothing changes) for a replay of an older one. */
  put(r: NameRecord): CachePut {
    const list = this.#names.get(r.name) ?? [];
    const result = putRecord(list, r);
    if (result === 'older') return result;
    this.#names.delete(r.name);
    this.#names.set(r.name, list);
    if (this.#names.size > MAX_CACHED_NAMES) this.#names.delete(this.#names.keys().next().value!);
    return result;
  }

  /** The live records of `name` (expired ones are dropped). */
  get(name: string, now: number): NameRecord[] {
    const list = this.#names.get(name);
    if (!list) return [];
    const live = list.filter((r) => r.expires > now);
    if (live.length === 0) this.#names.delete(name);
    else if (live.length !== list.length) this.#names.set(name, live);
    return live;
  }

  /** Every live record (for `/names cache`, `/clouds`). */
  all(now: number): NameRecord[] {
    return [...this.#names.keys()].flatMap((n) => this.get(n, now));
  }
}
