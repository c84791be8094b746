/**
 * A first scan's parts on their way from the listing walk through the
 * workers' one step per file back to the table (src/share/scan-jobs.ts):
 * real worker threads, a real walk of real files.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LARGE_OBJECT_BYTES, SCAN_JOB_FILES, ScanJobs } from '../../src/share/scan-jobs.js';
import { STAT_HASH_MAX_BYTES } from '../../src/share/stat-hash-sync.js';
import { ShareWorkers } from '../../src/share/share-workers.js';
import { HASH_RECORD_CHARS, type ScanPart } from '../../src/share/worker-messages.js';
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
});
