/**
 * A data folder or download folder peerdeck cannot use is an error at start:
 * the real program exits with status 2 and says which folder and why, before
 * it listens (it printed "fatal:" and a stack trace for a data folder that
 * could not be made, and started with a download folder that was a file).
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMainOnce } from '../cli/cli-process.js';
import { checkWritableFolders } from '../../src/folder-check.js';
import { ensureDir } from '../../src/paths.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function temp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'peerdeck-folders-'));
  dirs.push(dir);
  await writeFile(join(dir, 'a-file'), 'x');
  return dir;
}

describe('--data-dir and --downloads checked at start', () => {
  it('makes the data folder; a file in the way of either folder is named', async () => {
    const dir = await temp();
    expect(await checkWritableFolders(join(dir, 'state', 'deeper'), undefined)).toBeUndefined();
    expect((await stat(join(dir, 'state', 'deeper'))).isDirectory()).toBe(true);
    expect(await checkWritableFolders(dir, join(dir, 'not-yet', 'deeper'))).toBeUndefined();
    expect((await stat(join(dir, 'not-yet', 'deeper'))).isDirectory()).toBe(true); // made at start
    // A folder no one can make (under /proc) is said at start, not by every download failing later.
    expect(await checkWritableFolders(dir, '/proc/peerdeck-no-such/downloads')).toMatch(/^--downloads \/proc\/peerdeck-no-such\/downloads: cannot be made \(ENOENT/);
    const file = join(dir, 'a-file');
    expect(await checkWritableFolders(file, undefined)).toBe(`--data-dir ${file}: that is a file, not a folder`);
    expect(await checkWritableFolders(join(file, 'below'), undefined)).toBe(`--data-dir ${join(file, 'below')}: that is a file, not a folder`);
    expect(await checkWritableFolders(dir, file)).toBe(`--downloads ${file}: that is a file, not a folder`);
  });

  it('the program exits with status 2 and a sentence, not a stack trace, before listening', { timeout: 30_000 }, async () => {
    const dir = await temp();
    const file = join(dir, 'a-file');
    const common = ['--headless', '--no-chat', '--pplus2-port', '0', '--pplus2-host', '127.0.0.1'];
    const badData = await runMainOnce([...common, '--data-dir', file]);
    expect(badData.code).toBe(2);
    expect(badData.stderr).toBe(`peerdeck: --data-dir ${file}: that is a file, not a folder\n`);
    const badDownloads = await runMainOnce([...common, '--data-dir', join(dir, 'data'), '--downloads', file]);
    expect(badDownloads.code).toBe(2);
    expect(badDownloads.stderr).toBe(`peerdeck: --downloads ${file}: that is a file, not a folder\n`);
    expect(badDownloads.stdout).not.toContain('ready');
  });
});

describe('ensureDir', () => {
  it('makes missing parents, accepts a folder that is there, names a file in the way', async () => {
    const dir = await temp();
    await ensureDir(join(dir, 'a', 'b', 'c'));
    expect((await stat(join(dir, 'a', 'b', 'c'))).isDirectory()).toBe(true);
    await ensureDir(join(dir, 'a', 'b', 'c'));
    await Promise.all([1, 2, 3, 4].map(() => ensureDir(join(dir, 'x', 'y')))); // racing makers agree
    await expect(ensureDir(join(dir, 'a-file'))).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(ensureDir(join(dir, 'a-file', 'below'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('fails, and does not hang, where the kernel says ENOENT under a folder that exists (/proc)', { timeout: 10_000 }, async () => {
    await expect(ensureDir('/proc/peerdeck-no-such/deeper')).rejects.toMatchObject({ code: 'ENOENT' });
    const r = await runMainOnce(['--headless', '--no-chat', '--data-dir', '/proc/peerdeck-no-such/data']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^peerdeck: --data-dir \/proc\/peerdeck-no-such\/data: cannot write there \(ENOENT/);
  });
});
