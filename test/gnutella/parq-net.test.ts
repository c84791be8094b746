import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startGNode, type GNode } from './gnutella-net.js';

const sha1 = (b: Buffer): string => createHash('sha1').update(b).digest('hex');

async function qrpReady(up: GNode): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const lines = await up.node.run('gnutella', 'gstatus', []);
    if (lines.filter((l) => l.includes('qrp complete')).length === 2) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('QRP tables did not arrive');
}

/** The first download: it takes the only upload slot and stops reading after the first bytes. */
function hold(port: number, path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    s.once('data', (c: Buffer) => {
      s.pause();
      if (c.toString('latin1').startsWith('HTTP/1.1 200')) resolve(s);
      else reject(new Error(c.toString('latin1', 0, 100)));
    });
    s.on('error', () => undefined);
  });
}

describe('two servents, one upload slot: the second download waits in the PARQ queue (spec 5.4)', () => {
  const nodes: GNode[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });

  it('is queued, shown as such, comes back no earlier than Retry-After and completes once the first download is done', async () => {
    const data = randomBytes(200_000);
    const big = randomBytes(32 * 1024 * 1024);
    const up = await startGNode(0, {}, { mode: 'ultrapeer' });
    nodes.push(up);
    const peers = [`127.0.0.1:${up.port}`];
    const a = await startGNode(1, {}, { peers });
    nodes.push(a);
    // maxEarly 0: a request before Retry-After would lose the place ('503 Too many early requests').
    const b = await startGNode(2, { 'queue_test_song.bin': data, 'holder.bin': big }, { peers, uploadQueue: { retryAfterS: 3, maxEarly: 0 } }, { maxUploads: 1, stallMs: 60_000 });
    nodes.push(b);
    await up.waitFor(() => (up.node.snapshot().status.gnutella?.peers ?? 0) === 2, 20_000);
    await qrpReady(up);

    const holder = await hold(b.port, `/get/${b.share.byName('holder.bin')!.index}/holder.bin`);
    await a.node.run('files', 'search', ['-p', 'gnutella', 'queue', 'test', 'song']);
    await a.waitFor(() => a.of('search.hit').length > 0, 15_000);
    await a.node.run('files', 'get', [String(a.of('search.hit')[0]!.n)]);

    await a.waitFor(() => a.of('transfer.queued').some((e) => e.remote !== undefined), 15_000);
    const queuedAt = Date.now();
    const queued = a.of('transfer.queued').find((e) => e.remote !== undefined)!;
    expect(queued.remote!.note).toMatch(/^queued at peerdeck\S* \(127\.0\.0\.1:\d+\), position 1 of 1$/);
    expect(queued.remote!.retryInS).toBe(3);
    expect((await a.node.run('files', 'downloads', [])).join('\n')).toMatch(/ queued queue_test_song\.bin <- 127\.0\.0\.1:\d+ \[gnutella\] \(queued at peerdeck.*, position 1 of 1, next try in [123] s\)/);

    // The first download ends: B reads the rest and the server closes.
    const closed = new Promise((r) => holder.on('close', r));
    holder.resume();
    await closed;
    await a.waitFor(() => a.of('transfer.done').length > 0 || a.of('transfer.failed').length > 0, 20_000);
    expect(a.of('transfer.failed')).toEqual([]);
    expect(Date.now() - queuedAt).toBeGreaterThanOrEqual(2_000);
    const done = a.of('transfer.done')[0]!;
    expect(done.sha1).toBe(sha1(data));
    expect((await readFile(done.path)).equals(data)).toBe(true);
    // Never early: every wait said 'queued', none 'busy' (an early request would have been refused).
    expect(a.of('transfer.queued').filter((e) => e.remote !== undefined && !e.remote.note.startsWith('queued at'))).toEqual([]);
  }, 60_000);
});
