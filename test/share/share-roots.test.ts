/**
 * `--share` of a folder that is not there is an error at start: the real
 * program exits with status 2 and says which folder, before it listens.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMainOnce } from '../cli/cli-process.js';
import { checkShareRoots } from '../../src/share/share-roots.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('--share checked at start', () => {
  it('says which folder is missing, or is a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peerdeck-share-'));
    dirs.push(dir);
    await writeFile(join(dir, 'song.mp3'), 'x');
    expect(await checkShareRoots([dir])).toBeUndefined();
    expect(await checkShareRoots([dir, join(dir, 'nope')])).toBe(`--share ${join(dir, 'nope')}: no such folder`);
    expect(await checkShareRoots([join(dir, 'song.mp3')])).toMatch(/that is a file, not a folder/);
  });

  it('the program exits with status 2 before listening', { timeout: 30_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peerdeck-share-'));
    dirs.push(dir);
    const missing = join(dir, 'no-such-folder');
    const r = await runMainOnce(['--headless', '--data-dir', dir, '--share', missing, '--chat-port', '0', '--chat-host', '127.0.0.1', '--no-discovery']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`peerdeck: --share ${missing}: no such folder`);
    expect(r.stdout).not.toContain('ready');
  });
});
