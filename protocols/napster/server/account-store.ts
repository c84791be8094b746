/**
 * Registered nicks (specs/napster.md §3.2), persisted in the data dir with
 * scrypt-salted password hashes (OpenNap keeps plain text) and written
 * atomically (temp file + fsync + rename): a crash leaves the old or the new
 * file, never half of one. Writes are coalesced: at most one in flight, and
 * one more scheduled if anything changed meanwhile.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { readdir, readFile, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { NetError } from '../../../src/errors.js';
import { writeFileAtomic } from '../../../src/paths.js';
import { LEVEL_USER, LEVELS } from '../constants.js';

/** One registered nick. */
export interface Account {
  nick: string;
  salt: string;
  hash: string;
  level: number;
  email: string;
  /** Unix seconds when the nick was last seen online (0 = never). */
  lastSeen: number;
}

/** A ban on a nick or an IP (§7 moderator commands). */
export interface Ban {
  target: string;
  by: string;
  reason: string;
  at: number;
}

interface FileShape {
  version: 1;
  accounts: Account[];
  bans: Ban[];
}

/** scrypt cost: N = 2^14, r = 8, p = 1 (Node's default work factor, ~16 MiB). */
export interface HashCost {
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_HASH_COST: HashCost = { N: 1 << 14, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** A cap on stored accounts: auto-registration grows with remote input. */
export const MAX_ACCOUNTS = 100_000;
/** A cap on bans: moderators add them over the network. */
export const MAX_BANS = 10_000;

function scrypt(password: string, salt: Buffer, cost: HashCost): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, KEY_BYTES, { ...cost, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** A guard for an account read from a file or the network. */
export function isAccount(v: unknown): v is Account {
  const a = v as Account;
  return (
    typeof a === 'object' && a !== null && typeof a.nick === 'string' && typeof a.salt === 'string' &&
    typeof a.hash === 'string' && typeof a.level === 'number' && a.level >= 0 && a.level < LEVELS.length
  );
}

function isBan(v: unknown): v is Ban {
  const b = v as Ban;
  return typeof b === 'object' && b !== null && typeof b.target === 'string' && typeof b.by === 'string';
}

export class AccountStore {
  readonly #accounts = new Map<string, Account>();
  readonly #bans = new Map<string, Ban>();
  #writing: Promise<void> | undefined;
  #dirty = false;
  /** Told of every account this server changes (a cluster copies it to the network, issue 15). */
  onChange: ((acct: Account) => void) | undefined;
  /**
   * Asked before a NEW nick is stored: false when another server of the
   * cluster registered it first (issue 15); register then fails with a
   * DUPLICATE error. Without a cluster, always yes.
   */
  claim: ((acct: Account) => Promise<boolean>) | undefined;

  constructor(
    readonly path: string,
    private readonly cost: HashCost = DEFAULT_HASH_COST,
    private readonly onWriteError: (err: unknown) => void = () => undefined,
  ) {}

  /**
   * Loads the file; a missing file is an empty store, a corrupt one an error
   * (never silently wiped). Temporary files a crash left mid-write are removed.
   */
  async load(): Promise<void> {
    const dir = dirname(this.path);
    const stem = `${basename(this.path)}.`;
    for (const f of await readdir(dir).catch(() => [] as string[])) {
      if (f.startsWith(stem) && f.endsWith('.tmp')) await unlink(join(dir, f)).catch(() => undefined);
    }
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw NetError.badMessage(`${this.path}: not valid JSON; fix or remove it`);
    }
    const d = data as Partial<FileShape>;
    for (const a of Array.isArray(d.accounts) ? d.accounts : []) {
      if (isAccount(a)) this.#accounts.set(a.nick.toLowerCase(), { ...a, email: a.email ?? '', lastSeen: a.lastSeen ?? 0 });
    }
    for (const b of Array.isArray(d.bans) ? d.bans : []) if (isBan(b) && this.#bans.size < MAX_BANS) this.#bans.set(b.target.toLowerCase(), b);
  }

  get size(): number {
    return this.#accounts.size;
  }

  all(): IterableIterator<Account> {
    return this.#accounts.values();
  }

  get(nick: string): Account | undefined {
    return this.#accounts.get(nick.toLowerCase());
  }

  /**
   * Registers (or re-keys) a nick with a fresh salted hash. With `fresh` the
   * nick must still be free once the hash is made: an account that arrived
   * from another server meanwhile fails it with DUPLICATE, as a lost claim does.
   */
  async register(nick: string, password: string, opts: { level?: number; email?: string; fresh?: boolean } = {}): Promise<Account> {
    const key = nick.toLowerCase();
    if (!this.#accounts.has(key) && this.#accounts.size >= MAX_ACCOUNTS) throw NetError.limit('account store is full');
    const salt = randomBytes(SALT_BYTES);
    const hash = await scrypt(password, salt, this.cost);
    const old = this.#accounts.get(key);
    const acct: Account = {
      nick,
      salt: salt.toString('hex'),
      hash: hash.toString('hex'),
      level: opts.level ?? old?.level ?? LEVEL_USER,
      email: opts.email ?? old?.email ?? '',
      lastSeen: old?.lastSeen ?? 0,
    };
    const taken = NetError.duplicate('Nick registered to another user');
    if (old && opts.fresh) throw taken;
    if (!old && this.claim && !(await this.claim(acct))) throw taken;
    this.#accounts.set(key, acct);
    this.save();
    this.onChange?.(acct);
    return acct;
  }

  /** Takes an account as another server of the cluster stored it (kept on disk too). */
  adopt(acct: Account): void {
    if (!this.#accounts.has(acct.nick.toLowerCase()) && this.#accounts.size >= MAX_ACCOUNTS) return;
    this.#accounts.set(acct.nick.toLowerCase(), { ...acct, email: acct.email ?? '', lastSeen: acct.lastSeen ?? 0 });
    this.save();
  }

  /** True when the password matches the stored hash (constant-time compare). */
  async verify(acct: Account, password: string): Promise<boolean> {
    const want = Buffer.from(acct.hash, 'hex');
    const got = await scrypt(password, Buffer.from(acct.salt, 'hex'), this.cost);
    return want.length === got.length && timingSafeEqual(want, got);
  }

  update(nick: string, change: Partial<Pick<Account, 'level' | 'email' | 'lastSeen'>>): void {
    const a = this.get(nick);
    if (!a) return;
    Object.assign(a, change);
    this.save();
    this.onChange?.(a);
  }

  remove(nick: string): boolean {
    const ok = this.#accounts.delete(nick.toLowerCase());
    if (ok) this.save();
    return ok;
  }

  /** Adds or renews a ban; false (nothing stored) when it is new and the list holds MAX_BANS already. */
  ban(b: Ban): boolean {
    const key = b.target.toLowerCase();
    if (!this.#bans.has(key) && this.#bans.size >= MAX_BANS) return false;
    this.#bans.set(key, b);
    this.save();
    return true;
  }

  unban(target: string): boolean {
    const ok = this.#bans.delete(target.toLowerCase());
    if (ok) this.save();
    return ok;
  }

  banFor(nickOrIp: string): Ban | undefined {
    return this.#bans.get(nickOrIp.toLowerCase());
  }

  bans(): Ban[] {
    return [...this.#bans.values()];
  }

  /** Schedules an atomic write of the whole store (coalesced). */
  save(): void {
    this.#dirty = true;
    if (!this.#writing) this.#writing = this.#writeLoop();
  }

  /** Resolves when every pending change is on disk. */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  async #writeLoop(): Promise<void> {
    try {
      while (this.#dirty) {
        this.#dirty = false;
        const data: FileShape = { version: 1, accounts: [...this.#accounts.values()], bans: [...this.#bans.values()] };
        try {
          await writeFileAtomic(this.path, JSON.stringify(data, null, 1) + '\n');
        } catch (err) {
          this.onWriteError(err);
        }
      }
    } finally {
      this.#writing = undefined;
    }
  }
}
