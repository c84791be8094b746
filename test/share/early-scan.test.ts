/**
 * A first scan begun before the program has loaded (src/share/early-scan.ts;
 * bin/peerdeck.js with `--share` and no hash cache yet; issue 9): the library
 * that takes the early pool takes the scan in as its own first scan when it
 * would have asked for the same one, and walks for itself otherwise. Real
 * worker threads, real files.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../src/app-api.js';
import { beginEarlyScan, libraryRoots } from '../../src/share/early-scan.js';
import { earlyShare } from '../../src/share/early-start.js';
import { HASH_CACHE_FILE, HASH_CACHE_HEADER } from '../../src/share/hash-cache.js';
import { ShareLibrary, type ShareLibraryOptions } from '../../src/share/share-library.js';
import { startShareWorkersEarly, takeShareWorkers } from '../../src/share/share-workers.js';
import { tempDir } from './helpers.js';

const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');

describe('a first scan begun early', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let share: string;
  let other: string;
  const libs: ShareLibrary[] = [];
  beforeEach(async () => {
    t = await tempDir();
    share = join(t.dir, 'share');
    other = join(t.dir, 'other');
    await mkdir(join(share, 'sub'), { recursive: true });
    await mkdir(other);
    await writeFile(join(share, 'a.txt'), 'alpha');
    await writeFile(join(share, 'sub', 'b.txt'), 'beta');
    await writeFile(join(other, 'o.txt'), 'omega');
  });
  afterEach(async () => {
    for (const l of libs.splice(0)) await l.stop();
    await takeShareWorkers().close(); // whatever a test left unclaimed
    await t.cleanup();
  });

  function library(opts: Partial<ShareLibraryOptions> & { roots: string[] }): { lib: ShareLibrary; events: AppEvent[] } {
    const lib = new ShareLibrary({ dataDir: join(t.dir, 'data'), ...opts });
    libs.push(lib);
    const events: AppEvent[] = [];
    lib.subscribe((e) => events.push(e));
    return { lib, events };
  }
  const names = (lib: ShareLibrary): Array<[string, string | undefined]> => [...lib.entries()].map((e): [string, string | undefined] => [e.relPath, e.sha1]).sort();

  it('is the first scan of the library with the same folders: what it walked is shared, hashed, saved, timed from its start', async () => {
    const early = beginEarlyScan(startShareWorkersEarly(), [share, `${share}/`]);
    expect(early?.roots).toEqual([share]); // as the library holds them
    await early!.end;
    // Written after the early walk: the library shares what that walk saw, so this file waits for a rescan.
    await writeFile(join(share, 'late.txt'), 'late');
    await new Promise((r) => setTimeout(r, 50));
    const { lib, events } = library({ roots: [share] });
    await lib.start();
    await lib.whenHashed();
    expect(names(lib)).toEqual([
      ['a.txt', sha1('alpha')],
      ['sub/b.txt', sha1('beta')],
    ]);
    const hashed = events.find((e) => e.type === 'share.hashed');
    expect(hashed).toMatchObject({ files: 2, hashed: 2, unhashed: 0 });
    expect(Number(hashed?.ms)).toBeGreaterThanOrEqual(50); // from the early start, not the library's
    await lib.rescan();
    await lib.whenHashed();
    expect(lib.byName('late.txt')?.sha1).toBe(sha1('late'));
    await lib.stop();
    // The cache the scan saved serves the next start: nothing is hashed again.
    const again = library({ roots: [share] });
    await again.lib.start();
    await again.lib.whenHashed();
    expect(again.events.find((e) => e.type === 'share.hashed')).toMatchObject({ files: 3, hashed: 0, unhashed: 0 });
  });

  it('is taken in while still under way, and its parts are handed on in walk order', async () => {
    for (let i = 0; i < 300; i++) await writeFile(join(share, `f${i}.txt`), `f ${i}`);
    beginEarlyScan(startShareWorkersEarly(), [share]);
    const { lib, events } = library({ roots: [share] });
    await lib.start();
    await lib.whenHashed();
    expect(lib.files).toBe(302);
    expect(lib.byName('f299.txt')?.sha1).toBe(sha1('f 299'));
    expect(events.find((e) => e.type === 'share.hashed')).toMatchObject({ files: 302, hashed: 302, unhashed: 0 });
  });

  it('is cancelled by a library that shares other folders, asks for other limits, or has a hash cache: each walks for itself', async () => {
    beginEarlyScan(startShareWorkersEarly(), [share]);
    const a = library({ roots: [other] });
    await a.lib.start();
    await a.lib.whenHashed();
    expect(names(a.lib)).toEqual([['o.txt', sha1('omega')]]);
    await a.lib.stop();

    beginEarlyScan(startShareWorkersEarly(), [share]);
    const b = library({ roots: [share], dataDir: join(t.dir, 'data-b'), statHashMaxBytes: -1 });
    await b.lib.start();
    await b.lib.whenHashed();
    expect(names(b.lib)).toEqual([
      ['a.txt', sha1('alpha')],
      ['sub/b.txt', sha1('beta')],
    ]);
    await b.lib.stop();

    const warm = join(t.dir, 'warm');
    await mkdir(warm);
    await writeFile(join(warm, HASH_CACHE_FILE), `${HASH_CACHE_HEADER}\n`);
    beginEarlyScan(startShareWorkersEarly(), [share]);
    const c = library({ roots: [share], dataDir: warm });
    await c.lib.start();
    await c.lib.whenHashed();
    expect(names(c.lib)).toEqual([
      ['a.txt', sha1('alpha')],
      ['sub/b.txt', sha1('beta')],
    ]);
  });

  it('does not keep a process from exiting while no library has taken it (a bad flag exits at once)', async () => {
    for (let i = 0; i < 2000; i++) await writeFile(join(share, `f${i}.txt`), `f ${i}`);
    const dist = (f: string): string => pathToFileURL(join(__dirname, '../../dist/src/share', f)).href;
    const script = `
      import { startShareWorkersEarly } from ${JSON.stringify(dist('share-workers.js'))};
      import { beginEarlyScan } from ${JSON.stringify(dist('early-scan.js'))};
      const scan = beginEarlyScan(startShareWorkersEarly(), [${JSON.stringify(share)}]);
      let walked = false;
      scan.end.then(() => (walked = true));
      process.on('exit', () => console.log(walked ? 'waited for the walk' : 'exited at once'));`;
    await writeFile(join(t.dir, 'early.mjs'), script);
    const r = spawnSync(process.execPath, [join(t.dir, 'early.mjs')], { encoding: 'utf8', timeout: 30_000 });
    expect([r.status, r.stdout.trim()], r.stderr).toEqual([0, 'exited at once']);
  });

  it('is begun for the folders given with --share, each once, resolved as the library resolves them', () => {
    const env = { HOME: join(t.dir, 'home'), XDG_DATA_HOME: t.dir };
    expect(earlyShare(['--share', 'music', `--share=${share}`, '--share', 'music/'], env)).toEqual({ roots: ['music', share, 'music/'], cached: false });
    expect(libraryRoots(['music', share, 'music/'])).toEqual([join(process.cwd(), 'music'), share]);
    expect(earlyShare(['--no-chat', '--', '--share', share], env)).toBeUndefined(); // after --, nothing is a flag
    expect(earlyShare(['--share'], env)).toBeUndefined();
    expect(beginEarlyScan(startShareWorkersEarly(), [])).toBeUndefined();
  });
});
