import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { parseHostPort } from '../net/address.js';
import { writeFileAtomic } from '../paths.js';

export interface HostEntry {
  addr: string;
  /** Last time anyone told us about it or we linked to it (ms). */
  seen: number;
  /** Last successful link (ms), 0 if never. */
  good: number;
  /** Failed dials since the last success. */
  failures: number;
}

export interface HostCacheOptions {
  /** File the cache is persisted to. */
  file: string;
  /** Most addresses kept; the least useful is evicted past it. */
  max?: number;
  clock?: Clock;
}

const FILE_VERSION = 1;
const DEFAULT_MAX = 1_000;

/**
 * Known listening addresses for one protocol, with good/failed marks, persisted
 * atomically in the data dir so a restarted node rejoins on its own.
 */
export class HostCache {
  readonly #entries = new Map<string, HostEntry>();
  readonly #file: string;
  readonly #max: number;
  readonly #clock: Clock;
  #dirty = false;
  #saving: Promise<void> = Promise.resolve();

  constructor(opts: HostCacheOptions) {
    this.#file = opts.file;
    this.#max = opts.max ?? DEFAULT_MAX;
    this.#clock = opts.clock ?? systemClock;
  }

  /** Opens `<dataDir>/hosts-<name>.json`, starting empty when it is missing or unreadable. */
  static async open(dataDir: string, name: string, opts: Omit<HostCacheOptions, 'file'> = {}): Promise<HostCache> {
    const cache = new HostCache({ ...opts, file: join(dataDir, `hosts-${name}.json`) });
    await cache.load();
    return cache;
  }

  get size(): number {
    return this.#entries.size;
  }

  get file(): string {
    return this.#file;
  }

  /** Adds or refreshes an address; false when it is not a valid host:port. */
  add(addr: string): boolean {
    if (!parseHostPort(addr)) return false;
    const now = this.#clock.now();
    const e = this.#entries.get(addr);
    if (e) e.seen = now;
    else {
      this.#entries.set(addr, { addr, seen: now, good: 0, failures: 0 });
      this.#evict();
    }
    this.#dirty = true;
    return true;
  }

  good(addr: string): void {
    if (!this.add(addr)) return;
    const e = this.#entries.get(addr)!;
    e.good = this.#clock.now();
    e.failures = 0;
  }

  failed(addr: string): void {
    const e = this.#entries.get(addr);
    if (!e) return;
    e.failures++;
    this.#dirty = true;
  }

  remove(addr: string): void {
    if (this.#entries.delete(addr)) this.#dirty = true;
  }

  has(addr: string): boolean {
    return this.#entries.has(addr);
  }

  list(): string[] {
    return [...this.#entries.keys()];
  }

  entries(): HostEntry[] {
    return [...this.#entries.values()].map((e) => ({ ...e }));
  }

  /** Up to n addresses, best first (recently good, few failures), skipping `exclude`. */
  pick(n: number, exclude: ReadonlySet<string> = new Set()): string[] {
    return [...this.#entries.values()]
      .filter((e) => !exclude.has(e.addr))
      .sort((a, b) => score(b) - score(a) || b.seen - a.seen)
      .slice(0, Math.max(0, n))
      .map((e) => e.addr);
  }

  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.#file, 'utf8');
    } catch {
      return; // first run
    }
    try {
      const data = JSON.parse(text) as unknown;
      if (!data || typeof data !== 'object' || (data as { version?: unknown }).version !== FILE_VERSION) return;
      const hosts = (data as { hosts?: unknown }).hosts;
      if (!Array.isArray(hosts)) return;
      for (const h of hosts.slice(0, this.#max)) {
        if (!h || typeof h !== 'object') continue;
        const { addr, seen, good, failures } = h as Record<string, unknown>;
        if (typeof addr !== 'string' || !parseHostPort(addr)) continue;
        this.#entries.set(addr, { addr, seen: num(seen), good: num(good), failures: num(failures) });
      }
    } catch {
      // A corrupt cache is not fatal: start empty and overwrite it on the next save.
    }
  }

  /**
   * Writes the cache if it changed (atomic: temp file + rename). Saves run one
   * after another, so a periodic save and the one at stop never race, and a
   * caller's save resolves only once the file holds what it saw.
   */
  save(): Promise<void> {
    this.#saving = this.#saving.then(async () => {
      if (!this.#dirty) return;
      this.#dirty = false;
      const body = JSON.stringify({ version: FILE_VERSION, hosts: [...this.#entries.values()] }, null, 1);
      try {
        await writeFileAtomic(this.#file, body);
      } catch (err) {
        this.#dirty = true;
        throw err;
      }
    });
    const result = this.#saving;
    this.#saving = result.catch(() => undefined);
    return result;
  }

  #evict(): void {
    while (this.#entries.size > this.#max) {
      let worst: HostEntry | undefined;
      for (const e of this.#entries.values()) if (!worst || score(e) < score(worst)) worst = e;
      if (!worst) return;
      this.#entries.delete(worst.addr);
    }
  }
}

function score(e: HostEntry): number {
  return (e.good > 0 ? 1_000 : 0) - e.failures * 100 + e.seen / 1e12;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0;
}
