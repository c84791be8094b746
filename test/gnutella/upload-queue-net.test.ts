import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeapClock } from '../leap-clock.js';
import { startGNode, type GNode } from './gnutella-net.js';

/** One request on a fresh connection, `Connection: close`: the whole answer as latin1 text. */
function ask(port: number, path: string, headers: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => s.write([`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...headers, '', ''].join('\r\n')));
    let text = '';
    s.on('data', (c: Buffer) => (text += c.toString('latin1')));
    s.on('close', () => resolve(text));
    s.on('error', reject);
  });
}

/** A download that takes the only slot and holds it: it reads the answer's first bytes, then stops reading. */
function hold(port: number, path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`));
    s.once('data', (c: Buffer) => {
      s.pause();
      if (c.toString('latin1').startsWith('HTTP/1.1 200')) resolve(s);
      else reject(new Error(c.toString('latin1', 0, 100)));
    });
    s.on('error', () => undefined);
  });
}

/** A kept-alive connection: each `get` sends one request and reads one answer (head, then Content-Length bytes). */
function keptAlive(port: number): { get(path: string, headers?: string[]): Promise<string>; close(): void } {
  const s = connect({ host: '127.0.0.1', port });
  s.on('error', () => undefined);
  let buf = Buffer.alloc(0);
  let want: ((text: string) => void) | undefined;
  const pump = (): void => {
    const end = buf.indexOf('\r\n\r\n');
    if (!want || end < 0) return;
    const headText = buf.toString('latin1', 0, end + 2);
    const len = Number(/\r\nContent-Length: (\d+)\r\n/i.exec(headText)?.[1] ?? 0);
    if (buf.length < end + 4 + len) return;
    buf = buf.subarray(end + 4 + len);
    const w = want;
    want = undefined;
    w(headText);
  };
  s.on('data', (c: Buffer) => {
    buf = Buffer.concat([buf, c]);
    pump();
  });
  return {
    get: (path, headers = []) =>
      new Promise((resolve) => {
        want = resolve;
        s.write([`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...headers, '', ''].join('\r\n'));
      }),
    close: () => s.destroy(),
  };
}

const head = (text: string): string => text.slice(0, text.indexOf('\r\n\r\n') + 2);
const idOf = (text: string): string => /X-Queued: [^\r]*ID=([0-9A-F]{32})\r\n/.exec(text)?.[1] ?? 'none';
const PARQ = ['X-Queue: 1.1'];

describe('the PARQ upload queue on the Gnutella port (one upload slot)', () => {
  const clock = new LeapClock();
  let node: GNode;
  const big = randomBytes(32 * 1024 * 1024);
  beforeAll(async () => {
    const files: Record<string, Buffer | string> = { 'big.bin': big };
    for (const n of ['a', 'b', 'c', 'd', 'e']) files[`${n}.txt`] = `file ${n}`;
    node = await startGNode(0, files, { uploadQueue: { maxEntries: 3 } }, { maxUploads: 1, maxUploadsPerPeer: 1, stallMs: 3_600_000 }, clock);
  });
  afterAll(async () => {
    await node.stop();
  });
  const path = (name: string): string => `/get/${node.share.byName(name)!.index}/${name}`;
  const slotFree = (): boolean => {
    const r = node.transfers.tryUploadSlot('probe');
    r?.();
    return r !== undefined;
  };

  it('queues in order, quotes IDs, refuses past the cap, serves first come first served, forgets after the lifetime', async () => {
    const holder = await hold(node.port, path('big.bin'));

    const a1 = await ask(node.port, path('a.txt'), PARQ);
    expect(head(a1)).toMatch(/^HTTP\/1\.1 503 Queued\r\n/);
    expect(a1).toContain('\r\nRetry-After: 60\r\n');
    expect(a1).toContain('\r\nX-Features: queue/1.0\r\n');
    expect(a1).toMatch(/\r\nX-Queued: position=1; length=1; ETA=60; lifetime=600; ID=[0-9A-F]{32}\r\n/);
    const idA = idOf(a1);

    const b1 = await ask(node.port, path('b.txt'), PARQ);
    expect(b1).toMatch(/\r\nX-Queued: position=2; length=2; ETA=120; lifetime=600; ID=[0-9A-F]{32}\r\n/);
    const idB = idOf(b1);
    expect(idB).not.toBe(idA);

    // Early, quoting its ID: the same place and ID, the time left to wait.
    clock.leap(20_000);
    const a2 = await ask(node.port, path('a.txt'), [...PARQ, `X-Queued: position=1; ID=${idA}`]);
    expect(a2).toMatch(new RegExp(`\\r\\nX-Queued: position=1; length=2; ETA=60; lifetime=\\d+; ID=${idA}\\r\\n`));
    expect(a2).toMatch(/\r\nRetry-After: 40\r\n/);

    // No X-Queue: a plain busy, no place taken.
    const plain = await ask(node.port, path('e.txt'));
    expect(head(plain)).toMatch(/^HTTP\/1\.1 503 Busy\r\n/);
    expect(plain).toContain('\r\nRetry-After: 60\r\n');
    expect(plain).not.toContain('X-Queued');

    // Third entry fills the queue (cap 3); a fourth file is refused.
    const c1 = await ask(node.port, path('c.txt'), PARQ);
    expect(c1).toMatch(/X-Queued: position=3; length=3;/);
    const d1 = await ask(node.port, path('d.txt'), PARQ);
    expect(head(d1)).toMatch(/^HTTP\/1\.1 503 Queue full\r\n/);
    expect(d1).not.toContain('X-Queued');

    // The slot frees: a newcomer does not take it while those queued are expected.
    holder.destroy();
    await node.waitFor(slotFree, 10_000);
    const e1 = await ask(node.port, path('e.txt'));
    expect(head(e1)).toMatch(/^HTTP\/1\.1 503 Busy\r\n/);

    // All due: B comes back first but A is ahead and still expected, so B waits.
    clock.leap(41_000);
    const b2 = await ask(node.port, path('b.txt'), [...PARQ, `X-Queued: position=2; ID=${idB}`]);
    expect(b2).toMatch(new RegExp(`X-Queued: position=2; length=3; ETA=120; lifetime=600; ID=${idB}\\r\\n`));
    const a3 = await ask(node.port, path('a.txt'), [...PARQ, `X-Queued: position=1; ID=${idA}`]);
    expect(head(a3)).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(a3.endsWith('file a')).toBe(true);

    // A has left the queue: B moves up.
    await node.waitFor(slotFree, 10_000);
    const b3 = await ask(node.port, path('b.txt'), [...PARQ, `X-Queued: position=2; ID=${idB}`]);
    expect(b3).toMatch(new RegExp(`X-Queued: position=1; length=2; ETA=60; lifetime=\\d+; ID=${idB}\\r\\n`));

    // Nobody comes back for the lifetime: the entries are forgotten.
    await node.waitFor(slotFree, 10_000);
    clock.leap(601_000);
    const holder2 = await hold(node.port, path('big.bin'));
    const c2 = await ask(node.port, path('c.txt'), PARQ);
    expect(c2).toMatch(/X-Queued: position=1; length=1; ETA=60; lifetime=600; ID=[0-9A-F]{32}\r\n/);
    expect(idOf(c2)).not.toBe(idOf(c1));
    holder2.destroy();
  }, 30_000);
});

describe('a downloader fetching pieces on one kept-alive connection keeps its slot', () => {
  let node: GNode;
  beforeAll(async () => {
    node = await startGNode(0, { 'song.bin': randomBytes(256 * 1024), 'other.txt': 'x' }, { maxPieceBytes: 64 * 1024 }, { maxUploads: 1 });
  });
  afterAll(async () => {
    await node.stop();
  });

  it('is not queued between pieces while a PARQ client waits', async () => {
    const song = `/get/${node.share.byName('song.bin')!.index}/song.bin`;
    const k = keptAlive(node.port);
    expect(await k.get(song, ['Range: bytes=0-'])).toMatch(/^HTTP\/1\.1 206 Partial Content\r\n[^]*Content-Range: bytes 0-65535\/262144\r\n/);
    const q = await ask(node.port, `/get/${node.share.byName('other.txt')!.index}/other.txt`, PARQ);
    expect(head(q)).toMatch(/^HTTP\/1\.1 503 Queued\r\n/);
    expect(await k.get(song, ['Range: bytes=65536-'])).toMatch(/^HTTP\/1\.1 206 Partial Content\r\n[^]*Content-Range: bytes 65536-131071\/262144\r\n/);
    k.close();
  });
});
