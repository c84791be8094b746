import { access, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AUDIO_CACHE_FILE, AudioCatalog } from '../../protocols/napster/client-audio.js';
import { Logger } from '../../src/log.js';
import type { ShareEntry } from '../../src/share/share-entry.js';
import { ShareLibrary } from '../../src/share/share-library.js';

/** `n` frames of MPEG-1 Layer III, 128 kbps, 44,100 Hz (ff fb 90 64): 417 bytes each. */
function cbrFrames(n: number): Buffer {
  const f = Buffer.alloc(417);
  f.set([0xff, 0xfb, 0x90, 0x64]);
  return Buffer.concat(Array.from({ length: n }, () => f));
}

/** `n` frames of MPEG-1 Layer III, 160 kbps, 44,100 Hz (ff fb a0 64): 522 bytes each. */
function frames160(n: number): Buffer {
  const f = Buffer.alloc(522);
  f.set([0xff, 0xfb, 0xa0, 0x64]);
  return Buffer.concat(Array.from({ length: n }, () => f));
}

/** `audio` then zeros up to `size` bytes: two different songs of the same size. */
function padded(audio: Buffer, size: number): Buffer {
  return Buffer.concat([audio, Buffer.alloc(size - audio.length)]);
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

  it('reads a file again when it was rewritten with the same size and its mtime put back (the ctime moved)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'peerdeck-audio-'));
    dirs.push(root);
    const share = join(root, 'share');
    await mkdir(share);
    const path = join(share, 'song.mp3');
    await writeFile(path, padded(cbrFrames(4), 3_000));
    const T = 1_700_000_000; // whole seconds: set back exactly after the rewrite
    await utimes(path, T, T);
    const lib = new ShareLibrary({ roots: [share], dataDir: join(root, 'data') });
    await lib.start();
    try {
      await lib.whenHashed();
      const before = lib.byName('song.mp3')!;
      const catalog = new AudioCatalog(join(root, 'data'), new Logger([]));
      expect(await catalog.prepare([before])).toBe(true);
      expect(catalog.get(before)?.bitrate).toBe(128);

      await new Promise((r) => setTimeout(r, 30));
      await writeFile(path, padded(frames160(5), 3_000));
      await utimes(path, T, T);
      await lib.rescan();
      await lib.whenHashed();
      const after = lib.byName('song.mp3')!;
      expect([after.size, after.mtimeMs]).toEqual([before.size, before.mtimeMs]);
      expect(after.ctimeMs).not.toBe(before.ctimeMs);
      expect(catalog.get(after)).toBeUndefined();
      expect(await catalog.prepare([after])).toBe(true);
      expect(catalog.get(after)?.bitrate).toBe(160);
      await catalog.close();
    } finally {
      await lib.stop();
    }
  });

  it('loads an older napster-audio.json (rows without a ctime): each of those files is read once more, then kept with its ctime', async () => {
    const { dataDir, entries } = await songs(2);
    const withCtime = entries.map((e) => ({ ...e, ctimeMs: 5 }));
    await mkdir(dataDir, { recursive: true });
    // The older format: [path, size, mtime, bitrate, freq, seconds], here with a stale bitrate.
    await writeFile(join(dataDir, AUDIO_CACHE_FILE), JSON.stringify(withCtime.map((e) => [e.path, e.size, e.mtimeMs, 320, 48000, 99])));
    const catalog = new AudioCatalog(dataDir, new Logger([]));
    expect(await catalog.prepare(withCtime)).toBe(true);
    expect(catalog.get(withCtime[0]!)).toEqual({ bitrate: 128, freq: 44100, seconds: expect.any(Number) });
    await catalog.close();
    const saved: unknown = JSON.parse(await readFile(join(dataDir, AUDIO_CACHE_FILE), 'utf8'));
    expect(saved).toEqual(withCtime.map((e) => [e.path, e.size, e.mtimeMs, 5, 128, 44100, expect.any(Number)]));
    // Once rewritten, a restart reads no header again.
    const again = new AudioCatalog(dataDir, new Logger([]));
    expect(await again.prepare(withCtime)).toBe(false);
    expect(again.get(withCtime[1]!)?.bitrate).toBe(128);
    await again.close();
  });
});
