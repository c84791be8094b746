import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, statSync } from 'node:fs';
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NAPSTER_MD5_PREFIX_BYTES } from '../../src/share/file-hasher.js';
import { hashBuffer } from '../../src/share/hash-sync.js';
import { STAT_HASH_MAX_BYTES, statHashBatch } from '../../src/share/stat-hash-sync.js';
import { NOT_STATED } from '../../src/share/walk-sync.js';
import { HASH_RECORD_CHARS, type StatHashed } from '../../src/share/worker-messages.js';
import { tempDir } from './helpers.js';

const running = new Int32Array(1);

/** The record hashFileSync would give these bytes: SHA-1 hex, md5 hex of the Napster prefix. */
function recordOf(data: Buffer): string {
  const sha1 = createHash('sha1').update(data).digest();
  return sha1.toString('hex') + createHash('md5').update(data.subarray(0, NAPSTER_MD5_PREFIX_BYTES)).digest('hex');
}

const recordAt = (h: StatHashed, i: number): string => h.records.slice(i * HASH_RECORD_CHARS, (i + 1) * HASH_RECORD_CHARS);
const NONE = ' '.repeat(HASH_RECORD_CHARS);

/** Runs a batch as a listing walk hands it over: every file NOT_STATED unless `given` has its numbers. */
function batch(paths: string[], given: Record<number, { size: number; mtimeMs: number; ctimeMs: number; ino: number }> = {}, maxBytes?: number, stop = running): StatHashed {
  const n = paths.length;
  const sizes = new Float64Array(n).fill(NOT_STATED);
  const mtimes = new Float64Array(n);
  const ctimes = new Float64Array(n);
  const inos = new Float64Array(n);
  for (const [i, st] of Object.entries(given)) [sizes[Number(i)], mtimes[Number(i)], ctimes[Number(i)], inos[Number(i)]] = [st.size, st.mtimeMs, st.ctimeMs, st.ino];
  return statHashBatch(paths, sizes, mtimes, ctimes, inos, hashBuffer(), stop, maxBytes);
}

describe('statHashBatch (a first scan stats and hashes small files in one step)', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (t = await tempDir()));
  afterEach(() => t.cleanup());

  it('gives each file its stat and, up to the size limit, its hashes; larger files are stat-only', async () => {
    const sizes = [0, 1, 300, STAT_HASH_MAX_BYTES - 1, STAT_HASH_MAX_BYTES, STAT_HASH_MAX_BYTES + 1, 3 * STAT_HASH_MAX_BYTES];
    const data = sizes.map((s) => randomBytes(s));
    const paths = sizes.map((s) => join(t.dir, `s${s}`));
    await Promise.all(paths.map((p, i) => writeFile(p, data[i]!)));
    const h = batch(paths);
    expect(h.dropped).toEqual(new Int32Array(0));
    expect(h.hashed).toBe(5);
    paths.forEach((p, i) => {
      const st = lstatSync(p);
      expect([h.sizes[i], h.mtimes[i], h.ctimes[i], h.inos[i]]).toEqual([st.size, st.mtimeMs, st.ctimeMs, st.ino]);
      expect(recordAt(h, i)).toBe(sizes[i]! <= STAT_HASH_MAX_BYTES ? recordOf(data[i]!) : NONE);
    });
    // A lower limit hashes less; -1 hashes nothing and stats everything all the same.
    expect(batch(paths, {}, 300).hashed).toBe(3);
    const none = batch(paths, {}, -1);
    expect([none.hashed, none.records]).toEqual([0, NONE.repeat(paths.length)]);
    expect([...none.sizes]).toEqual(sizes);
  });

  it('drops what is gone or is no longer a regular file (a folder or a FIFO swapped in, a symlink), without blocking on the FIFO', async () => {
    const paths = ['gone', 'now-a-folder', 'now-a-fifo', 'now-a-link', 'still-a-file'].map((n) => join(t.dir, n));
    await mkdir(paths[1]!);
    execFileSync('mkfifo', [paths[2]!]);
    await writeFile(join(t.dir, 'target'), 'target');
    await symlink(join(t.dir, 'target'), paths[3]!);
    await writeFile(paths[4]!, 'here');
    const h = batch(paths);
    expect([...h.dropped]).toEqual([0, 1, 2, 3]);
    expect(h.hashed).toBe(1);
    expect(recordAt(h, 4)).toBe(recordOf(Buffer.from('here')));
    expect(h.sizes[4]).toBe(4);
  });

  it('hashes a file the walk stat\'ed (a symlinked file) by its path, and keeps it unhashed when it no longer has the size the walk saw', async () => {
    const target = join(t.dir, 'target');
    await writeFile(target, 'through the link');
    const link = join(t.dir, 'link');
    await symlink(target, link);
    const st = statSync(target);
    const seen = { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino };
    const h = batch([link, link], { 0: seen, 1: { ...seen, size: st.size - 1 } });
    expect(h.dropped).toEqual(new Int32Array(0));
    expect(h.hashed).toBe(1);
    expect([recordAt(h, 0), recordAt(h, 1)]).toEqual([recordOf(Buffer.from('through the link')), NONE]);
    // The numbers are the walk's (the target's), not the link's.
    expect([h.sizes[0], h.mtimes[0], h.ctimes[0], h.inos[0], h.sizes[1]]).toEqual([st.size, st.mtimeMs, st.ctimeMs, st.ino, st.size - 1]);
  });

  it('keeps a file it cannot open, unhashed (the hash queue tries again and says why)', async () => {
    const p = join(t.dir, 'locked');
    await writeFile(p, 'secret', { mode: 0o000 });
    let h: Pick<StatHashed, 'hashed' | 'records'> & { dropped: number[]; sizes: number[] };
    if (process.getuid?.() !== 0) {
      const r = batch([p]);
      h = { ...r, dropped: [...r.dropped], sizes: [...r.sizes] };
    } else {
      // Root opens a file of mode 000 all the same: the batch runs in a process as nobody (the compiled copy npm test builds).
      await chmod(t.dir, 0o755);
      const url = new URL('../../dist/src/share/stat-hash-sync.js', import.meta.url).href;
      const script = `const m = await import(${JSON.stringify(url)}); const r = m.statHashBatch([${JSON.stringify(p)}], new Float64Array([-1]), new Float64Array(1), new Float64Array(1), new Float64Array(1), Buffer.alloc(1 << 20), new Int32Array(1));
        console.log(JSON.stringify({ hashed: r.hashed, records: r.records, dropped: [...r.dropped], sizes: [...r.sizes] }));`;
      h = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { uid: 65534, gid: 65534, encoding: 'utf8' })) as typeof h;
    }
    expect([h.dropped.length, h.hashed, h.records, h.sizes[0]]).toEqual([0, 0, NONE, 6]);
  });

  it('drops the rest of the batch once asked to stop', async () => {
    const paths = [join(t.dir, 'a'), join(t.dir, 'b')];
    await Promise.all(paths.map((p) => writeFile(p, 'x')));
    const h = batch(paths, {}, undefined, new Int32Array([1]));
    expect([...h.dropped]).toEqual([0, 1]);
    expect(h.hashed).toBe(0);
  });
});
