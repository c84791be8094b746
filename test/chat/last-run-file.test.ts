/**
 * chat-run.json is read at start to undo a run that ended without PART (README "Nicks"):
 * whatever the file holds (cut short, hand-edited, another version's), the start goes on,
 * a left run is named only with a valid node id and nick, and ours is recorded in its place.
 * Real files in a temp dir.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beginRun, LAST_RUN_FILE } from '../../protocols/chat/last-run.js';
import { isGoodNick } from '../../src/nick.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerdeck-last-run-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ours = { node: 'ours0001', nick: 'me' };

describe('chat-run.json of any content', () => {
  it('names a left run only when it is a valid one, and records ours (property)', async () => {
    const run = fc.record({ node: fc.oneof(fc.string({ maxLength: 70 }), fc.constantFrom('abc123', 'ours0001', 'a'.repeat(65)), fc.anything()), nick: fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('bob', ''), fc.anything()) }, { requiredKeys: [] });
    const text = fc.oneof(fc.string(), fc.json(), run.map((r) => JSON.stringify(r)), fc.jsonValue().map((v) => JSON.stringify(v)));
    await fc.assert(
      fc.asyncProperty(text, async (t) => {
        await writeFile(join(dir, LAST_RUN_FILE), t);
        const left = await beginRun(dir, ours);
        if (left) {
          expect(left.node).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
          expect(left.node).not.toBe(ours.node);
          expect(isGoodNick(left.nick)).toBe(true);
        }
        expect(JSON.parse(await readFile(join(dir, LAST_RUN_FILE), 'utf8'))).toEqual(ours);
      }),
      { numRuns: 300 },
    );
  });
});
