/**
 * What `/downloads` says of a download that failed, and what is left of it:
 * a SHA-1 mismatch deletes the part, so the row must not read 100% (it did,
 * looking done), and `/retry` starts again from the first byte.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatTransfer } from '../../src/transfer/format.js';
import { TransferEngine } from '../../src/transfer/transfer-engine.js';
import type { DownloadSource } from '../../src/transfer/transfer-types.js';
import { tempDir } from '../share/helpers.js';

const sha1 = (b: Buffer): string => createHash('sha1').update(b).digest('hex');

/** Serves `bad` on the first open and `good` after (a peer whose copy was broken, then fixed). */
function badThenGood(bad: Buffer, good: Buffer): DownloadSource & { opened: number[] } {
  const opened: number[] = [];
  return {
    opened,
    open(offset) {
      opened.push(offset);
      const data = opened.length === 1 ? bad : good;
      return Promise.resolve({ stream: Readable.from([data.subarray(offset)]), start: offset, total: good.length });
    },
  };
}

describe('a download that fails its SHA-1 check', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let dir: string;
  let engine: TransferEngine;
  beforeEach(async () => {
    t = await tempDir('peerdeck-failed-');
    dir = join(t.dir, 'downloads');
    engine = new TransferEngine({ downloadDir: dir });
  });
  afterEach(async () => {
    await engine.stop();
    await t.cleanup();
  });
  const settled = (id: number, state: string): Promise<void> =>
    vi.waitFor(() => expect(engine.get(id)?.state).toBe(state), { timeout: 5000, interval: 5 });

  it('is listed as failed with the reason and none of its bytes; /retry fetches it whole', async () => {
    const good = randomBytes(64 * 1024);
    const bad = Buffer.from(good);
    bad[1000] = bad[1000]! ^ 0xff;
    const src = badThenGood(bad, good);
    const id = engine.download({ name: 'song.mp3', peer: 'p1', protocol: 'test', source: src, size: good.length, sha1: sha1(good) });
    await settled(id, 'failed');
    const row = formatTransfer(engine.get(id)!);
    expect(row).toMatch(/^#1 down 0% 0 B\/64 KiB failed song\.mp3 <- p1 \[test\] \(verify: SHA-1 mismatch/);
    expect(row).not.toContain('100%');
    expect(engine.get(id)?.bytes).toBe(0);
    expect(await readdir(dir)).toEqual([]); // the wrong bytes are gone, nothing kept as complete

    expect(engine.retry(id)).toBe(true);
    await settled(id, 'done');
    expect(src.opened).toEqual([0, 0]);
    expect((await readFile(join(dir, 'song.mp3'))).equals(good)).toBe(true);
    expect(formatTransfer(engine.get(id)!)).toMatch(/^#1 down 100% 64 KiB\/64 KiB done song\.mp3/);
  });

  it('a download cut short keeps its bytes and says how far it got', async () => {
    const good = randomBytes(64 * 1024);
    const src = badThenGood(good.subarray(0, 16 * 1024), good);
    const id = engine.download({ name: 'cut.bin', peer: 'p1', protocol: 'test', source: src, size: good.length, sha1: sha1(good) });
    await settled(id, 'failed');
    expect(formatTransfer(engine.get(id)!)).toMatch(/^#1 down 25% 16 KiB\/64 KiB failed cut\.bin .*\(the source stopped after /);
    expect(engine.retry(id)).toBe(true);
    await settled(id, 'done');
    expect(src.opened).toEqual([0, 16 * 1024]);
    expect((await readFile(join(dir, 'cut.bin'))).equals(good)).toBe(true);
  });
});
