import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AUDIO_CACHE_FILE, AudioCatalog } from '../../protocols/napster/client-audio.js';
import { Logger } from '../../src/log.js';
import type { ShareEntry } from '../../src/share/share-entry.js';

/** `n` frames of MPEG-1 Layer III, 128 kbps, 44,100 Hz (ff fb 90 64): 417 bytes each. */
function cbrFrames(n: number): Buffer {
  const f = Buffer.alloc(417);
  f.set([0xff, 0xfb, 0x90, 0x64]);
  return Buffer.concat(Array.from({ length: n }, () => f));
}

const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

describe('the Napster client MP3 catalog', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  async function songs(n: number): Promise<{ dataDir: string; entries: ShareEntry[] }> {
    const root = await mkdtemp(join(tmpdir(), 'peerdeck-audio-'));
    dirs.push(root);
    const share = join(root, 'share');
    await mkdir(share);
    const bytes = cbrFrames(4);
    const entries: ShareEntry[] = [];
    for (let i = 0; i < n; i++) {
      const path = join(share, `song ${i}.mp3`);
      await writeFile(path, bytes);
      entries.push({ index: i, name: `song ${i}.mp3`, relPath: `song ${i}.mp3`, root: share, rootReal: share, path, size: bytes.length, mtimeMs: 1 });
    }
    return { dataDir: join(root, 'data'), entries };
  }

  it('reads the headers once and keeps them in the data dir', async () => {
    const { dataDir, entries } = await songs(3);
    const catalog = new AudioCatalog(dataDir, new Logger([]));
    expect(await catalog.prepare(entries)).toBe(true);
    expect(catalog.get(entries[0]!)).toEqual({ bitrate: 128, freq: 44100, seconds: expect.any(Number) });
    expect(await exists(join(dataDir, AUDIO_CACHE_FILE))).toBe(true);
    await catalog.close();
  });

  it('close() waits for the reading under way and its save: nothing writes to the data dir after it', async () => {
    const { dataDir, entries } = await songs(400);
    const catalog = new AudioCatalog(dataDir, new Logger([]));
    let settled = false;
    const reading = catalog.prepare(entries).finally(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    await catalog.close();
    expect(settled).toBe(true);
    // Whoever stopped the node may now remove its data dir, and it stays removed.
    await rm(dataDir, { recursive: true, force: true });
    await reading;
    await new Promise((r) => setTimeout(r, 300));
    expect(await exists(dataDir)).toBe(false);
    // A closed catalog reads nothing more.
    expect(await catalog.prepare(entries)).toBe(false);
    expect(await exists(dataDir)).toBe(false);
  });
});
