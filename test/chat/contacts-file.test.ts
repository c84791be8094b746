/**
 * contacts.json is the user's file and may be hand-edited (README "Contacts"): a file that is
 * not JSON or not a list is a clear error naming it; entries that are not contacts are skipped.
 * Real files in a temp dir.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Contacts, CONTACTS_FILE } from '../../protocols/chat/contacts.js';
import { NetError } from '../../src/errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerdeck-contacts-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const BOB = { name: 'bob', authority: 'a'.repeat(40), key: 'K'.repeat(43), added: 5 };

async function load(text: string): Promise<Contacts> {
  await writeFile(join(dir, CONTACTS_FILE), text);
  const c = new Contacts(dir);
  await c.load();
  return c;
}

describe('contacts.json as the user left it', () => {
  // `[null]` stopped the start with "Cannot read properties of null (reading 'name')".
  it('skips entries that are not contacts and keeps the rest', async () => {
    const c = await load(JSON.stringify([null, 5, 'bob', [], { name: 7 }, { name: 'x y', authority: 'a', key: 'k' }, BOB]));
    expect(c.list()).toEqual([BOB]);
  });

  it('names the file when it is not JSON or not a list', async () => {
    for (const text of ['{"node":1', '{}', 'null', '"x"']) {
      const err = await load(text).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetError);
      expect((err as NetError).message).toContain(CONTACTS_FILE);
    }
  });

  it('loads any JSON or bytes without anything but a NetError (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.json(), fc.jsonValue().map((v) => JSON.stringify([v, BOB])), fc.string()), async (text) => {
        try {
          const c = await load(text);
          expect(c.list().length).toBeLessThanOrEqual(1_024);
        } catch (err) {
          expect(err).toBeInstanceOf(NetError);
        }
      }),
      { numRuns: 200 },
    );
  });
});
