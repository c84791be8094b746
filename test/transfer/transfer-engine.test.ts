import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppEvent, EventOf } from '../../src/app-api.js';
import { ManualClock } from '../../src/clock.js';
import { TransferEngine, type TransferEngineOptions } from '../../src/transfer/transfer-engine.js';
import type { DownloadSource } from '../../src/transfer/transfer-types.js';
import { tempDir } from '../share/helpers.js';
import { bufferSource, silentSource } from './sources.js';

const sha1 = (b: Buffer): string => createHash('sha1').update(b).digest('hex');

describe('TransferEngine downloads', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let dir: string;
  let engine: TransferEngine;
  let events: AppEvent[];

  function make(opts: Partial<TransferEngineOptions> = {}): TransferEngine {
    engine = new TransferEngine({ downloadDir: dir, ...opts });
    events = [];
    engine.subscribe((e) => events.push(e));
    return engine;
  }
  const of = <T extends AppEvent['type']>(type: T): Array<EventOf<T>> => events.filter((e): e is EventOf<T> => e.type === type);
  const settled = (id: number): Promise<void> =>
    vi.waitFor(() => expect(['done', 'failed', 'cancelled']).toContain(engine.get(id)?.state), { timeout: 5000, interval: 5 });

  beforeEach(async () => {
    t = await tempDir('peerdeck-transfer-');
    dir = join(t.dir, 'downloads');
  });
  afterEach(async () => {
    await engine?.stop();
    await t.cleanup();
  });

  it('downloads into a .part, verifies and renames; reports done with the SHA-1', async () => {
    make();
    const data = randomBytes(200_000);
    const id = engine.download({ name: 'song.mp3', peer: 'p1', protocol: 'test', source: bufferSource(data), size: data.length, sha1: sha1(data) });
    await settled(id);
    expect(engine.get(id)?.state).toBe('done');
    expect((await readFile(join(dir, 'song.mp3'))).equals(data)).toBe(true);
    expect(await readdir(dir)).toEqual(['song.mp3']);
    expect(of('transfer.done')).toEqual([
      { type: 'transfer.done', id, name: 'song.mp3', direction: 'down', path: join(dir, 'song.mp3'), bytes: data.length, sha1: sha1(data), verified: true, peer: 'p1' },
    ]);
  });

  it('never overwrites: a clash gets "name (1).ext"', async () => {
    make();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'a.txt'), 'mine');
    await writeFile(join(dir, 'a (1).txt'), 'mine too');
    const id = engine.download({ name: 'a.txt', peer: 'p', protocol: 'test', source: bufferSource(Buffer.from('theirs')) });
    await settled(id);
    expect(await readFile(join(dir, 'a.txt'), 'utf8')).toBe('mine');
    expect(await readFile(join(dir, 'a (2).txt'), 'utf8')).toBe('theirs');
    expect(engine.get(id)?.path).toBe(join(dir, 'a (2).txt'));
  });

  it('makes hostile remote names safe locally', async () => {
    make();
    const id = engine.download({ name: '../../evil/.bashrc', peer: 'p', protocol: 'test', source: bufferSource(Buffer.from('x')) });
    await settled(id);
    expect(await readdir(dir)).toEqual(['bashrc']);
    expect(await readdir(t.dir)).toEqual(['downloads']);
  });

  for (const ranges of [true, false]) {
    it(`resumes from an existing part (${ranges ? 'with' : 'without'} ranges)`, async () => {
      make();
      const data = randomBytes(100_000);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'big.bin.part'), data.subarray(0, 40_000));
      const src = bufferSource(data, { ranges });
      const id = engine.download({ name: 'big.bin', peer: 'p', protocol: 'test', source: src, size: data.length, sha1: sha1(data) });
      await settled(id);
      expect(engine.get(id)?.state).toBe('done');
      expect(src.opened).toEqual([40_000]);
      expect((await readFile(join(dir, 'big.bin'))).equals(data)).toBe(true);
    });
  }

  it('without an announced SHA-1 nothing is hashed: done says sha1 null and unverified', async () => {
    make();
    const data = randomBytes(300_000);
    const src = bufferSource(data, { ranges: true, chunk: 70_000 });
    const id = engine.download({ name: 'plain.bin', peer: 'p', protocol: 'test', source: src, size: data.length });
    await settled(id);
    expect(of('transfer.done')).toEqual([
      { type: 'transfer.done', id, name: 'plain.bin', direction: 'down', path: join(dir, 'plain.bin'), bytes: data.length, sha1: null, verified: false, peer: 'p' },
    ]);
    expect((await readFile(join(dir, 'plain.bin'))).equals(data)).toBe(true);
    expect(await readdir(dir)).toEqual(['plain.bin']);
  });

  it('a resumed part is hashed from its first byte when a SHA-1 is announced: a corrupt part fails VERIFY', async () => {
    make();
    const data = randomBytes(100_000);
    await mkdir(dir, { recursive: true });
    const bad = Buffer.from(data.subarray(0, 40_000));
    bad[10] = bad[10]! ^ 0xff;
    await writeFile(join(dir, 'big.bin.part'), bad);
    const id = engine.download({ name: 'big.bin', peer: 'p', protocol: 'test', source: bufferSource(data, { ranges: true }), size: data.length, sha1: sha1(data) });
    await settled(id);
    expect(engine.get(id)?.reason).toMatch(/^VERIFY/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('deletes the part and reports when the SHA-1 is wrong', async () => {
    make();
    const id = engine.download({ name: 'x.bin', peer: 'p', protocol: 'test', source: bufferSource(Buffer.from('abc')), sha1: sha1(Buffer.from('abd')) });
    await settled(id);
    expect(engine.get(id)?.state).toBe('failed');
    expect(of('transfer.failed')[0]?.reason).toMatch(/^VERIFY/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('cuts off a peer that sends more than the expected size, leaving nothing', async () => {
    make();
    const id = engine.download({ name: 'x.bin', peer: 'p', protocol: 'test', source: bufferSource(randomBytes(50_000)), size: 10_000 });
    await settled(id);
    expect(engine.get(id)?.reason).toMatch(/^SIZE/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('caps a download of unknown size', async () => {
    make({ maxDownloadBytes: 8192 });
    const id = engine.download({ name: 'x.bin', peer: 'p', protocol: 'test', source: bufferSource(randomBytes(50_000)) });
    await settled(id);
    expect(engine.get(id)?.reason).toMatch(/^SIZE/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('says a size the peer contradicts, and the cap, in sizes (they were byte counts)', async () => {
    make({ maxDownloadBytes: 8 * 1024 });
    const liar: DownloadSource = { open: () => Promise.resolve({ stream: Readable.from([Buffer.alloc(10)]), start: 0, total: 2 * 1024 * 1024 }) };
    const a = engine.download({ name: 'a.bin', peer: 'p', protocol: 'test', source: liar, size: 1024 * 1024 });
    const b = engine.download({ name: 'b.bin', peer: 'p', protocol: 'test', source: bufferSource(randomBytes(50_000)) });
    await settled(a);
    await settled(b);
    expect(engine.get(a)?.reason).toBe('SIZE: the peer says the file has 2.0 MiB, where 1.0 MiB was announced');
    expect(engine.get(b)?.reason).toBe('SIZE: the peer sent more than 8.0 KiB');
  });

  it('keeps a short download as a part (resumable), never under the final name', async () => {
    make();
    const id = engine.download({ name: 'x.bin', peer: 'p', protocol: 'test', source: bufferSource(randomBytes(1000)), size: 5000 });
    await settled(id);
    expect(engine.get(id)?.reason).toBe('INCOMPLETE: the source stopped after 1000 B of 4.9 KiB (part kept for /retry)');
    expect(await readdir(dir)).toEqual(['x.bin.part']);
  });

  it('resumes a download its source cut short, even without a SHA-1 (Napster): /retry continues the kept part', async () => {
    make();
    const data = randomBytes(5000);
    const opened: number[] = [];
    // First answer stops at 1000 of 5000 bytes; the next one serves the rest from the asked offset.
    const source: DownloadSource = {
      open(offset) {
        opened.push(offset);
        const part = opened.length === 1 ? data.subarray(0, 1000) : data.subarray(offset);
        return Promise.resolve({ stream: Readable.from([part]), start: offset, total: data.length });
      },
    };
    const id = engine.download({ name: 'x.bin', peer: 'p', protocol: 'test', source, size: data.length });
    await settled(id);
    expect(engine.get(id)?.reason).toMatch(/^INCOMPLETE/);
    expect(engine.retry(id)).toBe(true);
    await vi.waitFor(() => expect(engine.get(id)?.state).toBe('done'));
    expect(opened).toEqual([0, 1000]);
    expect(await readFile(join(dir, 'x.bin'))).toEqual(data);
    expect(await readdir(dir)).toEqual(['x.bin']);
  });

  it('treats an empty answer as missing when asked to', async () => {
    make();
    const id = engine.download({ name: 'x.bin', peer: 'p', protocol: 'test', source: bufferSource(Buffer.alloc(0)), emptyIsMissing: true });
    await settled(id);
    expect(engine.get(id)?.reason).toMatch(/^NOT_FOUND/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('fails a stalled peer after stallMs, then /retry resumes it', async () => {
    const clock = new ManualClock();
    make({ clock, stallMs: 5000 });
    const data = randomBytes(30_000);
    const silent = silentSource(data.subarray(0, 10_000));
    const id = engine.download({ name: 's.bin', peer: 'p', protocol: 'test', source: silent, size: data.length });
    await vi.waitFor(() => expect(engine.get(id)?.bytes).toBe(10_000));
    clock.advance(5000);
    await settled(id);
    expect(engine.get(id)?.reason).toMatch(/^TIMEOUT/);
    expect(silent.streams[0]?.destroyed).toBe(true);
    // retry with a good source is not possible (source is part of the request), so retry re-opens the same silent one:
    expect(engine.retry(id)).toBe(true);
    await vi.waitFor(() => expect(silent.streams).toHaveLength(2));
    expect(engine.get(id)?.state).toBe('active');
    expect(engine.cancel(id)).toBe(true);
    await settled(id);
    expect(engine.get(id)?.state).toBe('cancelled');
    expect(await readdir(dir)).toEqual(['s.bin.part']);
  });

  it('limits active downloads globally and per peer; the rest wait in the queue', async () => {
    make({ maxActiveDownloads: 2, maxDownloadsPerPeer: 1 });
    const a = silentSource();
    const ids = [
      engine.download({ name: 'a1', peer: 'A', protocol: 't', source: a }),
      engine.download({ name: 'a2', peer: 'A', protocol: 't', source: a }),
      engine.download({ name: 'b1', peer: 'B', protocol: 't', source: silentSource() }),
      engine.download({ name: 'c1', peer: 'C', protocol: 't', source: silentSource() }),
    ];
    expect(ids.map((id) => engine.get(id)?.state)).toEqual(['active', 'queued', 'active', 'queued']);
    // What /get says of a download that waits: its place in the queue (0: not waiting there).
    expect(ids.map((id) => engine.queuePosition(id))).toEqual([0, 1, 0, 2]);
    engine.cancel(ids[0]!);
    await vi.waitFor(() => expect(engine.get(ids[1]!)?.state).toBe('active'));
    expect(engine.get(ids[3]!)?.state).toBe('queued');
  });

  it('throttles progress events and reports rate and ETA', async () => {
    const clock = new ManualClock();
    make({ clock, progressEveryMs: 250 });
    const silent = silentSource();
    const id = engine.download({ name: 'p.bin', peer: 'p', protocol: 't', source: silent, size: 100_000 });
    await vi.waitFor(() => expect(silent.streams).toHaveLength(1));
    const s = silent.streams[0]!;
    for (let i = 0; i < 10; i++) {
      clock.advance(100);
      s.write(Buffer.alloc(5000));
      await vi.waitFor(() => expect(engine.get(id)?.bytes).toBe((i + 1) * 5000));
    }
    const progress = of('transfer.progress');
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.length).toBeLessThanOrEqual(5);
    const last = progress.at(-1)!;
    expect(last.total).toBe(100_000);
    expect(last.rate).toBeGreaterThan(30_000);
    expect(last.rate).toBeLessThan(70_000);
    expect(last.eta).toBeGreaterThan(0);
    s.end(Buffer.alloc(50_000));
    await settled(id);
    expect(engine.get(id)?.state).toBe('done');
  });
});
