import { createServer, type Server } from 'node:http';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { httpSource } from '../../protocols/gnutella/http-download.js';
import { parseContentRange, parseRange } from '../../protocols/gnutella/http-range.js';

/** Digits as a hostile peer may send them: small, around 2^53, or far past it. */
const digits = fc.oneof(fc.nat(1_000), fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String), fc.constantFrom('9007199254740993', '18446744073709551616', '0'.repeat(40) + '7'));

describe('Range and Content-Range under hostile input', () => {
  it('a Range header gives the whole file, nothing, or a range inside the file (property)', () => {
    const header = fc.oneof(fc.string(), fc.tuple(digits, digits).map(([a, b]) => `bytes=${a}-${b}`), digits.map((n) => `bytes=-${n}`), digits.map((n) => `bytes=${n}-`));
    fc.assert(
      fc.property(header, fc.nat(1 << 30), (h, size) => {
        const r = parseRange(h, size);
        if (r.kind === 'range') {
          expect(Number.isSafeInteger(r.start) && Number.isSafeInteger(r.end)).toBe(true);
          expect(0 <= r.start && r.start <= r.end && r.end < size).toBe(true);
        }
      }),
    );
  });

  it('a Content-Range gives exact integers with start <= end, or nothing (property)', () => {
    const header = fc.oneof(fc.string(), fc.tuple(digits, digits, fc.oneof(digits, fc.constant('*'))).map(([a, b, t]) => `bytes ${a}-${b}/${t}`));
    fc.assert(
      fc.property(header, (h) => {
        const r = parseContentRange(h);
        if (r === undefined) return;
        expect(Number.isSafeInteger(r.start) && Number.isSafeInteger(r.end) && r.start <= r.end).toBe(true);
        if (r.total !== undefined) expect(Number.isSafeInteger(r.total)).toBe(true);
      }),
    );
    expect(parseContentRange('bytes 0-9/10')).toEqual({ start: 0, end: 9, total: 10 });
    expect(parseContentRange('bytes 0-9/*')).toEqual({ start: 0, end: 9, total: undefined });
    expect(parseContentRange('bytes 0-18446744073709551616/18446744073709551617')).toBeUndefined();
  });
});

describe('a download from an uploader that sends a Content-Range past 2^53', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });

  it('fails with BAD_MESSAGE instead of taking the rounded numbers', async () => {
    server = createServer((_req, res) => {
      res.writeHead(206, { 'Content-Range': 'bytes 0-9007199254740993/9007199254740995', 'Content-Length': '10' });
      res.end(Buffer.alloc(10));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const src = httpSource({ ip: '127.0.0.1', port, index: 1, name: 'x.bin', guid: '00'.repeat(16), firewalled: false });
    await expect(src.open(0, new AbortController().signal)).rejects.toMatchObject({ code: 'BAD_MESSAGE' });
  });
});
