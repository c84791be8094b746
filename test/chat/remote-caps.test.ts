/**
 * Tables of the chat extensions that grow with what the mesh sends (STYLE.md rule 3): the
 * name cache (names, and records per name) and the signers remembered for `/contact add`.
 * Each is flooded past its cap; what it holds stays at the cap, the newest kept.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Contacts, MAX_SIGNERS_SEEN } from '../../protocols/chat/contacts.js';
import { ephemeralIdentity } from '../../protocols/chat/identity.js';
import { MAX_CACHED_NAMES, MAX_RECORDS_PER_NAME, NameCache } from '../../protocols/chat/names/name-cache.js';
import { makeRecord } from '../../protocols/chat/names/record.js';
import { NetError } from '../../src/errors.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const NOW = 1_700_000_000_000;
const id = ephemeralIdentity();

describe('NameCache under a flood of answers', () => {
  it(`holds ${MAX_CACHED_NAMES} names at most, the oldest forgotten first`, () => {
    const c = new NameCache();
    for (let i = 0; i <= MAX_CACHED_NAMES + 100; i++) c.put(makeRecord(`0.n${i}`, 'global', ['chat@127.0.0.1:1'], NOW, 60_000, id));
    expect(c.size).toBe(MAX_CACHED_NAMES);
    expect(c.get('0.n0', NOW)).toEqual([]);
    expect(c.get(`0.n${MAX_CACHED_NAMES + 100}`, NOW)).toHaveLength(1);
  });

  it(`holds ${MAX_RECORDS_PER_NAME} publishers of one unsecured name at most, one record each`, () => {
    const c = new NameCache();
    for (let i = 0; i < 100; i++) {
      const r = makeRecord('0.lobby', 'global', [`chat@127.0.0.1:${1000 + i}`], NOW + i, 60_000, id);
      c.put(r);
      c.put(r); // again: refreshed, not a second record
    }
    const held = c.get('0.lobby', NOW);
    expect(held).toHaveLength(MAX_RECORDS_PER_NAME);
    expect(held.at(-1)!.endpoints).toEqual(['chat@127.0.0.1:1099']);
  });
});

describe('Contacts: signers seen', () => {
  it(`remembers the newest ${MAX_SIGNERS_SEEN} signers for /contact add, no more`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peerdeck-signers-'));
    dirs.push(dir);
    const c = new Contacts(dir);
    for (let i = 0; i <= MAX_SIGNERS_SEEN + 10; i++) c.signer(`nick${i}`, `key${i}`, i.toString(16).padStart(40, '0'));
    const err = await c.add('nick0', undefined, NOW).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetError);
    expect((err as NetError).code).toBe('NOT_FOUND');
    const kept = await c.add(`nick${MAX_SIGNERS_SEEN + 10}`, undefined, NOW);
    expect(kept.key).toBe(`key${MAX_SIGNERS_SEEN + 10}`);
  });
});
