/**
 * `/get`'s "already have it" check reads a file of the asked size for its SHA-1 once a session,
 * not on every ask (a file of some GB made each `/get` wait seconds), and not at all when the
 * share library knows it (the download folder is shared); a big file is said to be read first.
 * Reads are counted honestly: the bytes this process read, from /proc/self/io (rchar).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KnownHashes, stampOf, MAX_KNOWN_HASHES } from '../../src/transfer/known-hashes.js';
import { findLocalCopy, SETTLED_MS } from '../../src/transfer/local-copy.js';
import { startP2Node, type P2Node } from '../pplus2/pplus2-net.js';
import { tempDir } from '../share/helpers.js';

const sha1 = (b: Buffer | string): string => createHash('sha1').update(b).digest('hex');
const MiB = 1024 * 1024;
const PROC_IO = '/proc/self/io';

/** Bytes this process has read through read(2) and the like, every thread counted. */
async function bytesRead(): Promise<number> {
  return Number(/rchar: (\d+)/.exec(await readFile(PROC_IO, 'utf8'))?.[1]);
}

/** Waits until the file has been still long enough to be remembered by its stamp. */
async function settled(path: string): Promise<void> {
  const st = await stat(path);
  const wait = Math.max(st.mtimeMs, st.ctimeMs) + SETTLED_MS + 50 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

describe('KnownHashes', () => {
  it('gives a SHA-1 back only for the same version of the file, and forgets the least recently used past its cap', () => {
    const k = new KnownHashes(3);
    const st = { size: 10, mtimeMs: 1000.5, ctimeMs: 1000.5, ino: 7 };
    k.set('/d/a', st, 'a'.repeat(40));
    expect(k.get('/d/a', { ...st })).toBe('a'.repeat(40));
    for (const changed of [{ size: 11 }, { mtimeMs: 1001 }, { ctimeMs: 1002 }, { ino: 8 }]) expect(k.get('/d/a', { ...st, ...changed })).toBeUndefined();
    k.set('/d/b', st, 'b'.repeat(40));
    k.set('/d/c', st, 'c'.repeat(40));
    k.get('/d/a', st); // a is used: b is now the least recently used
    k.set('/d/d', st, 'd'.repeat(40));
    expect(k.size).toBe(3);
    expect(k.get('/d/b', st)).toBeUndefined();
    expect(k.get('/d/a', st)).toBe('a'.repeat(40));
    expect(MAX_KNOWN_HASHES).toBeGreaterThanOrEqual(100);
  });
});

describe.skipIf(!existsSync(PROC_IO))('the "already have it" check reads a file once', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('in a real folder: a settled file is read once, a changed or fresh one again', async () => {
    const t = await tempDir('peerdeck-known-');
    cleanups.push(t.cleanup);
    const data = randomBytes(8 * MiB);
    const path = join(t.dir, 'a.bin');
    await writeFile(path, data);
    const known = new KnownHashes();
    const hashing: string[] = [];
    const opts = { known, onHashing: (p: string) => hashing.push(p) };
    const want = { name: 'a.bin', size: data.length, sha1: sha1(data) };
    // Fresh from its write: read, and not remembered (its times may not move on a quick rewrite).
    expect(await findLocalCopy(t.dir, want, opts)).toMatchObject({ path, how: 'same' });
    expect(known.size).toBe(0);
    await settled(path);
    expect(await findLocalCopy(t.dir, want, opts)).toMatchObject({ path, how: 'same' });
    expect(known.get(path, stampOf(await stat(path)))).toBe(sha1(data));
    const before = await bytesRead();
    expect(await findLocalCopy(t.dir, want, opts)).toMatchObject({ path, how: 'same' });
    expect((await bytesRead()) - before).toBeLessThan(MiB);
    expect(hashing).toEqual([path, path]);
    // Other bytes of the same size: the stamp moved, the file is read again and differs.
    await writeFile(path, randomBytes(8 * MiB));
    expect(await findLocalCopy(t.dir, want, opts)).toBeUndefined();
    expect(hashing).toHaveLength(3);
    // A SHA-1 known elsewhere for the file as it is now (the share library's) is not read for.
    await writeFile(path, data);
    const r0 = await bytesRead();
    expect(await findLocalCopy(t.dir, want, { ...opts, sha1Of: (p) => (p === path ? sha1(data) : undefined) })).toMatchObject({ path, how: 'same' });
    expect((await bytesRead()) - r0).toBeLessThan(MiB);
    expect(hashing).toHaveLength(3);
  });

  it('/get of a big file that is here already: read (and said) the first time, not the second; not at all when the download folder is shared', async () => {
    const data = randomBytes(32 * MiB);
    const a = await startP2Node(0, { 'big.bin': data });
    cleanups.push(() => a.stop());
    const c = await startP2Node(1, {}, { peers: [`127.0.0.1:${a.port}`] });
    cleanups.push(() => c.stop());
    await mkdir(c.downloads, { recursive: true });
    await writeFile(join(c.downloads, 'big.bin'), data);
    await c.node.run('files', 'search', ['big']);
    await c.waitFor((ev) => ev.some((e) => e.type === 'search.done'));
    const n = String(c.of('search.hit')[0]!.n);
    await settled(join(c.downloads, 'big.bin'));
    const have = `already have "big.bin": ${join(c.downloads, 'big.bin')} (the same size and SHA-1; /get ${n} again fetches another copy)`;
    const r0 = await bytesRead();
    expect(await c.node.run('files', 'get', [n])).toEqual([have]);
    const r1 = await bytesRead();
    expect(r1 - r0).toBeGreaterThanOrEqual(data.length);
    const said = `/get ${n}: reading ${join(c.downloads, 'big.bin')} (32 MiB) for its SHA-1, to see whether it is "big.bin" already`;
    expect(c.of('notice').map((e) => e.text), JSON.stringify(c.of('notice'))).toContain(said);
    expect(await c.node.run('files', 'get', [n])).toEqual([have]);
    expect((await bytesRead()) - r1).toBeLessThan(data.length / 8);
    expect(c.of('notice').filter((e) => e.text === said)).toHaveLength(1);

    // Downloads into a shared folder: the share library hashed the file at its scan, /get reads nothing.
    const d = await startP2Node(2, { 'big.bin': data }, { peers: [`127.0.0.1:${a.port}`], downloadsShared: true });
    cleanups.push(() => d.stop());
    await d.node.run('files', 'search', ['big']);
    await d.waitFor((ev) => ev.some((e) => e.type === 'search.done'));
    const m = String(d.of('search.hit').find((h) => h.source === `127.0.0.1:${a.port}`)!.n);
    const r2 = await bytesRead();
    expect((await d.node.run('files', 'get', [m]))[0]).toMatch(/^already have "big\.bin": .*big\.bin \(the same size and SHA-1;/);
    expect((await bytesRead()) - r2).toBeLessThan(data.length / 8);
    expect(d.of('notice').some((e) => e.text.includes('for its SHA-1'))).toBe(false);
  }, 60_000);
});
