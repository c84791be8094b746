import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAudioInfo } from '../../protocols/napster/client-audio.js';
import { audioStart, MP3_PROBE_BYTES, mp3Info } from '../../protocols/napster/mp3-info.js';

/** An ID3v2.3 tag of `body` bytes (syncsafe size). */
function id3(body: number): Buffer {
  const h = Buffer.alloc(10 + body);
  h.write('ID3', 0, 'latin1');
  h[3] = 3;
  for (let i = 0, s = body; i < 4; i++, s >>= 7) h[9 - i] = s & 0x7f;
  return h;
}

/** `n` frames of MPEG-1 Layer III, 128 kbps, 44,100 Hz, joint stereo (ff fb 90 64, as in vectors 06): 417 bytes each. */
function cbrFrames(n: number): Buffer {
  const f = Buffer.alloc(417);
  f.set([0xff, 0xfb, 0x90, 0x64]);
  return Buffer.concat(Array.from({ length: n }, () => f));
}

/** A first frame carrying a Xing header (VBR): `frames` frames and `bytes` audio bytes announced. */
function xingFrame(frames: number, bytes: number, tag = 'Xing'): Buffer {
  const f = Buffer.alloc(417);
  f.set([0xff, 0xfb, 0x90, 0x64]);
  const x = 4 + 32;
  f.write(tag, x, 'latin1');
  f.writeUInt32BE(3, x + 4);
  f.writeUInt32BE(frames, x + 8);
  f.writeUInt32BE(bytes, x + 12);
  return f;
}

/** MPEG-2 Layer III, 64 kbps, 22,050 Hz, mono (ff f3 80 c0): 72 * 64000 / 22050 = 208 bytes. */
function mpeg2Frames(n: number): Buffer {
  const f = Buffer.alloc(208);
  f.set([0xff, 0xf3, 0x80, 0xc0]);
  return Buffer.concat(Array.from({ length: n }, () => f));
}

/** Parses the way readAudioInfo does: the probe at the audio start; `size` is the file's (default: the buffer's). */
const info = (file: Buffer, size = file.length): ReturnType<typeof mp3Info> => {
  const start = audioStart(file, size);
  return start === undefined ? undefined : mp3Info(file.subarray(start, start + 4352), start, size);
};

describe('MP3 audio fields for the Napster share line (napster.md §4.1)', () => {
  it('CBR: bitrate and rate from the first frame, length from the audio size', () => {
    // 1000 frames * 417 bytes * 8 / 128000 = 26.06 s
    expect(info(cbrFrames(1000))).toEqual({ bitrate: 128, freq: 44100, seconds: 26 });
    expect(info(mpeg2Frames(2000))).toEqual({ bitrate: 64, freq: 22050, seconds: 52 });
  });

  it('skips an ID3v2 tag (and a footer) before the first frame', () => {
    const file = Buffer.concat([id3(5000), cbrFrames(1000)]);
    expect(audioStart(file, file.length)).toBe(5010);
    expect(info(file)).toEqual({ bitrate: 128, freq: 44100, seconds: 26 });
    const footer = id3(100);
    footer[5] = 0x10;
    expect(audioStart(Buffer.concat([footer, Buffer.alloc(10), cbrFrames(3)]), 2000)).toBe(120);
  });

  it('VBR: the Xing/Info frame count gives the length and the average bitrate', () => {
    // 5000 frames * 1152 / 44100 = 130.6 s; 2,000,000 bytes over that = 122.5 kbps
    // (only the head of the file is built; its size is given)
    const file = Buffer.concat([xingFrame(5000, 2_000_000), cbrFrames(20)]);
    expect(info(file, 2_000_417)).toEqual({ bitrate: 123, freq: 44100, seconds: 131 });
    expect(info(Buffer.concat([xingFrame(5000, 2_000_000, 'Info'), cbrFrames(20)]), 2_000_417)).toMatchObject({ seconds: 131 });
    // a byte count larger than the file is not believed: the file's audio size is used
    expect(info(file, 1_000_417)).toEqual({ bitrate: 61, freq: 44100, seconds: 131 });
  });

  it('a lying Xing count falls back to the frame bitrate', () => {
    const file = Buffer.concat([xingFrame(1, 0), cbrFrames(1000)]);
    expect(info(file)).toEqual({ bitrate: 128, freq: 44100, seconds: 26 });
  });

  it('junk before the audio is skipped only when a second header confirms the first', () => {
    const junk = Buffer.from([0xff, 0xfb, 0x90, 0x64, 1, 2, 3, 0xff, 0xe0, 0, 0]);
    expect(info(Buffer.concat([junk, cbrFrames(100)]))).toMatchObject({ bitrate: 128, freq: 44100 });
  });

  it('random bytes are not audio: a header whose successor lies past the bytes read confirms nothing', () => {
    // Taken unconfirmed, about one 4 KiB probe of random bytes in twenty was read as an MP3 (and shared with a bitrate).
    fc.assert(
      fc.property(fc.uint8Array({ minLength: MP3_PROBE_BYTES, maxLength: MP3_PROBE_BYTES }), (a) => {
        expect(mp3Info(Buffer.from(a), 0, 345_678)).toBeUndefined();
      }),
      { numRuns: 500 },
    );
    // A file of one frame still counts: the bytes read reach its end.
    const one = cbrFrames(1);
    expect(mp3Info(one, 0, one.length)).toMatchObject({ bitrate: 128, freq: 44100 });
  });

  it('two headers one frame apart in junk are not audio; three are (random bytes chained two now and then)', () => {
    const probe = (frames: number): Buffer => Buffer.concat([cbrFrames(frames), Buffer.alloc(MP3_PROBE_BYTES - frames * 417)]);
    expect(mp3Info(probe(2), 0, 345_678)).toBeUndefined();
    expect(mp3Info(probe(3), 0, 345_678)).toMatchObject({ bitrate: 128, freq: 44100 });
    // A file of two frames ends where the third would start: audio.
    const two = cbrFrames(2);
    expect(mp3Info(two, 0, two.length)).toMatchObject({ bitrate: 128, freq: 44100 });
  });

  it('not audio, a reserved version, free bitrate or a tag larger than the file: no fields', () => {
    expect(info(Buffer.from('file 17'))).toBeUndefined();
    expect(info(Buffer.alloc(10_000))).toBeUndefined();
    const reserved = cbrFrames(10);
    for (let i = 0; i < reserved.length; i += 417) reserved[i + 1] = 0xeb; // version bits 01
    expect(info(reserved)).toBeUndefined();
    const free = cbrFrames(10);
    for (let i = 0; i < free.length; i += 417) free[i + 2] = 0x00;
    expect(info(free)).toBeUndefined();
    expect(audioStart(id3(100_000), 50_000)).toBeUndefined();
    const bad = id3(10);
    bad[7] = 0x80; // not syncsafe
    expect(audioStart(bad, 1000)).toBeUndefined();
  });

  it('fuzz: random bytes, truncations and random sizes never throw and stay in range', () => {
    const valid = Buffer.concat([id3(300), xingFrame(4000, 1_500_000), cbrFrames(12)]);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 6000 }).map((a) => Buffer.from(a)),
          fc.tuple(fc.nat(valid.length), fc.nat(valid.length)).map(([a, b]) => valid.subarray(Math.min(a, b), Math.max(a, b))),
          fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })).map(([i, v]) => {
            const m = Buffer.from(valid);
            m[i] = v;
            return m;
          }),
        ),
        fc.integer({ min: 0, max: 2 ** 40 }),
        (bytes, size) => {
          const start = audioStart(bytes, size);
          if (start === undefined) return;
          if (start > 0) expect(start).toBeLessThan(size);
          const r = mp3Info(bytes.subarray(Math.min(start, bytes.length)), start, size);
          if (r) {
            expect(r.bitrate).toBeGreaterThanOrEqual(8);
            expect(r.bitrate).toBeLessThanOrEqual(640);
            expect([8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000]).toContain(r.freq);
            expect(Number.isInteger(r.seconds) && r.seconds >= 0).toBe(true);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('reads a real file: a large tag means a second read where the audio starts; a truncated file gives no fields', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peerdeck-mp3-'));
    try {
      const tagged = Buffer.concat([id3(200_000), cbrFrames(1000)]);
      await writeFile(join(dir, 'a.mp3'), tagged);
      expect(await readAudioInfo(join(dir, 'a.mp3'), tagged.length)).toEqual({ bitrate: 128, freq: 44100, seconds: 26 });
      await writeFile(join(dir, 'cut.mp3'), tagged.subarray(0, 150_000));
      expect(await readAudioInfo(join(dir, 'cut.mp3'), 150_000)).toBeUndefined();
      await writeFile(join(dir, 'tiny.mp3'), cbrFrames(3));
      expect(await readAudioInfo(join(dir, 'tiny.mp3'), 417 * 3)).toEqual({ bitrate: 128, freq: 44100, seconds: 0 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
