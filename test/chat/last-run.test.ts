/**
 * `chat-run.json` (last-run.ts) is read from the data dir at start: whatever
 * is in it (a crash mid-write, an edited or hostile file) gives either a
 * well-formed run of another node or nothing, and is then replaced by ours.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { beginRun, endRun, LAST_RUN_FILE } from '../../protocols/chat/last-run.js';

const ours = { node: 'a'.repeat(32), nick: 'bob' };
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function withFile(text: string | undefined): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'peerdeck-last-run-'));
  dirs.push(dir);
  if (text !== undefined) await writeFile(join(dir, LAST_RUN_FILE), text);
  return dir;
}

describe('the last chat run left in the data dir', () => {
  it('names the run a crash left, and records ours in its place; a clean stop removes it', async () => {
    const dir = await withFile(JSON.stringify({ node: 'b'.repeat(32), nick: 'bob' }));
    expect(await beginRun(dir, ours)).toEqual({ node: 'b'.repeat(32), nick: 'bob' });
    expect(JSON.parse(await readFile(join(dir, LAST_RUN_FILE), 'utf8'))).toEqual(ours);
    await endRun(dir);
    await expect(stat(join(dir, LAST_RUN_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await beginRun(dir, ours)).toBeUndefined();
  });

  it.each<[string, string | undefined]>([
    ['no file', undefined],
    ['an empty file (a crash mid-write)', ''],
    ['broken JSON', '{"node": "bbbb'],
    ['not an object', '"bob"'],
    ['null', 'null'],
    ['fields of the wrong type', JSON.stringify({ node: 7, nick: ['bob'] })],
    ['a node id with a space', JSON.stringify({ node: 'b b', nick: 'bob' })],
    ['a node id of 65 characters', JSON.stringify({ node: 'b'.repeat(65), nick: 'bob' })],
    ['a nick no node may use', JSON.stringify({ node: 'b'.repeat(32), nick: 'bo b\n' })],
    ['a nick of 10,000 characters', JSON.stringify({ node: 'b'.repeat(32), nick: 'x'.repeat(10_000) })],
    ['our own node id (nothing to undo)', JSON.stringify(ours)],
  ])('%s: nothing to undo, and ours is recorded', async (_name, text) => {
    const dir = await withFile(text);
    expect(await beginRun(dir, ours)).toBeUndefined();
    expect(JSON.parse(await readFile(join(dir, LAST_RUN_FILE), 'utf8'))).toEqual(ours);
  });
});
