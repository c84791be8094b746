/**
 * Two names, one content (README "Downloads"): two empty files, or two names
 * of the same SHA-1, are two files on disk. They used to be one download:
 * the second name never appeared.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppEvent, EventOf } from '../../src/app-api.js';
import { formatTransfer } from '../../src/transfer/format.js';
import { TransferEngine } from '../../src/transfer/transfer-engine.js';
import type { DownloadSource } from '../../src/transfer/transfer-types.js';
import { tempDir } from '../share/helpers.js';
import { bufferSource, silentSource } from './sources.js';

const sha1 = (b: Buffer): string => createHash('sha1').update(b).digest('hex');
const EMPTY = sha1(Buffer.alloc(0));

/** A source that must never be opened (an empty file needs no bytes). */
const neverOpened: DownloadSource = { open: () => Promise.reject(new Error('an empty file was fetched')) };

describe('two names of one content', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let dir: string;
  let engine: TransferEngine;
  let events: AppEvent[];
  beforeEach(async () => {
    t = await tempDir('peerdeck-same-');
    dir = join(t.dir, 'downloads');
  });
  afterEach(async () => {
    await engine.stop();
    await t.cleanup();
  });
  function make(opts: { maxActiveDownloads?: number } = {}): void {
    engine = new TransferEngine({ downloadDir: dir, ...opts });
    events = [];
    engine.subscribe((e) => events.push(e));
  }
  const of = <T extends AppEvent['type']>(type: T): Array<EventOf<T>> => events.filter((e): e is EventOf<T> => e.type === type);
  const settled = (id: number, state = 'done'): Promise<void> =>
    vi.waitFor(() => expect(engine.get(id)?.state).toBe(state), { timeout: 5000, interval: 5 });

  it('two empty files are two files, made at once without asking the source and without waiting for a slot', async () => {
    make({ maxActiveDownloads: 1 });
    const busy = engine.download({ name: 'big.bin', peer: 'p', protocol: 'test', source: silentSource(), size: 1000 });
    const a = engine.download({ name: 'one.txt', peer: 'p', protocol: 'test', source: neverOpened, size: 0, sha1: EMPTY });
    const b = engine.download({ name: 'two.txt', peer: 'p', protocol: 'test', source: neverOpened, size: 0, sha1: EMPTY });
    expect(b).not.toBe(a);
    await settled(a);
    await settled(b);
    expect(engine.get(busy)?.state).toBe('active');
    expect((await readdir(dir)).sort()).toEqual(['big.bin.part', 'one.txt', 'two.txt']);
    // The two are made side by side: either may end first.
    expect(of('transfer.done').map((e) => [e.name, e.bytes, e.sha1, e.verified]).sort()).toEqual([
      ['one.txt', 0, EMPTY, true],
      ['two.txt', 0, EMPTY, true],
    ]);
    expect(formatTransfer(engine.get(a)!)).toMatch(/^#2 down 100% 0 B\/0 B done one\.txt/);
  });

  it('a second name of content already downloading is fetched once and saved under both names, verified', async () => {
    make();
    const data = randomBytes(100_000);
    const src1 = bufferSource(data);
    const src2 = bufferSource(data);
    const a = engine.download({ name: 'song.mp3', peer: 'p1', protocol: 'test', source: src1, size: data.length, sha1: sha1(data) });
    const b = engine.download({ name: 'Song (live).mp3', peer: 'p2', protocol: 'test', source: src2, size: data.length, sha1: sha1(data) });
    expect(engine.get(b)?.sameAs).toBe(a);
    expect(formatTransfer(engine.get(b)!)).toContain(`(same content as #${a}: copied from it when it is done)`);
    await settled(a);
    await settled(b);
    expect(src1.opened).toEqual([0]);
    expect(src2.opened).toEqual([]); // the bytes came once
    expect((await readdir(dir)).sort()).toEqual(['Song (live).mp3', 'song.mp3']);
    expect((await readFile(join(dir, 'Song (live).mp3'))).equals(data)).toBe(true);
    expect(of('transfer.done').map((e) => [e.id, e.path, e.sha1, e.verified])).toEqual([
      [a, join(dir, 'song.mp3'), sha1(data), true],
      [b, join(dir, 'Song (live).mp3'), sha1(data), true],
    ]);
    // The same name from another source is still one download with two sources.
    const c = engine.download({ name: 'x.bin', peer: 'p1', protocol: 'test', source: silentSource(), size: 10, sha1: sha1(Buffer.alloc(10)) });
    expect(engine.addSource({ name: 'x.bin', peer: 'p3', protocol: 'test', source: silentSource(), size: 10, sha1: sha1(Buffer.alloc(10)) })).toBe(c);
  });

  it("the other name's source helps fetch the bytes; if that download is cancelled, the other name goes on alone", async () => {
    make();
    const data = randomBytes(50_000);
    const broken = Buffer.from(data);
    broken[10] = broken[10]! ^ 1;
    const src2 = bufferSource(data);
    const a = engine.download({ name: 'a.bin', peer: 'p1', protocol: 'test', source: bufferSource(broken), size: data.length, sha1: sha1(data) });
    const b = engine.download({ name: 'b.bin', peer: 'p2', protocol: 'test', source: src2, size: data.length, sha1: sha1(data) });
    await settled(a);
    await settled(b);
    expect(engine.get(a)?.peer).toBe('p2'); // p1's bytes were wrong; p2 served them
    expect(src2.opened).toEqual([0]);
    expect((await readdir(dir)).sort()).toEqual(['a.bin', 'b.bin']);

    const held = silentSource(data.subarray(0, 100));
    const src4 = bufferSource(data);
    const c = engine.download({ name: 'c.bin', peer: 'p3', protocol: 'test', source: held, size: data.length, sha1: sha1(data) });
    const d = engine.download({ name: 'd.bin', peer: 'p4', protocol: 'test', source: src4, size: data.length, sha1: sha1(data) });
    await vi.waitFor(() => expect(held.streams).toHaveLength(1), { timeout: 5000, interval: 5 });
    expect(engine.cancel(c)).toBe(true);
    await settled(c, 'cancelled');
    await settled(d);
    expect(src4.opened).toEqual([0]);
    expect((await readFile(join(dir, 'd.bin'))).equals(data)).toBe(true);
    expect(await readdir(dir)).toContain('c.bin.part'); // kept for /retry
  });

  it('a waiting copy can be cancelled and retried; the other download is left alone', async () => {
    make();
    const data = randomBytes(10_000);
    const slow = silentSource(data.subarray(0, 5000));
    const a = engine.download({ name: 'a.bin', peer: 'p1', protocol: 'test', source: slow, size: data.length, sha1: sha1(data) });
    const b = engine.download({ name: 'b.bin', peer: 'p2', protocol: 'test', source: bufferSource(data), size: data.length, sha1: sha1(data) });
    expect(engine.cancel(b)).toBe(true);
    expect(engine.get(b)?.state).toBe('cancelled');
    expect(engine.get(a)?.state).toBe('active');
    expect(engine.retry(b)).toBe(true);
    expect(engine.get(b)).toMatchObject({ state: 'queued', sameAs: a });
    await vi.waitFor(() => expect(slow.streams).toHaveLength(1), { timeout: 5000, interval: 5 });
    slow.streams[0]!.end(data.subarray(5000));
    await settled(a);
    await settled(b);
    expect((await readdir(dir)).sort()).toEqual(['a.bin', 'b.bin']);
  });

  it('copies count against the queue cap, and a copy still waiting is a copy again after a restart', async () => {
    const stateFile = join(t.dir, 'transfers.json');
    engine = new TransferEngine({ downloadDir: dir, stateFile, maxQueuedDownloads: 1 });
    const data = randomBytes(20_000);
    const req = (name: string, peer: string, source: DownloadSource) =>
      ({ name, peer, protocol: 'test', source, size: data.length, sha1: sha1(data), ref: { name } }) as const;
    const a = engine.download(req('a.bin', 'p1', silentSource()));
    await vi.waitFor(() => expect(engine.get(a)?.state).toBe('active'), { timeout: 5000, interval: 5 });
    engine.download(req('b.bin', 'p2', bufferSource(data)));
    expect(() => engine.download(req('c.bin', 'p3', bufferSource(data)))).toThrowError(expect.objectContaining({ code: 'LIMIT' }));
    await engine.stop();

    engine = new TransferEngine({ downloadDir: dir, stateFile });
    const opened: string[] = [];
    await engine.restore((saved) => ({
      ...req(saved.name, saved.peer, { open: (o, s) => (opened.push(saved.name), bufferSource(data).open(o, s)) }),
    }));
    const [ra, rb] = engine.list();
    expect(rb).toMatchObject({ name: 'b.bin', sameAs: ra!.id });
    await settled(ra!.id);
    await settled(rb!.id);
    expect(opened).toEqual(['a.bin']);
    expect((await readdir(dir)).sort()).toEqual(['a.bin', 'b.bin']);
  });
});

