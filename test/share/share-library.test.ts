import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { lstat, mkdir, readdir, readFile, rm, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppEvent } from '../../src/app-api.js';
import { NetError } from '../../src/errors.js';
import { Logger, type LogEntry } from '../../src/log.js';
import { encodeHashCache, formatHashCache, LEGACY_HASH_CACHE_FILE, parseHashCache, parseLegacyHashCache, type CacheRow } from '../../src/share/hash-cache.js';
import { base32Encode } from '../../src/share/base32.js';
import { HASH_CACHE_FILE, ShareLibrary } from '../../src/share/share-library.js';
import { cacheRow, tempDir } from './helpers.js';
import { HOSTILE_NAMES } from './hostile-names.js';

const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');

/** A version 4 cache file's text as version 3 wrote it: each row with its SHA-1's base32 after the md5. */
function asVersion3(v4: string): string {
  return v4
    .split('\n')
    .map((line, i) => (i === 0 ? line.replace(/ 4$/, ' 3') : line.replace(/^([0-9a-f]{40}) ([0-9a-f]{32}) /, (_, s: string, m: string) => `${s} ${m} ${base32Encode(Buffer.from(s, 'hex'))} `)))
    .join('\n');
}

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

  it('gives every field of an entry, hashed or read back from the cache, and the same fields resolved on disk', async () => {
    const { realpath } = await import('node:fs/promises');
    const rootReal = await realpath(root);
    const base32 = (hex: string): string => {
      let bits = '';
      for (const b of Buffer.from(hex, 'hex')) bits += b.toString(2).padStart(8, '0');
      return (bits.match(/.{5}/g) ?? []).map((five) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[parseInt(five, 2)]).join('');
    };
    const expected = {
      name: 'deep.txt',
      relPath: 'sub/deep.txt',
      root,
      rootReal,
      path: join(root, 'sub', 'deep.txt'),
      size: 4,
      sha1: sha1('deep'),
      md5: createHash('md5').update('deep').digest('hex'),
      sha1Base32: base32(sha1('deep')),
    };
    const first = await lib();
    const e = first.byName('deep.txt')!;
    expect(e).toMatchObject(expected);
    expect(first.byIndex(e.index)).toBe(e);
    expect(first.bySha1(expected.sha1)).toBe(e);
    const resolved = await first.resolveRemoteName('sub/deep.txt', { allowSubpath: true });
    expect(resolved).toEqual({ ...expected, index: e.index, mtimeMs: e.mtimeMs, realPath: join(rootReal, 'sub', 'deep.txt') });
    const top = first.byName('inside.txt')!;
    expect([top.name, top.relPath]).toEqual(['inside.txt', 'inside.txt']);
    await first.stop();
    // A restart reads the hashes back from the cache: the same fields.
    const again = new ShareLibrary({ roots: [root], dataDir: data });
    libs.push(again);
    await again.start();
    expect(again.pendingHashes).toBe(0);
    expect(again.byName('deep.txt')).toMatchObject({ ...expected, mtimeMs: e.mtimeMs });
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
    const cache = parseHashCache(await readFile(join(data, HASH_CACHE_FILE), 'utf8'));
    expect(cache.reason).toBeUndefined();
    expect([...cache.rows.keys()].map((p) => p.slice(root.length + 1)).sort()).toEqual(['Björk - Jóga.mp3', 'inner-link.txt', 'inside.txt', 'sub/deep.txt']);
    expect(await readdir(data)).toEqual([HASH_CACHE_FILE]); // written atomically: no temp file left
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

  it('rehashes after a restart a file whose mtime or content changed meanwhile, and only that one', async () => {
    const l1 = await lib();
    await l1.stop();
    await utimes(join(root, 'sub', 'deep.txt'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    await writeFile(join(root, 'Björk - Jóga.mp3'), 'MUSIC'); // same size
    const l2 = new ShareLibrary({ roots: [root], dataDir: data, hash: false });
    libs.push(l2);
    await l2.start();
    expect([...l2.entries()].filter((e) => !e.sha1).map((e) => e.name).sort()).toEqual(['Björk - Jóga.mp3', 'deep.txt']);
    await l2.stop();
    const l3 = await lib();
    expect(l3.byName('Björk - Jóga.mp3')?.sha1).toBe(sha1('MUSIC'));
    expect(l3.byName('deep.txt')?.sha1).toBe(sha1('deep'));
  });

  /**
   * Rewrites `inside.txt` with other bytes of the same size and puts its mtime back (as `touch -r`
   * or a tool that keeps times would): only its ctime tells. Checks that premise before returning.
   */
  async function rewriteKeepingTimes(): Promise<void> {
    const path = join(root, 'inside.txt');
    const before = await lstat(path);
    await writeFile(path, 'INSIDE');
    await utimes(path, ROUND_TIME_S, ROUND_TIME_S);
    const after = await lstat(path);
    expect([after.size, after.mtimeMs, after.ino]).toEqual([before.size, before.mtimeMs, before.ino]);
    expect(after.ctimeMs).not.toBe(before.ctimeMs);
  }
  /** A whole second (exactly representable): the mtime given to inside.txt before and after its rewrite. */
  const ROUND_TIME_S = 1_700_000_000;

  it('rehashes on /rescan a file rewritten with the same size and its mtime put back (its ctime moved)', async () => {
    await utimes(join(root, 'inside.txt'), ROUND_TIME_S, ROUND_TIME_S);
    const l = await lib();
    expect(l.byName('inside.txt')?.sha1).toBe(sha1('inside'));
    await new Promise((r) => setTimeout(r, 20)); // a ctime later than the first one, on any clock granularity
    await rewriteKeepingTimes();
    await l.rescan();
    await l.whenHashed();
    expect(l.byName('inside.txt')?.sha1).toBe(sha1('INSIDE'));
    expect(l.bySha1(sha1('inside'))).toBeUndefined();
  });

  it('rehashes after a restart a file rewritten with the same size and its mtime put back, and only that one', async () => {
    await utimes(join(root, 'inside.txt'), ROUND_TIME_S, ROUND_TIME_S);
    const l1 = await lib();
    await l1.stop();
    await new Promise((r) => setTimeout(r, 20));
    await rewriteKeepingTimes();
    const l2 = new ShareLibrary({ roots: [root], dataDir: data, hash: false });
    libs.push(l2);
    await l2.start();
    // inner-link.txt is a symlink to it: the same file, looked at through the link.
    expect([...l2.entries()].filter((e) => !e.sha1).map((e) => e.name).sort()).toEqual(['inner-link.txt', 'inside.txt']);
    await l2.stop();
    const l3 = await lib();
    expect(l3.byName('inside.txt')?.sha1).toBe(sha1('INSIDE'));
    expect(l3.byName('inner-link.txt')?.sha1).toBe(sha1('INSIDE'));
  });

  it('reads a version 3 cache (a SHA-1 base32 column) without a warning and hashes nothing again', async () => {
    const l1 = await lib();
    await l1.stop();
    const v4 = await readFile(join(data, HASH_CACHE_FILE), 'utf8');
    expect(v4.split('\n')[0]).toBe('peerdeck share hashes 4');
    const v3 = asVersion3(v4);
    expect(v3.split('\n')[1]).toMatch(/^[0-9a-f]{40} [0-9a-f]{32} [A-Z2-7]{32} \d+ [\d.]+ (=|[\d.]+) \d+ \//);
    await writeFile(join(data, HASH_CACHE_FILE), v3);
    expect([...parseHashCache(v3).rows.values()]).toEqual([...parseHashCache(v4).rows.values()]);
    const logs: LogEntry[] = [];
    const l2 = new ShareLibrary({ roots: [root], dataDir: data, hash: false, log: new Logger([(e) => logs.push(e)]) });
    libs.push(l2);
    await l2.start();
    expect([...l2.entries()].filter((e) => !e.sha1)).toEqual([]);
    const deep = l2.byName('deep.txt')!;
    expect([deep.sha1, deep.sha1Base32]).toEqual([sha1('deep'), base32Encode(Buffer.from(sha1('deep'), 'hex'))]);
    expect(logs.filter((e) => e.level === 'warn')).toEqual([]);
  });

  it('reads a version 2 cache (no ctimes) without a warning, hashes its files again once, and writes version 4', async () => {
    const l1 = await lib();
    await l1.stop();
    const v3 = asVersion3(await readFile(join(data, HASH_CACHE_FILE), 'utf8'));
    // Version 2 rows: version 3's fields without the ctime (the sixth).
    const v2 = v3
      .split('\n')
      .map((line, i) => (i === 0 ? line.replace(/ 3$/, ' 2') : line.replace(/^((?:\S+ ){5})\S+ /, '$1')))
      .join('\n');
    expect(v2.split('\n')[1]).toMatch(/^[0-9a-f]{40} [0-9a-f]{32} [A-Z2-7]{32} \d+ [\d.]+ \d+ \//);
    await writeFile(join(data, HASH_CACHE_FILE), v2);
    expect(parseHashCache(v2).rows.size).toBe(4);
    const logs: LogEntry[] = [];
    const l2 = new ShareLibrary({ roots: [root], dataDir: data, hash: false, log: new Logger([(e) => logs.push(e)]) });
    libs.push(l2);
    await l2.start();
    expect([...l2.entries()].filter((e) => !e.sha1)).toHaveLength(4);
    expect(logs.filter((e) => e.level === 'warn')).toEqual([]);
    await l2.stop();
    const l3 = await lib();
    await l3.stop();
    expect((await readFile(join(data, HASH_CACHE_FILE), 'utf8')).split('\n')[0]).toBe('peerdeck share hashes 4');
    expect(parseHashCache(await readFile(join(data, HASH_CACHE_FILE), 'utf8')).rows.size).toBe(4);
  });

  it('counts in its log lines as it says them: 1 file, 1 byte, not 1 files', async () => {
    const one = join(t.dir, 'one');
    await mkdir(one);
    await writeFile(join(one, 'a.txt'), 'a');
    const logs: LogEntry[] = [];
    await lib({ roots: [one], log: new Logger([(e) => logs.push(e)]) });
    const said = logs.map((e) => e.message);
    expect(said).toContainEqual(expect.stringMatching(/^shared 1 file \(1 byte\) in \d+ ms; /));
    expect(said).toContainEqual(expect.stringMatching(/^hashed \d+ files? in \d+ ms; 1 of 1 file has its hashes$/));
    expect(said.join('\n')).not.toMatch(/\b1 (files|bytes)\b/);
  });

  it('ignores a corrupt cache file, says why in the log, hashes everything and writes a good one', async () => {
    await mkdir(data, { recursive: true });
    await writeFile(join(data, HASH_CACHE_FILE), '{"version":1,"rows":[["x",1');
    const logs: LogEntry[] = [];
    const l = await lib({ log: new Logger([(e) => logs.push(e)]) });
    expect(l.byName('inside.txt')?.sha1).toBe(sha1('inside'));
    expect(logs.filter((e) => e.level === 'warn').map((e) => e.message)).toEqual([expect.stringMatching(/hash cache .*not a peerdeck hash cache.*hashed again/)]);
    await l.stop();
    const cache = parseHashCache(await readFile(join(data, HASH_CACHE_FILE), 'utf8'));
    expect(cache.reason).toBeUndefined();
    expect(cache.rows.size).toBe(4);
  });

  it('skips a malformed row (logged with its line) and rehashes only that file', async () => {
    const l1 = await lib();
    await l1.stop();
    const lines = (await readFile(join(data, HASH_CACHE_FILE), 'utf8')).split('\n');
    const broken = lines.findIndex((line) => line.endsWith('/inside.txt'));
    lines[broken] = lines[broken]!.replace(/^[0-9a-f]{40}/, 'not-a-sha1');
    await writeFile(join(data, HASH_CACHE_FILE), lines.join('\n'));
    const logs: LogEntry[] = [];
    const l2 = new ShareLibrary({ roots: [root], dataDir: data, hash: false, log: new Logger([(e) => logs.push(e)]) });
    libs.push(l2);
    await l2.start();
    expect([...l2.entries()].filter((e) => !e.sha1).map((e) => e.name)).toEqual(['inside.txt']);
    expect(logs.find((e) => e.level === 'warn')?.message).toContain(`1 malformed row skipped (the first on line ${broken + 1})`);
  });

  it('reads the JSON cache of earlier versions (no ctimes: its files are hashed again), then replaces it', async () => {
    const l1 = await lib();
    await l1.stop();
    const rows = [...parseHashCache(await readFile(join(data, HASH_CACHE_FILE), 'utf8')).rows.values()];
    await unlink(join(data, HASH_CACHE_FILE));
    await writeFile(join(data, LEGACY_HASH_CACHE_FILE), JSON.stringify({ version: 1, rows: rows.map((r) => [r.path, r.size, r.mtimeMs, r.sha1, base32Encode(Buffer.from(r.sha1, 'hex')), r.md5]) }));
    expect(parseLegacyHashCache(await readFile(join(data, LEGACY_HASH_CACHE_FILE), 'utf8')).rows.size).toBe(4);
    const logs: LogEntry[] = [];
    const l2 = new ShareLibrary({ roots: [root], dataDir: data, log: new Logger([(e) => logs.push(e)]) });
    libs.push(l2);
    await l2.start();
    await l2.whenHashed();
    expect(logs.filter((e) => e.level === 'warn')).toEqual([]);
    expect(l2.byName('deep.txt')?.md5).toBe(createHash('md5').update('deep').digest('hex'));
    await l2.stop();
    expect(await readdir(data)).toEqual([HASH_CACHE_FILE]);
    expect(parseHashCache(await readFile(join(data, HASH_CACHE_FILE), 'utf8')).rows.size).toBe(4);
  });

  it('stops hashing a large file promptly', async () => {
    await writeFile(join(root, 'big.bin'), Buffer.alloc(64 << 20));
    const l = new ShareLibrary({ roots: [root], dataDir: data });
    libs.push(l);
    await l.start();
    const t0 = Date.now();
    await l.stop();
    expect(Date.now() - t0).toBeLessThan(20_000);
    const cache = parseHashCache(await readFile(join(data, HASH_CACHE_FILE), 'utf8').catch(() => formatHashCache([])));
    expect(cache.rows.has(join(root, 'big.bin'))).toBe(false);
  });

  it('takes a scan in many parts: hashes from the first part on, the same root twice counted once, gone files dropped', async () => {
    for (let i = 0; i < 40; i++) await writeFile(join(root, 'sub', `f${i}.bin`), `content ${i}`);
    const l = await lib({ roots: [root, root], scanPartFiles: 3 });
    expect(l.files).toBe(44);
    expect([...l.entries()].filter((e) => !e.sha1)).toEqual([]);
    expect(l.bySha1(sha1('content 39'))?.name).toBe('f39.bin');
    const kept = l.byName('f30.bin')!.index;
    for (let i = 0; i < 20; i++) await unlink(join(root, 'sub', `f${i}.bin`));
    await writeFile(join(root, 'sub', 'f25.bin'), 'changed 25');
    await l.rescan();
    await l.whenHashed();
    expect(l.files).toBe(24);
    expect(l.byName('f7.bin')).toBeUndefined();
    expect(l.bySha1(sha1('content 7'))).toBeUndefined();
    expect(l.byName('f25.bin')?.sha1).toBe(sha1('changed 25'));
    expect(l.byName('f30.bin')?.index).toBe(kept);
    expect(l.search('f31').map((e) => e.name)).toEqual(['f31.bin']);
  });

  it('walks a folder reached through two roots once (a root inside another), and keeps every file across rescans', async () => {
    const l = await lib({ roots: [join(root, 'sub'), root] });
    const paths = [...l.entries()].map((e) => e.path);
    expect(paths).toHaveLength(4);
    expect(new Set(paths).size).toBe(4);
    expect(l.byName('deep.txt')?.root).toBe(join(root, 'sub'));
    const indices = new Map([...l.entries()].map((e) => [e.path, e.index]));
    await l.rescan();
    expect(new Map([...l.entries()].map((e) => [e.path, e.index]))).toEqual(indices);
  });

  it('matches a rescan file by file in walk order, and by path once the order breaks', async () => {
    for (let i = 0; i < 30; i++) await writeFile(join(root, 'sub', `g${i}.bin`), `g ${i}`);
    const l = await lib({ scanPartFiles: 4 });
    const index = (name: string): number | undefined => l.byName(name)?.index;
    const kept = [index('g3.bin'), index('g29.bin'), index('inside.txt')];
    const sha1Of29 = l.byName('g29.bin')?.sha1;
    // New files land anywhere in readdir's order, a changed one keeps its index, a gone one leaves.
    for (let i = 30; i < 40; i++) await writeFile(join(root, 'sub', `g${i}.bin`), `g ${i}`);
    await writeFile(join(root, 'sub', 'g5.bin'), 'changed');
    const index5 = index('g5.bin');
    await unlink(join(root, 'sub', 'g7.bin'));
    await l.rescan();
    await l.whenHashed();
    expect(l.files).toBe(4 + 30 + 10 - 1);
    expect([index('g3.bin'), index('g29.bin'), index('inside.txt')]).toEqual(kept);
    expect(l.byName('g29.bin')?.sha1).toBe(sha1Of29);
    expect(index('g5.bin')).toBe(index5);
    expect(l.byName('g5.bin')?.sha1).toBe(sha1('changed'));
    expect(l.bySha1(sha1('g 5'))).toBeUndefined();
    expect(l.byName('g7.bin')).toBeUndefined();
    expect(l.search('g7')).toEqual([]);
    expect(l.byName('g35.bin')?.sha1).toBe(sha1('g 35'));
    expect(new Set([...l.entries()].map((e) => e.index)).size).toBe(l.files);
    // And the saved cache holds every file once: a restart rehashes nothing.
    await l.stop();
    const again = await lib();
    expect(again.files).toBe(l.files);
    expect(again.pendingHashes).toBe(0);
    expect(again.byName('g5.bin')?.sha1).toBe(sha1('changed'));
  });

  it('hashes everything with one worker thread, which walks first and hashes after', async () => {
    for (let i = 0; i < 25; i++) await writeFile(join(root, 'sub', `h${i}.bin`), `h ${i}`);
    const l = await lib({ threads: 1, scanPartFiles: 2 });
    expect(l.files).toBe(29);
    expect(l.pendingHashes).toBe(0);
    expect([...l.entries()].filter((e) => !e.sha1)).toEqual([]);
    expect(l.bySha1(sha1('h 24'))?.name).toBe('h24.bin');
    await writeFile(join(root, 'sub', 'h3.bin'), 'changed 3');
    await l.rescan();
    await l.whenHashed();
    expect(l.byName('h3.bin')?.sha1).toBe(sha1('changed 3'));
  });

  it('rescans by itself when watching', async () => {
    const l = await lib({ watch: true });
    await writeFile(join(root, 'sub', 'watched.txt'), 'w');
    await vi.waitFor(() => expect(l.byName('watched.txt')).toBeDefined(), { timeout: 10_000, interval: 100 });
  });

  it('one folder given twice (with a trailing slash) is one root, its files shared once', async () => {
    const l = await lib({ roots: [root, `${root}/`] });
    expect(l.roots).toEqual([root]);
    expect([...l.entries()].filter((e) => e.name === 'inside.txt')).toHaveLength(1);
  });

  it('says when a watched folder is gone, and watches it again once it is back and rescanned', async () => {
    const l = await lib({ watch: true });
    const events: AppEvent[] = [];
    l.subscribe((e) => events.push(e));
    await rm(root, { recursive: true, force: true });
    await vi.waitFor(() => expect(l.files).toBe(0), { timeout: 10_000, interval: 100 });
    await vi.waitFor(() => expect(events.filter((e) => e.type === 'notice')).toEqual([{ type: 'notice', protocol: 'files', text: expect.stringMatching(/^shared folder .* is gone/) }]));
    await mkdir(root);
    await writeFile(join(root, 'back.txt'), 'b');
    await l.rescan();
    expect(l.byName('back.txt')).toBeDefined();
    // The watcher of the removed folder saw nothing of the new one: this change is found only if it was made anew.
    await writeFile(join(root, 'later.txt'), 'l');
    await vi.waitFor(() => expect(l.byName('later.txt')).toBeDefined(), { timeout: 10_000, interval: 100 });
    expect(events.filter((e) => e.type === 'notice')).toHaveLength(1);
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

describe('the hash cache file', () => {
  const fc = import('fast-check').then((m) => m.default);
  const hex = (n: number) => fc.then((f) => f.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`)));

  it('never throws on random text or bytes, and keeps only well-formed rows', async () => {
    const f = await fc;
    const headers = ['peerdeck share hashes 4\n', 'peerdeck share hashes 3\n', 'peerdeck share hashes 2\n'];
    f.assert(
      f.property(f.oneof(f.string(), f.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('utf8')), f.tuple(f.constantFrom(...headers), f.string()).map(([h, s]) => h + s)), (text) => {
        const c = parseHashCache(text);
        for (const r of c.rows.values()) expect(r.sha1).toMatch(/^[0-9a-f]{40}$/);
      }),
      { numRuns: 500 },
    );
  });

  it('reads back what it writes, whatever the path holds (spaces, newlines, backslashes, any Unicode)', async () => {
    const f = await fc;
    const row = f.record({
      path: f.string({ minLength: 1, unit: 'grapheme' }).map((p) => '/' + p),
      size: f.nat(),
      mtimeMs: f.double({ min: -1e13, max: 1e13, noNaN: true }),
      ctimeMs: f.option(f.double({ min: -1e13, max: 1e13, noNaN: true }), { nil: undefined }),
      ino: f.nat(),
      sha1: await hex(40),
      md5: await hex(32),
    });
    f.assert(
      // A ctime left out is the mtime (a file written once): the row says `=`.
      f.property(f.uniqueArray(row.map((r) => ({ ...r, ctimeMs: r.ctimeMs ?? r.mtimeMs })), { selector: (r) => r.path, maxLength: 20 }), (rows) => {
        const text = formatHashCache(rows);
        const back = parseHashCache(text);
        expect(back.reason).toBeUndefined();
        const want = rows.map((r) => ({ ...r, mtimeMs: r.mtimeMs === 0 ? 0 : r.mtimeMs, ctimeMs: r.ctimeMs === 0 ? 0 : r.ctimeMs }));
        expect([...back.rows.values()]).toEqual(want);
        // The same rows in version 3 (with each SHA-1's base32) read back the same.
        const v3 = parseHashCache(asVersion3(text));
        expect(v3.reason).toBeUndefined();
        expect([...v3.rows.values()]).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  it('writes a cache larger than its write buffer, and a path longer than it, byte for byte as text', () => {
    const rows = Array.from({ length: 12_000 }, (_, i) => cacheRow(i, i === 7_000 ? `/s/${'é'.repeat(700_000)}` : `/s/album ${i % 97}/трек ${i}\\n.mp3`));
    const bytes = encodeHashCache(rows);
    expect(bytes.length).toBeGreaterThan(3 * 1024 * 1024);
    const escape = (p: string): string => p.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
    const ctime = (r: CacheRow): string => (r.ctimeMs === r.mtimeMs ? '=' : String(r.ctimeMs));
    const text = ['peerdeck share hashes 4', ...rows.map((r) => `${r.sha1} ${r.md5} ${r.size} ${r.mtimeMs} ${ctime(r)} ${r.ino} ${escape(r.path)}`)].join('\n') + '\n';
    expect(text).toContain(' = '); // both kinds of row are there
    expect(rows.some((r) => r.ctimeMs !== r.mtimeMs)).toBe(true);
    expect(bytes.equals(Buffer.from(text))).toBe(true);
    expect([...parseHashCache(bytes.toString()).rows.values()]).toEqual(rows);
  });

  it('keeps the good rows of a file cut short and says how many were not', () => {
    const rows = [1, 2, 3].map((i) => ({ path: `/s/f${i}`, size: i, mtimeMs: 1.5, ctimeMs: 2.5, ino: i, sha1: 'a'.repeat(40), md5: 'b'.repeat(32) }));
    const text = formatHashCache(rows);
    const cut = text.slice(0, text.length - 20);
    const c = parseHashCache(cut);
    expect([...c.rows.keys()]).toEqual(['/s/f1', '/s/f2']);
    expect(c.reason).toBe('1 malformed row skipped (the first on line 4)');
  });
});
