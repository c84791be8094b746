import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NetError } from '../../src/errors.js';
import { ManualClock } from '../../src/clock.js';
import { runDownload, type DownloadContext } from '../../src/transfer/download-task.js';
import { SocketSink, type SinkTarget } from '../../src/transfer/socket-sink.js';
import type { DownloadSource } from '../../src/transfer/transfer-types.js';
import { tempDir } from '../share/helpers.js';
import { splitAt } from '../chunking.js';

const HEADER = Buffer.from('SIZE 123\n');
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A peer that runs `body(socket)`: HEADER and the file's bytes (chunks, pauses, an early end, a reset). */
async function peer(body: (s: Socket) => Promise<void> | void): Promise<{ port: number; server: Server; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.on('error', () => undefined);
    void Promise.resolve(body(s)).catch(() => s.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, server, sockets };
}

/** Sends `parts` one by one with a turn of the event loop between, then ends. */
const chunked = (parts: Buffer[]) => async (s: Socket): Promise<void> => {
  for (const p of parts) {
    if (p.length > 0) s.write(p);
    await tick();
  }
  s.end();
};

/**
 * Our side, as the Napster data port does it: connect through the sink, read
 * the header with 'data' events (a Connection's decoder), pause, put back what
 * came after it (detach), then hand the rest to the sink.
 */
async function fetch(port: number, sink: SocketSink, target: SinkTarget): Promise<number> {
  await openThrough(port, sink);
  return sink.writeTo(target);
}

/** Connects through the sink and reads the header as a Connection would; the socket is left paused after it. */
async function openThrough(port: number, sink: SocketSink): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port, onread: sink.onread });
  sink.bind(socket);
  socket.on('error', () => undefined);
  const head = await new Promise<Buffer>((resolve, reject) => {
    const got: Buffer[] = [];
    let n = 0;
    const onData = (c: Buffer): void => {
      got.push(c);
      n += c.length;
      if (n < HEADER.length) return;
      socket.off('data', onData);
      socket.pause();
      resolve(Buffer.concat(got));
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error('closed in the header')));
  });
  expect(head.subarray(0, HEADER.length)).toEqual(HEADER);
  if (head.length > HEADER.length) socket.unshift(head.subarray(HEADER.length));
  return socket;
}

/** A download source over a real socket read by a SocketSink (as the Napster data-port GET is). */
function sinkSource(port: number, opts: { bufferBytes?: number; buffers?: number } = {}): DownloadSource {
  return {
    async open() {
      const sink = new SocketSink(opts);
      return { stream: await openThrough(port, sink), start: 0, total: null, sink };
    },
  };
}

describe('SocketSink: a socket read straight into a ring of buffers and appended to the part', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let servers: Server[];
  let part: string;
  let seen: number[];

  const target = (over: Partial<SinkTarget> = {}): SinkTarget => ({
    partPath: part,
    bytes: 0,
    skip: 0,
    cap: Number.MAX_SAFE_INTEGER,
    hash: undefined,
    signal: new AbortController().signal,
    onBytes: (n) => seen.push(n),
    ...over,
  });
  const serve = async (body: (s: Socket) => Promise<void> | void): Promise<Awaited<ReturnType<typeof peer>>> => {
    const p = await peer(body);
    servers.push(p.server);
    return p;
  };

  beforeEach(async () => {
    t = await tempDir('peerdeck-sink-');
    part = join(t.dir, 'x.bin.part');
    servers = [];
    seen = [];
  });
  afterEach(async () => {
    for (const s of servers) s.close();
    await t.cleanup();
  });

  it('gives every byte, in order, whatever the ring size and however the stream is cut (every buffer and ring boundary)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 40_000 }),
        fc.constantFrom(1, 7, 64, 1000, 4096, 65_539),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        async (size, bufferBytes, buffers, cuts) => {
          const data = randomBytes(bufferBytes === 1 ? Math.min(size, 3000) : size);
          // The header and the first bytes may come in one segment (the uploader writes them back to back).
          const wire = Buffer.concat([HEADER, data]);
          const parts = splitAt(wire, cuts);
          const p = await serve(chunked(parts));
          seen = [];
          await writeFile(part, '');
          const hash = createHash('sha1');
          const n = await fetch(p.port, new SocketSink({ bufferBytes, buffers }), target({ hash }));
          expect(n).toBe(data.length);
          expect((await readFile(part)).equals(data)).toBe(true);
          expect(hash.digest('hex')).toBe(createHash('sha1').update(data).digest('hex'));
          expect(seen.every((v, i) => i === 0 || v >= seen[i - 1]!)).toBe(true);
          expect(seen.at(-1) ?? 0).toBe(data.length);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('moves a stream larger than the whole ring many times over (the default 4 x 1 MiB ring, writes and reuse)', async () => {
    const data = randomBytes(40 << 20);
    const p = await serve((s) => void s.end(Buffer.concat([HEADER, data])));
    expect(await fetch(p.port, new SocketSink(), target())).toBe(data.length);
    expect((await readFile(part)).equals(data)).toBe(true);
  });

  it('resumes: appends to the part, dropping what the peer sends before our offset', async () => {
    const data = randomBytes(100_000);
    await writeFile(part, data.subarray(0, 30_000));
    // The peer streams from byte 10,000 (we have 30,000): 20,000 bytes are dropped, split across buffers.
    const p = await serve(chunked(splitAt(Buffer.concat([HEADER, data.subarray(10_000)]), [5, 9000, 21_000, 50_000])));
    const n = await fetch(p.port, new SocketSink({ bufferBytes: 4096, buffers: 2 }), target({ bytes: 30_000, skip: 20_000 }));
    expect(n).toBe(data.length);
    expect((await readFile(part)).equals(data)).toBe(true);
  });

  it('a peer that sends more than the cap is a SIZE error, and the socket is closed', async () => {
    const data = randomBytes(50_000);
    const p = await serve(chunked(splitAt(Buffer.concat([HEADER, data]), [100, 20_000])));
    const err = await fetch(p.port, new SocketSink({ bufferBytes: 8192, buffers: 2 }), target({ cap: 49_999 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetError);
    expect((err as NetError).code).toBe('SIZE');
    expect((await readFile(part)).length).toBeLessThan(49_999);
    await vi.waitFor(() => expect(p.sockets[0]?.destroyed).toBe(true));
  });

  it('a stream that ends early resolves with what came (the caller says INCOMPLETE), every byte on disk', async () => {
    const data = randomBytes(70_000);
    const p = await serve(chunked([HEADER, data.subarray(0, 33_333)]));
    expect(await fetch(p.port, new SocketSink({ bufferBytes: 10_000, buffers: 2 }), target({ cap: 70_000 }))).toBe(33_333);
    expect((await readFile(part)).equals(data.subarray(0, 33_333))).toBe(true);
  });

  it('a peer that resets mid-stream fails it, and the part holds exactly the bytes that arrived, in order', async () => {
    const data = randomBytes(60_000);
    const p = await serve(async (s) => {
      s.write(Buffer.concat([HEADER, data.subarray(0, 25_000)]));
      await new Promise((r) => setTimeout(r, 50));
      s.resetAndDestroy();
    });
    const err = await fetch(p.port, new SocketSink({ bufferBytes: 16_384, buffers: 2 }), target()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetError);
    expect(['SOCKET', 'CLOSED']).toContain((err as NetError).code);
    const got = await readFile(part);
    expect(got.length).toBe(seen.at(-1));
    expect(got.equals(data.subarray(0, got.length))).toBe(true);
    expect(got.length).toBe(25_000);
  });

  it('an abort (cancel, stall) fails with its reason, closes the socket and keeps what arrived', async () => {
    const data = randomBytes(20_000);
    const p = await serve((s) => void s.write(Buffer.concat([HEADER, data]))); // and then silence
    const ac = new AbortController();
    const sink = new SocketSink({ bufferBytes: 65_536, buffers: 2 });
    const run = fetch(p.port, sink, target({ signal: ac.signal }));
    await vi.waitFor(() => expect(seen.at(-1)).toBe(20_000));
    // A tick's flush puts what arrived on disk while the buffer is not full yet.
    sink.flush();
    await vi.waitFor(async () => expect((await readFile(part)).length).toBe(20_000));
    ac.abort(NetError.timeout('download stalled', 1000));
    const err = await run.catch((e: unknown) => e);
    expect((err as NetError).code).toBe('TIMEOUT');
    expect((await readFile(part)).equals(data)).toBe(true);
    await vi.waitFor(() => expect(p.sockets[0]?.destroyed).toBe(true));
  });

  it('a disk error is FILE, and the socket is closed', async () => {
    const p = await serve((s) => void s.write(Buffer.concat([HEADER, randomBytes(10_000)])));
    const err = await fetch(p.port, new SocketSink({ bufferBytes: 4096, buffers: 2 }), target({ partPath: join(t.dir, 'no', 'such', 'dir.part') })).catch(
      (e: unknown) => e,
    );
    expect((err as NetError).code).toBe('FILE');
    await vi.waitFor(() => expect(p.sockets[0]?.destroyed).toBe(true));
  });

  it('a slow disk pauses the socket: memory stays at the ring, the peer is held back, then every byte arrives', async () => {
    // A FIFO that nobody reads yet is a disk that takes nothing: our writes block in the thread pool.
    const fifo = join(t.dir, 'slow.part');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      console.log('skipping the slow-disk test: mkfifo is not available');
      return;
    }
    const data = randomBytes(48 << 20);
    let sent = 0;
    const p = await serve(async (s) => {
      s.write(HEADER);
      for (let i = 0; i < data.length; i += 1 << 20) {
        const ok = s.write(data.subarray(i, i + (1 << 20)));
        sent = i + (1 << 20);
        if (!ok) await new Promise((r) => s.once('drain', r));
      }
      s.end();
    });
    const ring = 2 * 65_536;
    const run = fetch(p.port, new SocketSink({ bufferBytes: 65_536, buffers: 2 }), target({ partPath: fifo }));
    await new Promise((r) => setTimeout(r, 400));
    // Taken from the socket: at most the ring, the spare and what sits in the FIFO's pipe (64 KiB) or in a blocked write.
    expect(seen.at(-1) ?? 0).toBeLessThanOrEqual(ring + 65_536 + 65_536 + 65_536);
    expect(sent).toBeLessThan(data.length); // the peer is held back by TCP
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      const rs = createReadStream(fifo);
      rs.on('data', (c) => chunks.push(c as Buffer));
      rs.on('end', () => resolve());
      rs.on('error', reject);
    });
    expect(await run).toBe(data.length);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
  });
});

describe('a download through a SocketSink (runDownload): the engine guarantees hold', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let servers: Server[];
  beforeEach(async () => {
    t = await tempDir('peerdeck-sink-dl-');
    servers = [];
  });
  afterEach(async () => {
    for (const s of servers) s.close();
    await t.cleanup();
  });
  const serve = async (body: (s: Socket) => Promise<void> | void): Promise<Awaited<ReturnType<typeof peer>>> => {
    const p = await peer(body);
    servers.push(p.server);
    return p;
  };
  const ctx = (source: DownloadSource, over: Partial<DownloadContext> & { size?: number } = {}): DownloadContext => ({
    req: { name: 'f.bin', peer: 'p', protocol: 'test', source, size: over.size },
    dir: t.dir,
    partName: 'f.bin.part',
    clock: new ManualClock(),
    signal: new AbortController().signal,
    stallMs: 30_000,
    maxBytes: 1 << 30,
    onStart: () => undefined,
    onBytes: () => undefined,
    ...over,
  });

  it('a whole file gets its final name, byte-identical', async () => {
    const data = randomBytes(300_000);
    const p = await serve(chunked(splitAt(Buffer.concat([HEADER, data]), [3, 70_000, 140_001])));
    const out = await runDownload(ctx(sinkSource(p.port, { bufferBytes: 65_536, buffers: 2 }), { size: data.length }));
    expect(out.bytes).toBe(data.length);
    expect((await readFile(join(t.dir, 'f.bin'))).equals(data)).toBe(true);
    expect(await readdir(t.dir)).toEqual(['f.bin']);
  });

  it('a peer that sends more than announced: SIZE, the part is deleted, nothing under the final name', async () => {
    const data = randomBytes(200_000);
    const p = await serve(chunked([Buffer.concat([HEADER, data.subarray(0, 1000)]), data.subarray(1000)]));
    const err = await runDownload(ctx(sinkSource(p.port, { bufferBytes: 65_536, buffers: 2 }), { size: 150_000 })).catch((e: unknown) => e);
    expect((err as NetError).code).toBe('SIZE');
    expect(await readdir(t.dir)).toEqual([]);
  });

  it('a silent peer: its bytes reach the part within a tick, and after stallMs the download fails (TIMEOUT) keeping them', async () => {
    const clock = new ManualClock();
    const data = randomBytes(12_345);
    // The bytes come after the header phase, into the ring; then silence.
    const p = await serve(async (s) => {
      s.write(HEADER);
      await new Promise((r) => setTimeout(r, 100));
      s.write(data);
    });
    let bytes = 0;
    const run = runDownload(ctx(sinkSource(p.port), { clock, stallMs: 5000, size: 100_000, onBytes: (n) => (bytes = n) }));
    run.catch(() => undefined);
    await vi.waitFor(() => expect(bytes).toBe(data.length));
    const part = join(t.dir, 'f.bin.part');
    expect((await readFile(part)).length).toBe(0); // in the 1 MiB buffer still
    clock.advance(1000);
    await vi.waitFor(async () => expect((await readFile(part)).equals(data)).toBe(true));
    clock.advance(4000);
    const err = await run.catch((e: unknown) => e);
    expect((err as NetError).code).toBe('TIMEOUT');
    expect((await readFile(part)).equals(data)).toBe(true);
    await vi.waitFor(() => expect(p.sockets[0]?.destroyed).toBe(true));
  });
});
