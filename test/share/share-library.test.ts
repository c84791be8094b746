import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppEvent } from '../../src/app-api.js';
import { NetError } from '../../src/errors.js';
import { HASH_CACHE_FILE, ShareLibrary } from '../../src/share/share-library.js';
import { tempDir } from './helpers.js';
import { HOSTILE_NAMES } from './hostile-names.js';

const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');

describe('ShareLibrary', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let root: string;
  let data: string;
  const libs: ShareLibrary[] = [];

  async function lib(opts: Partial<ConstructorParameters<typeof ShareLibrary>[0]> = {}): Promise<ShareLibrary> {
    const l = new ShareLibrary({ roots: [root], dataDir: data, ...opts });
    libs.push(l);
    await l.start();
    await l.whenHashed();
    return l;
  }

  beforeEach(async () => {
    t = await tempDir();
    root = join(t.dir, 'share');
    data = join(t.dir, 'data');
    await mkdir(join(root, 'sub'), { recursive: true });
    await mkdir(join(root, '.hiddendir'), { recursive: true });
    await writeFile(join(t.dir, 'secret.txt'), 'SECRET');
    await writeFile(join(root, 'inside.txt'), 'inside');
    await writeFile(join(root, 'Björk - Jóga.mp3'), 'music');
    await writeFile(join(root, 'sub', 'deep.txt'), 'deep');
    await writeFile(join(root, '.hidden.txt'), 'hidden');
    await writeFile(join(root, '.hiddendir', 'x.txt'), 'x');
    await writeFile(join(root, 'partial.bin.part'), 'part');
    await symlink(join(t.dir, 'secret.txt'), join(root, 'escape-link.txt'));
    await symlink(join(root, 'inside.txt'), join(root, 'inner-link.txt'));
    await symlink(t.dir, join(root, 'dir-link'));
    execFileSync('mkfifo', [join(root, 'fifo')]);
  });

  afterEach(async () => {
    for (const l of libs.splice(0)) await l.stop();
    await t.cleanup();
  });

  it('shares regular files, skipping hidden, .part, fifos and escaping symlinks', async () => {
    const events: AppEvent[] = [];
    const l = new ShareLibrary({ roots: [root], dataDir: data });
    libs.push(l);
    l.subscribe((e) => events.push(e));
    await l.start();
    await l.whenHashed();
    const names = [...l.entries()].map((e) => e.relPath).sort();
    expect(names).toEqual(['Björk - Jóga.mp3', 'inner-link.txt', 'inside.txt', 'sub/deep.txt']);
    expect(events).toContainEqual({ type: 'share.ready', files: 4, bytes: 6 + 5 + 4 + 6 });
    expect(l.bytes).toBe(21);
  });

  it('hashes in the background and finds files by SHA-1, index and name', async () => {
    const l = await lib();
    const e = l.byName('inside.txt')!;
    expect(e.sha1).toBe(sha1('inside'));
    expect(e.md5).toBe(createHash('md5').update('inside').digest('hex'));
    expect(l.bySha1(sha1('deep'))?.relPath).toBe('sub/deep.txt');
    expect(l.bySha1(`urn:sha1:${e.sha1Base32!}`)?.name).toBeDefined();
    expect(l.byIndex(e.index)?.name).toBe('inside.txt');
    expect(l.byIndex(99_999)).toBeUndefined();
  });

  it('searches by words and substrings, case- and Unicode-insensitively', async () => {
    const l = await lib();
    expect(l.search('JÓGA').map((e) => e.name)).toEqual(['Björk - Jóga.mp3']);
    expect(l.search('jór', { mode: 'words' })).toEqual([]);
    expect(l.search('JÓ', { mode: 'substring' }).map((e) => e.name)).toEqual(['Björk - Jóga.mp3']);
    expect(l.search('txt', { mode: 'substring', limit: 2 })).toHaveLength(2);
  });

  it('keeps indices stable across a rescan and picks up changes', async () => {
    const l = await lib();
    const before = l.byName('inside.txt')!.index;
    await writeFile(join(root, 'new file.txt'), 'new');
    await unlink(join(root, 'sub', 'deep.txt'));
    await l.rescan();
    await l.whenHashed();
    expect(l.byName('inside.txt')!.index).toBe(before);
    expect(l.byName('new file.txt')!.sha1).toBe(sha1('new'));
    expect(l.byName('deep.txt')).toBeUndefined();
    expect(l.bySha1(sha1('deep'))).toBeUndefined();
  });

  it('does not rehash unchanged files after a restart (persistent cache)', async () => {
    const l1 = await lib();
    await l1.stop();
    const cache = JSON.parse(await readFile(join(data, HASH_CACHE_FILE), 'utf8')) as { rows: unknown[] };
    expect(cache.rows).toHaveLength(4);
    const l2 = new ShareLibrary({ roots: [root], dataDir: data });
    libs.push(l2);
    await l2.start();
    expect(l2.pendingHashes).toBe(0);
    expect(l2.byName('deep.txt')?.sha1).toBe(sha1('deep'));
    // a changed file is rehashed
    await writeFile(join(root, 'inside.txt'), 'changed!');
    await l2.rescan();
    await l2.whenHashed();
    expect(l2.byName('inside.txt')?.sha1).toBe(sha1('changed!'));
  });

  it('survives a corrupt cache file', async () => {
    await mkdir(data, { recursive: true });
    await writeFile(join(data, HASH_CACHE_FILE), '{"version":1,"rows":[["x",1');
    const l = await lib();
    expect(l.byName('inside.txt')?.sha1).toBe(sha1('inside'));
  });

  it('rescans by itself when watching', async () => {
    const l = await lib({ watch: true });
    await writeFile(join(root, 'sub', 'watched.txt'), 'w');
    await vi.waitFor(() => expect(l.byName('watched.txt')).toBeDefined(), { timeout: 10_000, interval: 100 });
  });

  it('resolves only names it holds, inside the root', async () => {
    const l = await lib();
    const ok = await l.resolveRemoteName('inside.txt');
    expect(ok).not.toBeInstanceOf(NetError);
    expect(ok instanceof NetError ? '' : await readFile(ok.realPath, 'utf8')).toBe('inside');
    const deep = await l.resolveRemoteName('sub/deep.txt', { allowSubpath: true });
    expect(deep instanceof NetError ? deep.code : deep.relPath).toBe('sub/deep.txt');
    expect(((await l.resolveRemoteName('sub/deep.txt')) as NetError).code).toBe('PATH');
  });

  it(`refuses ${HOSTILE_NAMES.length} hostile names`, async () => {
    expect(HOSTILE_NAMES.length).toBeGreaterThanOrEqual(30);
    const l = await lib();
    for (const allowSubpath of [false, true]) {
      for (const name of HOSTILE_NAMES) {
        const r = await l.resolveRemoteName(name, { allowSubpath });
        expect(r, JSON.stringify(name)).toBeInstanceOf(NetError);
        expect(['PATH', 'NOT_FOUND'], JSON.stringify(name)).toContain((r as NetError).code);
      }
    }
  });

  it('refuses a shared file that became a symlink out of the tree after the scan', async () => {
    const l = await lib();
    await unlink(join(root, 'inside.txt'));
    await symlink(join(t.dir, 'secret.txt'), join(root, 'inside.txt'));
    const r = await l.resolveRemoteName('inside.txt');
    expect((r as NetError).code).toBe('PATH');
  });
});

describe('HashCache.load on random bytes', () => {
  it('never throws and keeps only well-formed rows', async () => {
    const { HashCache } = await import('../../src/share/hash-cache.js');
    const fc = (await import('fast-check')).default;
    const t = await tempDir();
    try {
      const file = join(t.dir, 'c.json');
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)), fc.json().map((j) => Buffer.from(j))), async (bytes) => {
          await writeFile(file, bytes);
          const c = new HashCache(file);
          await c.load();
          expect(c.size).toBeGreaterThanOrEqual(0);
        }),
        { numRuns: 200 },
      );
      await writeFile(file, JSON.stringify({ version: 1, rows: [['/a', 1, 2, 'h', 'b', 'm'], ['/b', 'x'], 7] }));
      const c = new HashCache(file);
      await c.load();
      expect(c.size).toBe(1);
      expect(c.get('/a', 1, 2)?.sha1).toBe('h');
      expect(c.get('/a', 1, 3)).toBeUndefined();
    } finally {
      await t.cleanup();
    }
  });
});
