import { randomBytes } from 'node:crypto';
import { symlink, truncate, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer, connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppEvent } from '../../src/app-api.js';
import { ManualClock } from '../../src/clock.js';
import { TransferEngine } from '../../src/transfer/transfer-engine.js';
import { UPLOAD_CHUNK_BYTES } from '../../src/transfer/upload-task.js';
import { tempDir } from '../share/helpers.js';

/** A loopback socket pair: `server` is what an upload writes into, `received` what the client got. */
async function socketPair(): Promise<{ server: Socket; received: Promise<Buffer>; close(): void }> {
  let server!: Socket;
  const srv = createServer((s) => (server = s));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  const client = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  const received = new Promise<Buffer>((resolve) => {
    client.on('data', (c: Buffer) => chunks.push(c));
    client.on('end', () => resolve(Buffer.concat(chunks)));
    client.on('error', () => resolve(Buffer.concat(chunks)));
  });
  await vi.waitFor(() => expect(server).toBeDefined());
  return { server, received, close: () => (client.destroy(), srv.close()) };
}

describe('TransferEngine uploads', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let engine: TransferEngine;
  let events: AppEvent[];
  const data = randomBytes(3 * 1024 * 1024 + 17);
  let file: string;

  beforeEach(async () => {
    t = await tempDir('peerdeck-upload-');
    file = join(t.dir, 'f.bin');
    await writeFile(file, data);
    events = [];
  });
  afterEach(async () => {
    await engine?.stop();
    await t.cleanup();
  });

  it('streams a whole file over TCP and reports done', async () => {
    engine = new TransferEngine({ downloadDir: t.dir });
    engine.subscribe((e) => events.push(e));
    const pair = await socketPair();
    const r = await engine.upload({ path: file, name: 'f.bin', peer: 'x', protocol: 't', sink: pair.server, sha1: 'abc' });
    expect(r.bytes).toBe(data.length);
    expect((await pair.received).equals(data)).toBe(true);
    expect(events.find((e) => e.type === 'transfer.done')).toMatchObject({ direction: 'up', bytes: data.length, sha1: 'abc' });
    pair.close();
  });

  it('says who a running upload is for in its progress events, not only when it is done', async () => {
    engine = new TransferEngine({ downloadDir: t.dir });
    engine.subscribe((e) => events.push(e));
    const pair = await socketPair();
    await engine.upload({ path: file, name: 'f.bin', peer: '10.0.0.2:7000', protocol: 't', sink: pair.server });
    await pair.received;
    const progress = events.filter((e) => e.type === 'transfer.progress');
    expect(progress.length).toBeGreaterThan(0);
    for (const e of progress) expect(e).toMatchObject({ direction: 'up', peer: '10.0.0.2:7000' });
    pair.close();
  });

  it('sends byte ranges, inclusive, clamped to the file', async () => {
    engine = new TransferEngine({ downloadDir: t.dir });
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (c: Buffer) => chunks.push(c));
    await engine.upload({ path: file, name: 'f', peer: 'x', protocol: 't', sink, start: 10, end: 19 });
    expect(Buffer.concat(chunks)).toEqual(data.subarray(10, 20));
    const sink2 = new PassThrough();
    const c2: Buffer[] = [];
    sink2.on('data', (c: Buffer) => c2.push(c));
    await engine.upload({ path: file, name: 'f', peer: 'x', protocol: 't', sink: sink2, start: data.length - 5, end: data.length + 100 });
    expect(Buffer.concat(c2)).toEqual(data.subarray(data.length - 5));
    await expect(engine.upload({ path: file, name: 'f', peer: 'x', protocol: 't', sink: new PassThrough(), start: data.length + 1 })).rejects.toMatchObject({
      code: 'USAGE',
    });
  });

  it('refuses a symlink swapped in as the file (O_NOFOLLOW)', async () => {
    engine = new TransferEngine({ downloadDir: t.dir });
    const link = join(t.dir, 'link.bin');
    await symlink(file, link);
    await expect(engine.upload({ path: link, name: 'l', peer: 'x', protocol: 't', sink: new PassThrough() })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('cuts off a peer that stops reading', async () => {
    const clock = new ManualClock();
    engine = new TransferEngine({ downloadDir: t.dir, clock, stallMs: 2000 });
    engine.subscribe((e) => events.push(e));
    const stuck = new Writable({ highWaterMark: 1024, write: () => undefined }); // never calls back
    const up = engine.upload({ path: file, name: 'f', peer: 'x', protocol: 't', sink: stuck });
    await vi.waitFor(() => expect(engine.list()[0]?.total).toBe(data.length));
    await new Promise((r) => setTimeout(r, 50)); // let the first read land
    for (let i = 0; i < 12; i++) clock.advance(250);
    await expect(up).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(stuck.destroyed).toBe(true);
    expect(events.find((e) => e.type === 'transfer.failed')).toMatchObject({ direction: 'up' });
  });

  it('an HTTP downloader that resets mid-file fails the upload and nothing else (the process does not die)', async () => {
    // Gnutella uploads write into an http.ServerResponse, which emits no 'error' when the peer resets.
    const big = join(t.dir, 'big.bin');
    await writeFile(big, randomBytes(32 << 20));
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): number => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    engine = new TransferEngine({ downloadDir: t.dir });
    let up: Promise<unknown> | undefined;
    const http = createHttpServer((_req, res) => {
      res.writeHead(200, { 'Content-Length': String(32 << 20) });
      up = engine.upload({ path: big, name: 'big.bin', peer: 'x', protocol: 't', sink: res, endSink: true });
    });
    try {
      await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
      const client = connect((http.address() as { port: number }).port, '127.0.0.1', () => client.write('GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n'));
      await new Promise((r) => client.once('data', r));
      client.pause(); // the uploader's writes back up behind the full socket...
      await vi.waitFor(() => expect(engine.list()[0]?.state).toBe('active'));
      await new Promise((r) => setTimeout(r, 200));
      client.resetAndDestroy(); // ...and all fail at once
      await expect(up).rejects.toMatchObject({ code: expect.stringMatching(/SOCKET|CLOSED/) });
      await new Promise((r) => setTimeout(r, 100));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      http.close();
    }
  });

  it('a peer that goes away while the file is being read is a SOCKET failure, never our disk (FILE)', async () => {
    const big = join(t.dir, 'big.bin');
    await writeFile(big, randomBytes(9 << 20)); // three 4 MiB reads
    engine = new TransferEngine({ downloadDir: t.dir });
    // Takes the first chunk and breaks as a socket does when its peer is gone, while the next one is read.
    const sink = new Writable({
      write(_chunk, _enc, _cb) {
        setImmediate(() => sink.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })));
      },
    });
    sink.on('error', () => undefined);
    await expect(engine.upload({ path: big, name: 'big.bin', peer: 'x', protocol: 't', sink })).rejects.toMatchObject({ code: 'SOCKET' });
  });

  it('fails an upload whose file shrinks under it, and resets the peer instead of ending cleanly', async () => {
    engine = new TransferEngine({ downloadDir: t.dir });
    const big = join(t.dir, 'big.bin');
    await writeFile(big, randomBytes(24 * 1024 * 1024));
    let release: (() => void) | undefined;
    let taken = 0;
    const held = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, cb) {
        taken += chunk.length;
        release = () => cb(); // the first chunk is held until the file has shrunk
      },
    });
    const up = engine.upload({ path: big, name: 'big', peer: 'x', protocol: 't', sink: held });
    await vi.waitFor(() => expect(release).toBeDefined());
    await truncate(big, 1024 * 1024);
    release!();
    await expect(up).rejects.toMatchObject({ code: 'FILE' });
    expect(held.destroyed).toBe(true);
    expect(taken).toBeLessThan(24 * 1024 * 1024);
  });

  it('says how many bytes a shrunk file lacked in words (1 byte, not 1 bytes)', async () => {
    engine = new TransferEngine({ downloadDir: t.dir });
    const big = join(t.dir, 'big.bin');
    await writeFile(big, randomBytes(2 * UPLOAD_CHUNK_BYTES + 1));
    let release: (() => void) | undefined;
    let hold = true;
    const held = new Writable({
      highWaterMark: 1024,
      write(_chunk: Buffer, _enc, cb) {
        if (hold) release = () => cb(); // the first chunk is held until the file has shrunk
        else cb();
      },
    });
    const up = engine.upload({ path: big, name: 'big', peer: 'x', protocol: 't', sink: held });
    await vi.waitFor(() => expect(release).toBeDefined());
    await truncate(big, 2 * UPLOAD_CHUNK_BYTES); // one byte short of what the upload announced
    hold = false;
    release!();
    await expect(up).rejects.toMatchObject({ code: 'FILE', message: expect.stringMatching(/file ended 1 byte early/) });
  });

  it('holds slots: global and per peer, refuses when asked not to wait, queues otherwise', async () => {
    engine = new TransferEngine({ downloadDir: t.dir, maxUploads: 2, maxUploadsPerPeer: 1, maxWaitingUploads: 1 });
    const held = engine.tryUploadSlot('A');
    expect(held).toBeDefined();
    await expect(engine.upload({ path: file, name: 'f', peer: 'A', protocol: 't', sink: new PassThrough(), wait: false })).rejects.toMatchObject({
      code: 'LIMIT',
    });
    const sink = new PassThrough();
    sink.resume();
    const queued = engine.upload({ path: file, name: 'f', peer: 'A', protocol: 't', sink });
    await expect(engine.upload({ path: file, name: 'f', peer: 'A', protocol: 't', sink: new PassThrough() })).rejects.toMatchObject({ code: 'LIMIT' });
    held!();
    await expect(queued).resolves.toMatchObject({ bytes: data.length });
  });
});
