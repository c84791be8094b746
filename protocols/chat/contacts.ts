/**
 * Contacts (issue 14 "People Near Me"): public keys stored by trust on first use. `/contact
 * add who [name]` stores the key last seen signing lines of `who` (a nick or an authority
 * prefix); signed lines from a contact show its name; a signed line under a contact's name
 * with another key is a loud warning. Kept in `contacts.json` in the data dir (atomic writes).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NetError } from '../../src/errors.js';
import { writeFileAtomic } from '../../src/paths.js';
import { isNick } from './text.js';

export const CONTACTS_FILE = 'contacts.json';
/** Contacts kept, and signers remembered for `/contact add`. */
export const MAX_CONTACTS = 1_024;
export const MAX_SIGNERS_SEEN = 1_024;

/** One stored contact. */
export interface Contact {
  name: string;
  authority: string;
  key: string;
  added: number;
}

/** What a signed line's signer is to us. */
export type SignerView =
  | { kind: 'contact'; name: string }
  | { kind: 'stranger' }
  /** The nick is a contact's name but the key is not the contact's: a loud warning. */
  | { kind: 'key-changed'; name: string; stored: string };

/** See the file comment. */
export class Contacts {
  readonly #path: string;
  readonly #byAuthority = new Map<string, Contact>();
  readonly #byName = new Map<string, Contact>();
  /** nick -> last key seen signing it (bounded; for `/contact add nick`). */
  readonly #seen = new Map<string, { key: string; authority: string }>();
  readonly #warned = new Set<string>();

  constructor(dataDir: string) {
    this.#path = join(dataDir, CONTACTS_FILE);
  }

  /** Loads the file; a missing file is an empty list, a corrupt one a clear error. */
  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw NetError.file(err, this.#path);
    }
    let list: unknown;
    try {
      list = JSON.parse(text);
    } catch {
      throw NetError.usage(`${this.#path} is not JSON`);
    }
    if (!Array.isArray(list)) throw NetError.usage(`${this.#path} is not a list of contacts`);
    // Entries that are not contacts (null, a number, a hand-edited typo) are skipped, not fatal.
    for (const c of list.slice(0, MAX_CONTACTS) as unknown[]) {
      if (typeof c !== 'object' || c === null) continue;
      const { name, authority, key, added } = c as Partial<Record<keyof Contact, unknown>>;
      if (typeof name === 'string' && typeof authority === 'string' && typeof key === 'string' && isNick(name)) this.#put({ name, authority, key, added: Number(added) || 0 });
    }
  }

  #put(c: Contact): void {
    const old = this.#byName.get(c.name);
    if (old) this.#byAuthority.delete(old.authority);
    this.#byName.set(c.name, c);
    this.#byAuthority.set(c.authority, c);
  }

  /** A verified signed line from `nick` with `key`: what its signer is to us. */
  signer(nick: string, key: string, authority: string): SignerView {
    this.#seen.delete(nick);
    this.#seen.set(nick, { key, authority });
    if (this.#seen.size > MAX_SIGNERS_SEEN) this.#seen.delete(this.#seen.keys().next().value!);
    const c = this.#byAuthority.get(authority);
    if (c) return { kind: 'contact', name: c.name };
    const named = this.#byName.get(nick);
    if (named) return { kind: 'key-changed', name: named.name, stored: named.authority };
    return { kind: 'stranger' };
  }

  /** How a verified signed line's signer shows: a contact's name, else its authority, plus a warning to raise once. */
  mark(nick: string, key: string, authority: string): { signedBy: string; contact?: boolean; warning?: string } {
    const v = this.signer(nick, key, authority);
    if (v.kind === 'contact') return { signedBy: v.name, contact: true };
    if (v.kind === 'key-changed' && this.firstWarning(v.name, authority)) {
      return { signedBy: authority, warning: `WARNING: ${v.name} now signs with another key (contact ${v.stored.slice(0, 8)}, this line ${authority.slice(0, 8)}): not your contact, or their key changed` };
    }
    return { signedBy: authority };
  }

  /** Whether a key-change warning for this name and authority is new (warn once each). */
  firstWarning(name: string, authority: string): boolean {
    const k = `${name} ${authority}`;
    if (this.#warned.has(k)) return false;
    if (this.#warned.size >= MAX_SIGNERS_SEEN) this.#warned.clear();
    this.#warned.add(k);
    return true;
  }

  /** `/contact add who [name]`: `who` is a nick seen signing, or an authority (prefix of 8+). */
  async add(who: string, name: string | undefined, now: number): Promise<Contact> {
    let found = this.#seen.get(who);
    if (!found && /^[0-9a-f]{8,40}$/.test(who)) {
      for (const s of this.#seen.values()) if (s.authority.startsWith(who)) found = s;
    }
    if (!found) throw NetError.notFound(`no signed line from ${who} seen yet (ask them to use --sign)`);
    const n = name ?? (isNick(who) && !/^[0-9a-f]{8,40}$/.test(who) ? who : found.authority.slice(0, 8));
    if (!isNick(n)) throw NetError.usage(`not a usable contact name: ${n}`);
    if (this.#byName.size >= MAX_CONTACTS && !this.#byName.has(n)) throw NetError.limit(`${MAX_CONTACTS} contacts at most`);
    const c: Contact = { name: n, authority: found.authority, key: found.key, added: now };
    this.#put(c);
    await this.save();
    return c;
  }

  list(): Contact[] {
    return [...this.#byName.values()];
  }

  async save(): Promise<void> {
    await writeFileAtomic(this.#path, `${JSON.stringify(this.list(), null, 1)}\n`);
  }
}
