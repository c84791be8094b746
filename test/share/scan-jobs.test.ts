/**
 * A first scan's parts on their way from the listing walk through the
 * workers' one step per file back to the table (src/share/scan-jobs.ts):
 * real worker threads, a real walk of real files.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LARGE_OBJECT_BYTES, SCAN_JOB_FILES, ScanJobs, splitPart } from '../../src/share/scan-jobs.js';
import { STAT_HASH_MAX_BYTES } from '../../src/share/stat-hash-sync.js';
import { ShareWorkers } from '../../src/share/share-workers.js';
import { HASH_RECORD_CHARS, NAME_SEPARATOR, type ScanPart } from '../../src/share/worker-messages.js';
import { tempDir } from './helpers.js';

describe('ScanJobs', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let workers: ShareWorkers;
  beforeEach(async () => {
    t = await tempDir();
    workers = new ShareWorkers(2);
  });
  afterEach(async () => {
    await workers.close();
    await t.cleanup();
  });

  it('hands on every part in walk order with the same fields in the same order, a part of folders without files too', async () => {
    // The walk lists the root (its two files) before the empty folder it found there, so with one
    // file a part the last part brings that folder alone, with no file to open.
    await writeFile(join(t.dir, 'one.mp3'), 'one');
    await writeFile(join(t.dir, 'two.mp3'), 'two');
    await mkdir(join(t.dir, 'empty'));
    const taken: ScanPart[] = [];
    const jobs = new ScanJobs(workers, STAT_HASH_MAX_BYTES, (part) => taken.push(part));
    await workers.scan([t.dir], { maxFiles: 100, partFiles: 1, list: true }, (part) => jobs.list(part));
    await jobs.finish();

    expect(taken.slice(0, 2).map((p) => p.paths.slice(t.dir.length)).sort()).toEqual(['/one.mp3', '/two.mp3']);
    expect(taken.map((p) => p.firstDir)).toEqual([0, 1, 1]);
    expect(taken.at(-1)!.paths).toBe('');
    expect(taken.at(-1)!.dirPaths).toEqual([join(t.dir, 'empty')]);
    // One shape for all: the table's intake is compiled once for the scan (a part with another
    // field order or one field fewer threw that code away mid-scan, issue 9).
    const shapes = new Set(taken.map((p) => Object.keys(p).join(',')));
    expect([...shapes]).toEqual(['roots,firstDir,dirPaths,dirRels,dirRoots,fileDir,paths,sizes,mtimes,ctimes,inos,cached']);
  });

  it('makes parts whose hash records, and paths of 32 characters or more, reach the main thread as large objects (not copied by its young generation)', () => {
    expect(SCAN_JOB_FILES * HASH_RECORD_CHARS).toBeGreaterThan(LARGE_OBJECT_BYTES);
    expect(SCAN_JOB_FILES * (32 + 1)).toBeGreaterThan(LARGE_OBJECT_BYTES); // a path and its separator
  });

  it('sends the last parts of an ended walk in pieces, and hands on every file once, in walk order, with its folder', async () => {
    // 120 files in three folders, listed in parts of 16: the first four parts go out at once (two
    // workers, two each), the other four wait until the walk has ended and then go out in pieces of 5.
    for (const d of ['a', 'b', 'c']) {
      await mkdir(join(t.dir, d));
      for (let i = 0; i < 40; i++) await writeFile(join(t.dir, d, `${d}${i}.mp3`), `${d}${i}`);
    }
    const listed: ScanPart[] = [];
    await workers.scan([t.dir], { maxFiles: 1000, partFiles: 16, list: true }, (part) => listed.push(part));
    const sent: number[] = [];
    const statHash = workers.statHash.bind(workers);
    workers.statHash = (k, part, maxBytes) => (sent.push(part.sizes.length), statHash(k, part, maxBytes));
    const taken: ScanPart[] = [];
    const jobs = new ScanJobs(workers, STAT_HASH_MAX_BYTES, (part) => taken.push(part), 5);
    for (const part of listed) jobs.list(part);
    expect(sent).toEqual([16, 16, 16, 16]);
    await jobs.finish();

    expect(sent.slice(4).every((n) => n <= 5)).toBe(true);
    expect(sent.length).toBeGreaterThan(8);
    const walked = listed.flatMap((p) => (p.paths === '' ? [] : p.paths.split(NAME_SEPARATOR)));
    expect(walked).toHaveLength(120);
    expect(taken.flatMap((p) => (p.paths === '' ? [] : p.paths.split(NAME_SEPARATOR)))).toEqual(walked);
    // Every file's folder was given by its part or one before it, and its hashes and numbers came back.
    const dirs: string[] = [];
    for (const p of taken) {
      p.dirPaths.forEach((d, i) => (dirs[p.firstDir + i] = d));
      p.paths.split(NAME_SEPARATOR).forEach((path, i) => {
        if (p.paths === '') return;
        expect(path.startsWith(`${dirs[p.fileDir[i]!]!}/`), path).toBe(true);
        expect(p.sizes[i]).toBeGreaterThan(0);
        expect(p.cached!.charCodeAt(i * HASH_RECORD_CHARS)).not.toBe(0x20);
      });
    }
    expect(dirs.filter((d) => d !== undefined)).toEqual(listed.flatMap((p) => p.dirPaths));
  });

  it('splitPart keeps every file and folder in order, the folders with the first piece', () => {
    const part: ScanPart = {
      roots: [{ root: '/r', rootReal: '/r' }],
      firstDir: 7,
      dirPaths: ['/r/x', '/r/y'],
      dirRels: ['x', 'y'],
      dirRoots: Int32Array.of(0, 0),
      fileDir: Int32Array.of(7, 7, 8, 8, 8),
      paths: ['/r/x/1', '/r/x/2', '/r/y/3', '/r/y/4', '/r/y/5'].join(NAME_SEPARATOR),
      sizes: Float64Array.of(1, 2, 3, 4, 5),
      mtimes: Float64Array.of(11, 12, 13, 14, 15),
      ctimes: Float64Array.of(21, 22, 23, 24, 25),
      inos: Float64Array.of(31, 32, 33, 34, 35),
      cached: 'a'.repeat(HASH_RECORD_CHARS) + 'b'.repeat(HASH_RECORD_CHARS) + ' '.repeat(HASH_RECORD_CHARS) + 'd'.repeat(HASH_RECORD_CHARS) + 'e'.repeat(HASH_RECORD_CHARS),
    };
    expect(splitPart(part, 5)).toEqual([part]);
    const pieces = splitPart(part, 2);
    expect(pieces.map((p) => p.paths.split(NAME_SEPARATOR))).toEqual([['/r/x/1', '/r/x/2'], ['/r/y/3', '/r/y/4'], ['/r/y/5']]);
    expect(pieces.map((p) => [p.firstDir, p.dirPaths, p.dirRels, [...p.dirRoots]])).toEqual([
      [7, ['/r/x', '/r/y'], ['x', 'y'], [0, 0]],
      [9, [], [], []],
      [9, [], [], []],
    ]);
    expect(pieces.map((p) => [...p.fileDir])).toEqual([[7, 7], [8, 8], [8]]);
    expect(pieces.flatMap((p) => [...p.sizes, ...p.mtimes, ...p.ctimes, ...p.inos])).toEqual([1, 2, 11, 12, 21, 22, 31, 32, 3, 4, 13, 14, 23, 24, 33, 34, 5, 15, 25, 35]);
    expect(pieces.map((p) => p.cached).join('')).toBe(part.cached);
  });
});
