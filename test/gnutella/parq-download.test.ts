import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../src/app-api.js';
import { formatTransfer } from '../../src/transfer/format.js';
import { TransferEngine, type TransferEngineOptions } from '../../src/transfer/transfer-engine.js';
import type { DownloadRequest } from '../../src/transfer/transfer-types.js';
import { httpSource } from '../../protocols/gnutella/http-download.js';
import { readBusy } from '../../protocols/gnutella/parq-download.js';

interface Seen {
  at: number;
  conn: number;
  text: string;
}

/**
 * A hostile or queueing HTTP server on 127.0.0.1: `answer(n, request)` gives the bytes of the
 * n-th answer (0-based); every request is recorded with its time and connection number.
 */
async function fakeServer(answer: (n: number, req: string) => string | Buffer): Promise<{ port: number; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  let conns = 0;
  const server: Server = createServer((s) => {
    const conn = conns++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    let buf = '';
    s.on('data', (c: Buffer) => {
      buf += c.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        const text = buf.slice(0, end);
        buf = buf.slice(end + 4);
        seen.push({ at: Date.now(), conn, text });
        s.write(answer(seen.length - 1, text));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    seen,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

const http503 = (headers: string[]): string => ['HTTP/1.1 503 Busy', 'Server: gtk-gnutella/1.2.3', 'Content-Length: 0', ...headers, '', ''].join('\r\n');
const http200 = (body: Buffer): Buffer => Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`, 'latin1'), body]);
const sha1 = (b: Buffer): string => createHash('sha1').update(b).digest('hex');

describe('downloading from a source that queues us (PARQ, LimeWire, busy; spec 5.4)', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function engine(opts: Partial<TransferEngineOptions> = {}): Promise<{ t: TransferEngine; events: AppEvent[] }> {
    const dir = await mkdtemp(join(tmpdir(), 'parq-'));
    const t = new TransferEngine({ downloadDir: dir, ...opts });
    const events: AppEvent[] = [];
    t.subscribe((e) => events.push(e));
    cleanup.push(async () => {
      await t.stop();
      await rm(dir, { recursive: true, force: true });
    });
    return { t, events };
  }

  async function server(answer: (n: number, req: string) => string | Buffer): Promise<Awaited<ReturnType<typeof fakeServer>>> {
    const s = await fakeServer(answer);
    cleanup.push(() => s.close());
    return s;
  }

  const request = (port: number, data: Buffer, node?: string): DownloadRequest => ({
    name: 'song.mp3',
    peer: `127.0.0.1:${port}`,
    protocol: 'gnutella',
    size: data.length,
    sha1: sha1(data),
    source: httpSource({ ip: '127.0.0.1', port, index: 1, name: 'song.mp3', guid: '00'.repeat(16), firewalled: false }, undefined, node ? { node: () => node } : {}),
  });

  const until = async (pred: () => boolean, ms = 10_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  it('PARQ: waits Retry-After, comes back quoting its place and ID, and shows the wait to the user', async () => {
    const data = randomBytes(5_000);
    const id = 'ABCDEF0123456789ABCDEF0123456789';
    const srv = await server((n) => (n === 0 ? http503(['Retry-After: 2', `X-Queued: position=3; length=12; ETA=30; lifetime=300; ID=${id}`]) : http200(data)));
    const { t, events } = await engine();
    const dl = t.download(request(srv.port, data, '127.0.0.1:6346'));
    await until(() => events.some((e) => e.type === 'transfer.queued' && e.remote !== undefined));
    const queued = events.find((e) => e.type === 'transfer.queued' && e.remote !== undefined);
    expect(queued).toMatchObject({ position: 0, remote: { note: `queued at gtk-gnutella/1.2.3 (127.0.0.1:${srv.port}), position 3 of 12`, retryInS: 2 } });
    expect(formatTransfer(t.get(dl)!)).toMatch(/ queued song\.mp3 <- 127\.0\.0\.1:\d+ \[gnutella\] \(queued at gtk-gnutella\/1\.2\.3 \(127\.0\.0\.1:\d+\), position 3 of 12, next try in [12] s\)$/);
    await until(() => t.get(dl)?.state === 'done');
    expect(srv.seen).toHaveLength(2);
    expect(srv.seen[0]!.text).toMatch(/\r\nX-Queue: 1\.1(\r\n|$)/);
    expect(srv.seen[0]!.text).toMatch(/\r\nX-Node: 127\.0\.0\.1:6346(\r\n|$)/);
    expect(srv.seen[0]!.text).not.toMatch(/X-Queued/i);
    expect(srv.seen[1]!.text).toMatch(new RegExp(`\\r\\nX-Queued: position=3; ID=${id}(\\r\\n|$)`));
    expect(srv.seen[1]!.at - srv.seen[0]!.at).toBeGreaterThanOrEqual(2_000);
    expect((await readFile(t.get(dl)!.path!)).equals(data)).toBe(true);
  });

  it("LimeWire's active queue: polls again on the same connection after pollMin", async () => {
    const data = randomBytes(3_000);
    const srv = await server((n) => (n === 0 ? http503(['X-Queue: position=1, pollMin=1, pollMax=3', 'Connection: Keep-Alive']) : http200(data)));
    const { t } = await engine();
    const dl = t.download(request(srv.port, data));
    await until(() => t.get(dl)?.state === 'done');
    expect(srv.seen.map((s) => s.conn)).toEqual([0, 0]);
    expect(srv.seen[1]!.at - srv.seen[0]!.at).toBeGreaterThanOrEqual(1_000);
  });

  it('hostile numbers are clamped: Retry-After 99999999 waits 1 h at most, and /cancel ends the wait with no further request', async () => {
    const data = randomBytes(100);
    const srv = await server(() => http503(['Retry-After: 99999999', 'X-Queued: position=-1; length=zz; lifetime=0; ID=x y z']));
    const { t, events } = await engine();
    const dl = t.download(request(srv.port, data));
    await until(() => t.get(dl)?.remote !== undefined);
    // No usable X-Queued field: a plain busy, clamped to an hour.
    expect(t.get(dl)!.remote).toEqual({ note: `busy: gtk-gnutella/1.2.3 (127.0.0.1:${srv.port}) has no free upload slot`, retryInS: 3600 });
    expect(t.cancel(dl)).toBe(true);
    expect(t.get(dl)).toMatchObject({ state: 'cancelled' });
    expect(events.filter((e) => e.type === 'transfer.failed')).toMatchObject([{ id: dl, state: 'cancelled' }]);
    await new Promise((r) => setTimeout(r, 50));
    expect(srv.seen).toHaveLength(1);
  });

  it('reads garbage and edge values into bounded waits', () => {
    const at = '10.0.0.1:6346';
    expect(readBusy({ 'retry-after': '0', 'x-queued': 'position=1; ID=A' }, at).wait.retryInMs).toBe(1_000);
    expect(readBusy({ 'x-queued': 'position=2; length=3; lifetime=0; ID=A' }, at).wait).toMatchObject({ retryInMs: 60_000, kind: 'queued' });
    expect(readBusy({ 'x-queued': 'position=2; lifetime=100; ID=A' }, at).wait.retryInMs).toBe(60_000);
    expect(readBusy({ 'x-queued': 'position=2; lifetime=70; ID=A' }, at).wait.retryInMs).toBe(30_000);
    expect(readBusy({ 'retry-after': '90', 'x-queued': 'position=2; lifetime=70; ID=A' }, at).wait.retryInMs).toBe(90_000);
    expect(readBusy({ 'retry-after': '-5' }, at).wait).toMatchObject({ retryInMs: 60_000, kind: 'busy', note: `busy: ${at} has no free upload slot` });
    expect(readBusy({ 'x-queue': 'position=1, pollMin=999999999, pollMax=5' }, at)).toMatchObject({ wait: { retryInMs: 5_000 }, pollMaxS: 5 });
    expect(readBusy({ server: '\u0000evil\u001b[31m'.repeat(20) }, at).wait.note.length).toBeLessThan(100);
  });

  it('a busy source is given up after its tries, each no earlier than its Retry-After', async () => {
    const data = randomBytes(100);
    const srv = await server(() => http503(['Retry-After: 1']));
    const { t } = await engine({ remoteBusyTries: 2 });
    const dl = t.download(request(srv.port, data));
    await until(() => t.get(dl)?.state === 'failed', 15_000);
    expect(t.get(dl)!.reason).toMatch(/busy: gtk-gnutella.* has no free upload slot/);
    expect(srv.seen).toHaveLength(3);
    for (let i = 1; i < 3; i++) expect(srv.seen[i]!.at - srv.seen[i - 1]!.at).toBeGreaterThanOrEqual(1_000);
  });

  it('with another source, goes on with it at once and leaves the queued one for later', async () => {
    const data = randomBytes(4_000);
    const queuing = await server(() => http503(['Retry-After: 3600', 'X-Queued: position=9; length=9; ID=AAAA']));
    const good = await server(() => http200(data));
    const { t } = await engine();
    const dl = t.download(request(queuing.port, data));
    expect(t.addSource(request(good.port, data))).toBe(dl);
    await until(() => t.get(dl)?.state === 'done');
    expect(t.get(dl)!.peer).toBe(`127.0.0.1:${good.port}`);
    expect([queuing.seen.length, good.seen.length]).toEqual([1, 1]);
  });

  it('shutdown ends a remote wait at once', async () => {
    const data = randomBytes(100);
    const srv = await server(() => http503(['Retry-After: 3000']));
    const { t } = await engine();
    const dl = t.download(request(srv.port, data));
    await until(() => t.get(dl)?.remote !== undefined);
    const started = Date.now();
    await t.stop();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(t.get(dl)!.state).toBe('cancelled');
  });
});
