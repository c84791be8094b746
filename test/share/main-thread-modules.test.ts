/**
 * The main thread of a process that shares a folder loads none of the share
 * workers' own code (issue 9, the first scan as a real process): the walk,
 * the stat-and-hash step, the blocking hashing and the lstat/readdir bindings
 * run only in the worker threads, and every module the main thread loads
 * before `share.hashed` is paid for in its start (Node 20's ESM loader: an
 * open, a read and a compile each) while the workers hash on the same cores.
 * Recorded with the ESM load hook of test/cli (module-log-hook.ts), which
 * sees the main thread's loads only.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT } from '../cli/cli-process.js';
import { MODULE_LOG_ENV } from '../cli/module-log-hook.js';
import { tempDir } from './helpers.js';

const HOOK = join(ROOT, 'dist', 'test', 'cli', 'module-log-hook.js');
const BIN = join(ROOT, 'bin', 'peerdeck.js');
/** Modules only a share worker needs (share-worker.ts and what it imports for itself). */
const WORKER_ONLY = ['share-worker.js', 'walk-sync.js', 'stat-hash-sync.js', 'hash-sync.js', 'lstat-fields.js', 'dir-types.js'];

describe('the main thread of a sharing process', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (t = await tempDir()));
  afterEach(() => t.cleanup());

  it('loads none of the share workers\' own modules on a first scan', async () => {
    const share = join(t.dir, 'share');
    await mkdir(join(share, 'album'), { recursive: true });
    for (let i = 0; i < 20; i++) await writeFile(join(share, 'album', `track ${i}.mp3`), `file ${i}`);
    const log = join(t.dir, 'modules.log');
    const proc = spawn(
      process.execPath,
      ['--import', pathToFileURL(HOOK).href, BIN, '--headless', '--json', '--no-chat', '--no-discovery', '--data-dir', join(t.dir, 'data'), '--share', share],
      { cwd: ROOT, env: { ...process.env, [MODULE_LOG_ENV]: log } },
    );
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    let out = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no share.hashed; stdout: ${out.slice(-500)}`)), 20_000);
        proc.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('"type":"share.hashed"')) (clearTimeout(timer), resolve());
        });
      });
    } finally {
      proc.kill('SIGTERM');
      await exited;
    }
    expect(out).toContain('"hashed":20');
    const loaded = (await readFile(log, 'utf8')).split('\n').filter((u) => u.includes('/dist/src/share/'));
    // The hook does see the main thread's share modules (so an empty list proves nothing).
    expect(loaded.some((u) => u.endsWith('/share-library.js'))).toBe(true);
    expect(loaded.filter((u) => WORKER_ONLY.some((m) => u.endsWith(`/share/${m}`)))).toEqual([]);
  });
});
