/**
 * Share workers started before the program has loaded (bin/peerdeck.js with
 * `--share`; issue 9, the first scan as a real process): the first library
 * with folders to share takes them, a library without folders leaves them,
 * and a real process that never shares (`--share DIR --version`, a bad flag)
 * still exits as before. Real worker threads, real files, real processes.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ShareLibrary } from '../../src/share/share-library.js';
import { earlyShareWorkers } from '../../src/share/early-start.js';
import { HASH_CACHE_FILE, LEGACY_HASH_CACHE_FILE } from '../../src/share/hash-cache.js';
import { SHARE_WORKER_THREADS, startShareWorkersEarly, takeShareWorkers } from '../../src/share/share-workers.js';
import { tempDir } from './helpers.js';
import { chatPortZero } from '../cli/cli-process.js';

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

  it('start only the first of them for a restart (a hash cache in the data dir): it walks alone', async () => {
    startShareWorkersEarly(SHARE_WORKER_THREADS, 1);
    const pool = takeShareWorkers();
    expect(pool.started).toBe(1);
    await pool.close();
  });

  it('are as many as the command line will use: both for a first start, the walking one for a restart, none without --share or with --help or --version', async () => {
    const first = join(t.dir, 'first');
    const again = join(t.dir, 'again');
    const legacy = join(t.dir, 'legacy');
    for (const d of [first, again, legacy]) await mkdir(d);
    await writeFile(join(again, HASH_CACHE_FILE), 'peerdeck share hashes 3\n');
    await writeFile(join(legacy, LEGACY_HASH_CACHE_FILE), '{}');
    const env = { HOME: join(t.dir, 'home'), XDG_DATA_HOME: t.dir };
    const cases: Array<[string[], number]> = [
      [['--share', '/music', '--data-dir', first], 2],
      [['--share=/music', `--data-dir=${first}`], 2],
      [['--data-dir', again, '--share', '/music'], 1],
      [['--share', '/music', '--data-dir', legacy], 1],
      [['--data-dir', first, '--share', '/music', '--data-dir', again], 1], // the last --data-dir counts, as in the flags
      [['--data-dir', first], 0],
      [['--no-chat', '--headless'], 0],
      [['--share', '/music', '--data-dir', first, '--version'], 0],
      [['--help', '--share', '/music'], 0],
      [['-h', '--share', '/music'], 0],
    ];
    for (const [argv, n] of cases) expect(earlyShareWorkers(argv, env), argv.join(' ')).toBe(n);
    // No --data-dir: the default one ($XDG_DATA_HOME/peerdeck here).
    expect(earlyShareWorkers(['--share', '/music'], env)).toBe(2);
    await mkdir(join(t.dir, 'peerdeck'));
    await writeFile(join(t.dir, 'peerdeck', HASH_CACHE_FILE), '');
    expect(earlyShareWorkers(['--share', '/music'], env)).toBe(1);
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
      const r = spawnSync(process.execPath, [BIN, ...chatPortZero(args)], { encoding: 'utf8', timeout: 30_000 });
      expect(r.signal, args.join(' ')).toBeNull();
      if (args.includes('--version')) expect([r.status, r.stdout]).toEqual([0, 'peerdeck 0.1.0\n']);
      else expect(r.status, r.stderr).toBe(2);
    }
  });
});
