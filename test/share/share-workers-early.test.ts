/**
 * Share workers started before the program has loaded (bin/peerdeck.js with
 * `--share`; issue 9, the first scan as a real process): the first library
 * with folders to share takes them, a library without folders leaves them,
 * and a real process that never shares (`--share DIR --version`, a bad flag)
 * still exits as before. Real worker threads, real files, real processes.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ShareLibrary } from '../../src/share/share-library.js';
import { SHARE_WORKER_THREADS, startShareWorkersEarly, takeShareWorkers } from '../../src/share/share-workers.js';
import { tempDir } from './helpers.js';

const BIN = fileURLToPath(new URL('../../bin/peerdeck.js', import.meta.url));

describe('share workers started early', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    t = await tempDir();
  });
  afterEach(async () => {
    await takeShareWorkers().close(); // whatever a test left unclaimed
    await t.cleanup();
  });

  it('are taken once, by the first ask for as many threads; later asks get a pool of their own', async () => {
    startShareWorkersEarly();
    startShareWorkersEarly(); // a second call starts nothing more
    const early = takeShareWorkers(SHARE_WORKER_THREADS);
    expect(early.started).toBe(SHARE_WORKER_THREADS);
    const later = takeShareWorkers(SHARE_WORKER_THREADS);
    expect(later).not.toBe(early);
    expect(later.started).toBe(0);
    await Promise.all([early.close(), later.close()]);

    startShareWorkersEarly(2);
    const other = takeShareWorkers(1); // a different pool size leaves the early pool where it is
    expect(other.started).toBe(0);
    expect(takeShareWorkers(2).started).toBe(2);
  });

  it('go to the library that shares folders, which scans and hashes with them; a library without folders leaves them', async () => {
    await writeFile(join(t.dir, 'a.txt'), 'alpha');
    await writeFile(join(t.dir, 'b.txt'), 'beta');
    startShareWorkersEarly();
    const none = new ShareLibrary({ roots: [] });
    await none.start();
    await none.stop();
    const lib = new ShareLibrary({ roots: [t.dir], dataDir: join(t.dir, '.data') });
    expect(takeShareWorkers().started).toBe(0); // the library has the early pool
    await lib.start();
    await lib.whenHashed();
    const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');
    expect([...lib.entries()].map((e) => [e.name, e.sha1]).sort()).toEqual([
      ['a.txt', sha1('alpha')],
      ['b.txt', sha1('beta')],
    ]);
    await lib.stop();
  });

  it('do not keep a process that never shares from exiting', () => {
    for (const args of [['--share', t.dir, '--version'], ['--share', t.dir, '--no-such-flag'], [`--share=${t.dir}`, '--data-dir', t.dir, '--nick', 'bad nick!']]) {
      const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
      expect(r.signal, args.join(' ')).toBeNull();
      if (args.includes('--version')) expect([r.status, r.stdout]).toEqual([0, 'peerdeck 0.1.0\n']);
      else expect(r.status, r.stderr).toBe(2);
    }
  });
});
