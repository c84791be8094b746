import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AccountStore, MAX_BANS } from '../../protocols/napster/server/account-store.js';

/** Bans come over the network (612 from moderators): the list is capped, and a full list says so. */
describe('the ban list', () => {
  it('holds at most MAX_BANS; a new one past that is refused, a renewed one still taken; the file keeps them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'napster-bans-'));
    try {
      const file = join(dir, 'accounts.json');
      const store = new AccountStore(file);
      const ban = (target: string) => store.ban({ target, by: 'mod', reason: 'spam', at: 1 });
      for (let i = 0; i < MAX_BANS; i++) expect(ban(`10.0.${i >> 8}.${i & 255}`)).toBe(true);
      expect(ban('spammer')).toBe(false);
      expect(ban('10.0.0.7')).toBe(true);
      expect([...store.bans()]).toHaveLength(MAX_BANS);
      expect(store.banFor('spammer')).toBeUndefined();
      await store.flush();
      const again = new AccountStore(file);
      await again.load();
      expect([...again.bans()]).toHaveLength(MAX_BANS);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
