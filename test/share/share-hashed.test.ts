/**
 * `share.hashed` (issue 9): one event when the hashing that followed a scan
 * has ended (and the cache is saved, or, when no hashing run followed the
 * walk, its write begun), with what a script waiting on it needs;
 * real files in a temp dir, the real library and its worker threads.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppEvent, EventOf } from '../../src/app-api.js';
import { parseHashCache } from '../../src/share/hash-cache.js';
import { HASH_CACHE_FILE, ShareLibrary, type ShareLibraryOptions } from '../../src/share/share-library.js';
import { STAT_HASH_MAX_BYTES } from '../../src/share/stat-hash-sync.js';
import { tempDir } from './helpers.js';

const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');
type Hashed = EventOf<'share.hashed'>;

/** A library, its events as they come, and what each `share.hashed` found at the moment it came. */
interface Watched {
  lib: ShareLibrary;
  events: AppEvent[];
  /** Per share.hashed: the cache file's rows and how many shared files bySha1 found, read in the listener. */
  seen: Array<{ cacheRows: number; bySha1: number }>;
  hashed: () => Hashed[];
}

describe('share.hashed', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let root: string;
  let data: string;
  const libs: ShareLibrary[] = [];

  function watched(opts: Partial<ShareLibraryOptions> = {}): Watched {
    const lib = new ShareLibrary({ roots: [root], dataDir: data, ...opts });
    libs.push(lib);
    const events: AppEvent[] = [];
    const seen: Watched['seen'] = [];
    lib.subscribe((e) => {
      events.push(e);
      if (e.type !== 'share.hashed') return;
      const file = join(data, HASH_CACHE_FILE);
      const cacheRows = existsSync(file) ? parseHashCache(readFileSync(file, 'utf8')).rows.size : -1;
      seen.push({ cacheRows, bySha1: [...lib.entries()].filter((x) => x.sha1 && lib.bySha1(x.sha1)).length });
    });
    return { lib, events, seen, hashed: () => events.filter((e): e is Hashed => e.type === 'share.hashed') };
  }

  async function files(n: number, dir = root, prefix = 'f'): Promise<void> {
    await mkdir(dir, { recursive: true });
    for (let i = 0; i < n; i++) await writeFile(join(dir, `${prefix}${i}.txt`), `${prefix} content ${i}`);
  }

  /** Until `n` share.hashed events have come, then a while longer: none more may come. */
  async function settled(w: Watched, n: number): Promise<void> {
    await vi.waitFor(() => expect(w.hashed().length).toBeGreaterThanOrEqual(n), { timeout: 30_000, interval: 20 });
    await new Promise((r) => setTimeout(r, 300));
    expect(w.hashed()).toHaveLength(n);
  }

  beforeEach(async () => {
    t = await tempDir();
    root = join(t.dir, 'share');
    data = join(t.dir, 'data');
    await files(25);
    await files(15, join(root, 'sub'), 'g');
  });

  afterEach(async () => {
    for (const l of libs.splice(0)) await l.stop();
    await t.cleanup();
  });

  it('comes once after the first scan, after share.ready, with every file hashed and findable by SHA-1; the cache is written right after it', async () => {
    const w = watched({ scanPartFiles: 4 });
    const t0 = Date.now();
    await w.lib.start();
    await vi.waitFor(() => expect(w.hashed()).toHaveLength(1), { timeout: 30_000, interval: 5 });
    const took = Date.now() - t0;
    await settled(w, 1);
    const bytes = w.lib.bytes;
    expect(w.events.map((e) => e.type)).toEqual(['share.ready', 'share.hashed']);
    expect(w.hashed()[0]).toMatchObject({ files: 40, bytes, hashed: 40, unhashed: 0 });
    expect(w.hashed()[0]!.ms).toBeGreaterThanOrEqual(0);
    expect(w.hashed()[0]!.ms).toBeLessThanOrEqual(took + 5); // from the scan's start, not before
    // Every file came with its hashes: the event does not wait for the cache's write (issue 9), which
    // follows it; whenHashed() waits for that too.
    expect(w.seen).toEqual([{ cacheRows: -1, bySha1: 40 }]);
    await w.lib.whenHashed();
    expect(parseHashCache(readFileSync(join(data, HASH_CACHE_FILE), 'utf8')).rows.size).toBe(40);
    expect(w.lib.bySha1(sha1('g content 14'))?.name).toBe('g14.txt');
  });

  it('a first scan hashes small files with their stat (before share.ready) and larger ones after it, one event for both, all in the cache', async () => {
    const big = Buffer.alloc(STAT_HASH_MAX_BYTES + 1, 'b');
    await writeFile(join(root, 'sub', 'big.bin'), big);
    await writeFile(join(root, 'edge.bin'), big.subarray(0, STAT_HASH_MAX_BYTES));
    const w = watched({ scanPartFiles: 4 });
    let atReady: { pending: number; small: string | undefined; big: string | undefined } | undefined;
    w.lib.subscribe((e) => {
      if (e.type === 'share.ready') atReady = { pending: w.lib.pendingHashes, small: w.lib.byName('f3.txt')?.sha1, big: w.lib.byName('big.bin')?.sha1 };
    });
    await w.lib.start();
    // At share.ready the small files have their hashes; the large one is shared, its hash still to come.
    expect(atReady?.small).toBe(sha1('f content 3'));
    expect(w.lib.byName('edge.bin')?.sha1).toBe(createHash('sha1').update(big.subarray(0, STAT_HASH_MAX_BYTES)).digest('hex'));
    expect(w.lib.byName('big.bin')).toBeDefined();
    expect(atReady?.big).toBeUndefined();
    await settled(w, 1);
    expect(w.events.map((e) => e.type)).toEqual(['share.ready', 'share.hashed']);
    expect(w.hashed()[0]).toMatchObject({ files: 42, hashed: 42, unhashed: 0 });
    expect(w.seen).toEqual([{ cacheRows: 42, bySha1: 42 }]);
    expect(w.lib.byName('big.bin')?.sha1).toBe(createHash('sha1').update(big).digest('hex'));
  });

  it('comes right after share.ready with hashed: 0 on a start with a warm cache, and after a rescan that found nothing new', async () => {
    const first = watched();
    await first.lib.start();
    await settled(first, 1);
    await first.lib.stop();
    const w = watched();
    await w.lib.start();
    await settled(w, 1);
    expect(w.events.map((e) => e.type)).toEqual(['share.ready', 'share.hashed']);
    expect(w.hashed()[0]).toMatchObject({ files: 40, hashed: 0, unhashed: 0 });
    expect(w.seen[0]).toEqual({ cacheRows: 40, bySha1: 40 });
    await w.lib.rescan();
    await settled(w, 2);
    expect(w.events.map((e) => e.type)).toEqual(['share.ready', 'share.hashed', 'share.ready', 'share.hashed']);
    expect(w.hashed()[1]).toMatchObject({ files: 40, hashed: 0, unhashed: 0 });
  });

  it('counts only the changed and new files after a /rescan, once', async () => {
    const w = watched();
    await w.lib.start();
    await settled(w, 1);
    await writeFile(join(root, 'f3.txt'), 'changed three');
    await writeFile(join(root, 'sub', 'new.txt'), 'new');
    await w.lib.rescan();
    await settled(w, 2);
    expect(w.hashed()[1]).toMatchObject({ files: 41, bytes: w.lib.bytes, hashed: 2, unhashed: 0 });
    expect(w.seen[1]).toEqual({ cacheRows: 41, bySha1: 41 });
    expect(w.lib.bySha1(sha1('changed three'))?.name).toBe('f3.txt');
  });

  it('comes once after a watched change is rescanned and hashed', async () => {
    const w = watched({ watch: true });
    await w.lib.start();
    await settled(w, 1);
    await writeFile(join(root, 'sub', 'watched.txt'), 'seen by the watcher');
    await settled(w, 2);
    expect(w.hashed()[1]).toMatchObject({ files: 41, hashed: 1, unhashed: 0 });
    expect(w.lib.bySha1(sha1('seen by the watcher'))?.name).toBe('watched.txt');
  });

  it('joins a rescan made while hashing runs into one event, and says nothing for a library that does not hash', { timeout: 60_000 }, async () => {
    await files(3000, join(root, 'many'), 'm');
    // One worker, and no file hashed with its stat (as a share of larger files): at share.ready nearly all is still to hash.
    const w = watched({ threads: 1, statHashMaxBytes: -1 });
    await w.lib.start();
    expect(w.lib.pendingHashes).toBeGreaterThan(0);
    await w.lib.rescan();
    await settled(w, 1);
    expect(w.events.map((e) => e.type)).toEqual(['share.ready', 'share.ready', 'share.hashed']);
    expect(w.hashed()[0]).toMatchObject({ files: 3040, hashed: 3040, unhashed: 0 });

    const quiet = watched({ hash: false, dataDir: undefined });
    await quiet.lib.start();
    await quiet.lib.rescan();
    await new Promise((r) => setTimeout(r, 300));
    expect(quiet.events.map((e) => e.type)).toEqual(['share.ready', 'share.ready']);
  });

  it('counts the files that could not be hashed (gone before their turn), and a rescan picks them up', { timeout: 60_000 }, async () => {
    await files(3000, join(root, 'many'), 'm');
    const w = watched({ threads: 1, statHashMaxBytes: -1 }); // nothing hashed before share.ready
    await w.lib.start();
    expect(w.lib.pendingHashes).toBeGreaterThan(0); // files not even sent to the worker yet
    // One rename: every path under it is gone at once, so none of those files can be opened. Done
    // in this same turn of the event loop (a blocking rename), so the files still queued cannot
    // reach the worker before it: an async rename finished, under load, after the worker had
    // hashed every file (the event said unhashed: 0).
    renameSync(join(root, 'many'), join(root, 'moved'));
    await settled(w, 1);
    const first = w.hashed()[0]!;
    expect(first.files).toBe(3040);
    expect(first.unhashed).toBeGreaterThan(0);
    expect(first.hashed + first.unhashed).toBe(3040);
    expect(w.seen[0]!.cacheRows).toBe(first.hashed);
    await w.lib.rescan();
    await settled(w, 2);
    // The moved files are new files at new paths: all hashed now, and those that left are no longer shared.
    expect(w.hashed()[1]).toMatchObject({ files: 3040, unhashed: 0 });
    expect(w.lib.bySha1(sha1('m content 2999'))?.relPath).toBe('moved/m2999.txt');
  });

  it('says nothing when stopped while hashing, and the stop does not wait for the files still queued', { timeout: 60_000 }, async () => {
    await files(3000, join(root, 'many'), 'm');
    const w = watched({ threads: 1, statHashMaxBytes: -1 }); // nothing hashed before share.ready
    await w.lib.start();
    expect(w.lib.pendingHashes).toBeGreaterThan(0); // stopped mid-run, not after it
    await w.lib.stop();
    await new Promise((r) => setTimeout(r, 300));
    expect(w.events.map((e) => e.type)).toEqual(['share.ready']);
    expect([...w.lib.entries()].some((e) => e.sha1 === undefined)).toBe(true);
  });

  it('comes with no shared folder too (files: 0), so a script can always wait for it', async () => {
    const w = watched({ roots: [] });
    await w.lib.start();
    await settled(w, 1);
    expect(w.hashed()[0]).toMatchObject({ files: 0, bytes: 0, hashed: 0, unhashed: 0 });
  });
});
