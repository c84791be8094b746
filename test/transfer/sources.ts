import { PassThrough, Readable } from 'node:stream';
import type { DownloadSource } from '../../src/transfer/transfer-types.js';

/** A source serving `data` in small chunks; with `ranges` it starts at the asked offset. */
export function bufferSource(data: Buffer, opts: { ranges?: boolean; chunk?: number } = {}): DownloadSource & { opened: number[] } {
  const opened: number[] = [];
  return {
    opened,
    open(offset) {
      opened.push(offset);
      const start = opts.ranges ? offset : 0;
      const chunk = opts.chunk ?? 4096;
      const parts: Buffer[] = [];
      for (let i = start; i < data.length; i += chunk) parts.push(data.subarray(i, Math.min(i + chunk, data.length)));
      return Promise.resolve({ stream: Readable.from(parts, { objectMode: false }), start, total: null });
    },
  };
}

/** A source that sends `head` and then nothing more, ever (a silent peer). */
export function silentSource(head = Buffer.alloc(0)): DownloadSource & { streams: PassThrough[] } {
  const streams: PassThrough[] = [];
  return {
    streams,
    open() {
      const s = new PassThrough();
      if (head.length) s.write(head);
      streams.push(s);
      return Promise.resolve({ stream: s, start: 0 });
    },
  };
}
