/**
 * Accounts in a JetStream key-value bucket (issue 15): every server of a
 * cluster keeps the whole bucket mirrored into its AccountStore (which stays
 * the synchronous source handlers read, and its file a local copy), writes
 * its own changes to the bucket, and reads a nick's entry again just before
 * a login so a registration made a moment ago on another server counts.
 * Hashes stay salted scrypt, as the AccountStore makes them.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { Kvm, type KV } from '@nats-io/kv';
import type { Logger } from '../../../../src/log.js';
import { isAccount, type Account, type AccountStore } from '../account-store.js';
import { parseBody } from './cluster-messages.js';

/** How long a login waits for the bucket before deciding with what it has. */
const LOOKUP_MS = 2_000;

/** A bucket key for a nick: hex of its lower case (KV keys allow few characters). */
export function accountKey(nick: string): string {
  return Buffer.from(nick.toLowerCase(), 'utf8').toString('hex');
}

export class ClusterAccounts {
  #kv: KV | undefined;
  #stopped = false;

  constructor(
    readonly bucket: string,
    readonly store: AccountStore,
    readonly log: Logger,
  ) {}

  /**
   * Opens (or creates) the bucket, copies local accounts the bucket lacks into
   * it, then mirrors every entry; changes made here go to the bucket.
   */
  async open(nc: NatsConnection): Promise<void> {
    const kv = await new Kvm(nc).create(this.bucket, { history: 1 });
    this.#kv = kv;
    this.store.onChange = (acct) => this.#put(acct);
    this.store.claim = (acct) => this.#claim(acct);
    const watch = await kv.watch();
    void (async () => {
      for await (const e of watch) {
        if (this.#stopped) break;
        if (e.operation !== 'PUT') continue;
        const acct = parseBody(e.value);
        if (isAccount(acct)) this.store.adopt(acct);
        else this.log.warn(`napster cluster: ignored a malformed account entry ${e.key}`);
      }
    })().catch((err: unknown) => this.log.warn(`napster cluster: account watch ended: ${String(err)}`));
  }

  /** Local accounts the bucket does not have yet (a server that ran alone before joining). */
  async upload(accounts: Iterable<Account>): Promise<void> {
    const kv = this.#kv;
    if (!kv) return;
    for (const a of accounts) {
      await kv.create(accountKey(a.nick), JSON.stringify(a)).catch(() => undefined);
    }
  }

  /** Refreshes one nick from the bucket (before a login); gives up quietly after LOOKUP_MS. */
  async refresh(nick: string): Promise<void> {
    const kv = this.#kv;
    if (!kv) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), LOOKUP_MS)));
    try {
      const e = await Promise.race([kv.get(accountKey(nick)), timeout]);
      if (e && e.operation === 'PUT') {
        const acct = parseBody(e.value);
        if (isAccount(acct)) this.store.adopt(acct);
      }
    } catch (err) {
      this.log.debug(`napster cluster: account lookup for ${nick}: ${String(err)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.#stopped = true;
    this.store.onChange = undefined;
    this.store.claim = undefined;
  }

  /**
   * A new nick is created in the bucket only if no server has it, so two
   * servers registering one nick in the same moment cannot both win. When the
   * bucket cannot be asked in time the registration goes ahead (the server
   * serves alone while NATS is away, and the last write wins then).
   */
  async #claim(acct: Account): Promise<boolean> {
    const kv = this.#kv;
    if (!kv) return true;
    const key = accountKey(acct.nick);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), LOOKUP_MS)));
    const created = kv.create(key, JSON.stringify(acct)).then(
      () => 'created' as const,
      async (err: unknown) => {
        // Refused because the key exists (another server was first), or the bucket is unwell.
        const e = await kv.get(key).catch(() => null);
        if (e?.operation === 'PUT') return 'taken' as const;
        this.log.warn(`napster cluster: cannot claim ${acct.nick} in the bucket, registering here alone: ${String(err)}`);
        return 'unknown' as const;
      },
    );
    try {
      const r = await Promise.race([created, late]);
      if (r === 'taken') await this.refresh(acct.nick);
      return r !== 'taken';
    } finally {
      clearTimeout(timer);
    }
  }

  #put(acct: Account): void {
    this.#kv?.put(accountKey(acct.nick), JSON.stringify(acct)).catch((err: unknown) => {
      this.log.warn(`napster cluster: cannot store account ${acct.nick}: ${String(err)}`);
    });
  }
}
