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
    expect(await checkWritableFolders(dir, join(dir, 'not-yet'))).toBeUndefined(); // made by the first download
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
