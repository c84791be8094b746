/**
 * The audio fields of a Napster share (napster.md §3.1, §4.1 type 100:
 * `<bitrate> <freq> <seconds>`) read from an MP3 file's first bytes: skip an
 * ID3v2 tag, find the first MPEG audio frame header, and take the length from
 * a Xing/Info or VBRI header when the encoder wrote one (VBR files), else
 * from the audio size and the frame's bitrate (CBR). Pure: it reads only the
 * buffers it is given; every offset is checked, so hostile or truncated files
 * give `undefined`, never an exception.
 */

/** Bytes of an ID3v2 header (and of its optional footer). */
export const ID3_HEADER_BYTES = 10;
/** How far past the tag we look for the first frame sync (padding, junk). */
export const MAX_SYNC_SCAN_BYTES = 4096;
/** Bytes to read at the audio start: sync scan, frame header, side info and a Xing/VBRI header. */
export const MP3_PROBE_BYTES = MAX_SYNC_SCAN_BYTES + 256;

/** What the share line carries: kbps, Hz, whole seconds. */
export interface AudioInfo {
  bitrate: number;
  freq: number;
  seconds: number;
}

/** One decoded MPEG audio frame header (ISO 11172-3 / 13818-3). */
interface FrameHeader {
  /** 1 = MPEG-1, 2 = MPEG-2, 25 = MPEG-2.5. */
  version: 1 | 2 | 25;
  layer: 1 | 2 | 3;
  bitrate: number;
  freq: number;
  mono: boolean;
  samplesPerFrame: number;
}

// kbps by bitrate index (1-14); index 0 (free) and 15 (bad) are refused.
const BITRATES_V1: Record<1 | 2 | 3, readonly number[]> = {
  1: [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  2: [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  3: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
};
const BITRATES_V2_L1 = [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256] as const;
const BITRATES_V2_L23 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160] as const;
const RATES: Record<1 | 2 | 25, readonly number[]> = { 1: [44100, 48000, 32000], 2: [22050, 24000, 16000], 25: [11025, 12000, 8000] };

/**
 * Where the audio starts: after an ID3v2 tag (its size is 4 syncsafe bytes,
 * plus a 10-byte footer when flagged), else 0. `undefined` when the tag is
 * malformed or claims more bytes than the file has.
 */
export function audioStart(head: Buffer, fileSize: number): number | undefined {
  if (head.length < ID3_HEADER_BYTES || head.toString('latin1', 0, 3) !== 'ID3') return 0;
  let size = 0;
  for (let i = 6; i < 10; i++) {
    const b = head[i]!;
    if (b & 0x80) return undefined;
    size = size * 128 + b;
  }
  const footer = (head[5]! & 0x10) !== 0 ? ID3_HEADER_BYTES : 0;
  const start = ID3_HEADER_BYTES + size + footer;
  return start < fileSize ? start : undefined;
}

function frameHeader(b: Buffer, at: number): FrameHeader | undefined {
  if (at + 4 > b.length) return undefined;
  const b1 = b[at + 1]!;
  const b2 = b[at + 2]!;
  if (b[at] !== 0xff || (b1 & 0xe0) !== 0xe0) return undefined;
  const v = (b1 >> 3) & 3;
  const l = (b1 >> 1) & 3;
  if (v === 1 || l === 0) return undefined;
  const version = v === 3 ? 1 : v === 2 ? 2 : 25;
  const layer = (4 - l) as 1 | 2 | 3;
  const bi = b2 >> 4;
  const ri = (b2 >> 2) & 3;
  if (bi === 0 || bi === 15 || ri === 3) return undefined;
  const table = version === 1 ? BITRATES_V1[layer] : layer === 1 ? BITRATES_V2_L1 : BITRATES_V2_L23;
  const samplesPerFrame = layer === 1 ? 384 : layer === 2 || version === 1 ? 1152 : 576;
  return { version, layer, bitrate: table[bi]!, freq: RATES[version][ri]!, mono: b[at + 3]! >> 6 === 3, samplesPerFrame };
}

/** Bytes of one frame, for checking that a second header follows the first. */
function frameBytes(h: FrameHeader, b: Buffer, at: number): number {
  const padding = (b[at + 2]! >> 1) & 1;
  if (h.layer === 1) return (Math.floor((12 * h.bitrate * 1000) / h.freq) + padding) * 4;
  const perFrame = h.layer === 3 && h.version !== 1 ? 72 : 144;
  return Math.floor((perFrame * h.bitrate * 1000) / h.freq) + padding;
}

/**
 * Frame headers that must follow a first one, each where the one before it
 * ends, before it counts as the start of the audio: stray 0xFF bytes in junk
 * are not taken. One successor was not enough: random bytes chain two
 * headers now and then (fast-check found such 4 KiB probes), and those were
 * shared as audio with a made-up bitrate. Real audio has hundreds of frames;
 * the largest is about 1,441 bytes, so three headers fit in a 4 KiB probe
 * whose audio starts in its first 1.2 KiB.
 */
const CONFIRMING_FRAMES = 2;

/**
 * The first frame header in `b` from `from` that CONFIRMING_FRAMES headers of
 * its kind follow. A successor past the bytes read is no confirmation, unless
 * `b` reaches the end of the file (a file of one or two frames): taking those
 * unconfirmed read one file of random bytes in twenty as audio.
 */
function firstFrame(b: Buffer, from: number, toEndOfFile: boolean): { at: number; h: FrameHeader } | undefined {
  const end = Math.min(b.length - 4, from + MAX_SYNC_SCAN_BYTES);
  for (let at = from; at <= end; at++) {
    if (b[at] !== 0xff) continue;
    const h = frameHeader(b, at);
    if (h && confirmed(b, at, h, toEndOfFile)) return { at, h };
  }
  return undefined;
}

/** Whether CONFIRMING_FRAMES headers like `h` follow the frame at `at`, one after another (or the file ends first). */
function confirmed(b: Buffer, at: number, h: FrameHeader, toEndOfFile: boolean): boolean {
  let pos = at;
  let cur = h;
  for (let k = 0; k < CONFIRMING_FRAMES; k++) {
    const next = pos + frameBytes(cur, b, pos);
    if (next + 4 > b.length) return toEndOfFile;
    const h2 = frameHeader(b, next);
    if (!h2 || h2.version !== h.version || h2.layer !== h.layer || h2.freq !== h.freq) return false;
    pos = next;
    cur = h2;
  }
  return true;
}

/** A Xing/Info or VBRI header's frame count and audio byte count (0 when absent), from the first frame. */
function vbrHeader(b: Buffer, at: number, h: FrameHeader): { frames: number; bytes: number } | undefined {
  const side = h.version === 1 ? (h.mono ? 17 : 32) : h.mono ? 9 : 17;
  const x = at + 4 + side;
  if (x + 16 <= b.length) {
    const tag = b.toString('latin1', x, x + 4);
    if (tag === 'Xing' || tag === 'Info') {
      const flags = b.readUInt32BE(x + 4);
      let p = x + 8;
      const frames = flags & 1 ? b.readUInt32BE(p) : 0;
      if (flags & 1) p += 4;
      const bytes = flags & 2 && p + 4 <= b.length ? b.readUInt32BE(p) : 0;
      return frames > 0 ? { frames, bytes } : undefined;
    }
  }
  const v = at + 4 + 32;
  if (v + 18 <= b.length && b.toString('latin1', v, v + 4) === 'VBRI') {
    const frames = b.readUInt32BE(v + 14);
    return frames > 0 ? { frames, bytes: b.readUInt32BE(v + 10) } : undefined;
  }
  return undefined;
}

/**
 * Audio fields from `probe`, the bytes read at `start` (the audio start that
 * audioStart gave), for a file of `fileSize` bytes. `undefined` when no
 * plausible MPEG audio frame is there.
 */
export function mp3Info(probe: Buffer, start: number, fileSize: number): AudioInfo | undefined {
  const f = firstFrame(probe, 0, start + probe.length >= fileSize);
  if (!f) return undefined;
  const audioBytes = fileSize - start - f.at;
  if (audioBytes <= 0) return undefined;
  const vbr = vbrHeader(probe, f.at, f.h);
  if (vbr) {
    const seconds = (vbr.frames * f.h.samplesPerFrame) / f.h.freq;
    const bytes = vbr.bytes > 0 && vbr.bytes <= audioBytes ? vbr.bytes : audioBytes;
    const kbps = Math.round((bytes * 8) / seconds / 1000);
    // A lying frame count gives an absurd average: keep the frame's own bitrate then.
    const sane = kbps >= 8 && kbps <= 640;
    return { bitrate: sane ? kbps : f.h.bitrate, freq: f.h.freq, seconds: Math.round(sane ? seconds : (audioBytes * 8) / (f.h.bitrate * 1000)) };
  }
  return { bitrate: f.h.bitrate, freq: f.h.freq, seconds: Math.round((audioBytes * 8) / (f.h.bitrate * 1000)) };
}
