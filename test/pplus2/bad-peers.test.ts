import { readdir } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import {
  EXCHANGE_TIMEOUT_MS,
  MAX_PEER_ANSWER_LINES,
  MAX_QUERY_ANSWER_LINES,
  PEER_REQUEST_INTERVAL_MS,
  REQUEST_TIMEOUT_MS,
} from '../../protocols/pplus2/constants.js';
import { fakePeer, startP2Node, type P2Node } from './pplus2-net.js';
import { rawExchange } from './raw-client.js';

type Handler = (s: Socket) => void;
const ignore: Handler = () => undefined;
/** Answers lines forever, never closing (until the reader cuts it). */
const endless = (line: (i: number) => string): Handler => (s) => {
  let i = 0;
  const pump = (): void => {
    while (!s.destroyed && s.write(line(i++) + '\n'));
    if (!s.destroyed) s.once('drain', pump);
  };
  s.once('data', pump);
};

describe('P+2 against misbehaving peers', () => {
  const nodes: P2Node[] = [];
  const fakes: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
    await Promise.all(fakes.splice(0).map((f) => f.close()));
  });

  it('cuts off a query answer that never ends and still finishes the search', async () => {
    const fake = await fakePeer([ignore, endless((i) => `file ${i}.mp3`), ignore]);
    fakes.push(fake);
    const c = await startP2Node(0, {}, { peers: [`127.0.0.1:${fake.port}`] });
    nodes.push(c);
    await c.node.run('files', 'search', ['file']);
    await c.waitFor((ev) => ev.some((e) => e.type === 'search.done'));
    expect(c.of('search.hit')).toHaveLength(MAX_QUERY_ANSWER_LINES);
  });

  it('gives up on a silent peer after the exchange timeout', async () => {
    const clock = new ManualClock(Date.now());
    const fake = await fakePeer([ignore, ignore, ignore]);
    fakes.push(fake);
    const c = await startP2Node(0, {}, { clock, peers: [`127.0.0.1:${fake.port}`] });
    nodes.push(c);
    await c.node.run('files', 'search', ['x']);
    await new Promise((r) => setTimeout(r, 50));
    expect(c.of('search.done')).toHaveLength(0);
    clock.advance(EXCHANGE_TIMEOUT_MS);
    await c.waitFor((ev) => ev.some((e) => e.type === 'search.done'));
    // Asked, never reached: said as reaching nobody (it counted as a peer searched).
    expect(c.of('search.done')[0]).toMatchObject({ hits: 0, peers: 0 });
  });

  it('counts only the peers that answered: a peer that is down is asked, not reached', async () => {
    const a = await startP2Node(0, { 'song.mp3': 'la la' });
    nodes.push(a);
    const gone = await fakePeer([ignore, ignore, ignore]);
    await gone.close(); // nothing listens there any more
    const c = await startP2Node(1, {}, { peers: [`127.0.0.1:${a.port}`, `127.0.0.1:${gone.port}`] });
    nodes.push(c);
    await c.node.run('files', 'search', ['song']);
    await c.waitFor((ev) => ev.some((e) => e.type === 'search.done'));
    // It said `1 hit from 2 peers`.
    expect(c.of('search.done')[0]).toMatchObject({ hits: 1, peers: 1 });
  });

  it('keeps the peer list bounded, ignores garbage and never adds itself', async () => {
    const clock = new ManualClock(Date.now());
    let selfLine = '';
    const fake = await fakePeer([
      (s) =>
        s.once('data', (d: Buffer) => {
          selfLine = d.toString().trim();
          const lines = [selfLine, 'garbage', '999.1.1.1:5', 'localhost:80', '10.0.0.1:65535', '\u001b[31m'];
          for (let i = 0; i < MAX_PEER_ANSWER_LINES * 2; i++) lines.push(`127.0.0.1:${10_000 + i}`);
          s.end(lines.join('\n'));
        }),
      ignore,
      ignore,
    ]);
    fakes.push(fake);
    const c = await startP2Node(0, {}, { clock, peers: [`127.0.0.1:${fake.port}`] });
    nodes.push(c);
    await vi.waitFor(() => expect(selfLine).toBe(`127.0.0.1:${c.port}`));
    const known = await c.node.run('pplus2', 'known', []);
    // the fake + at most the answer's line cap, none of them garbage or ourselves
    await vi.waitFor(async () => expect((await c.node.run('pplus2', 'known', [])).length).toBeGreaterThan(1));
    const after = await c.node.run('pplus2', 'known', []);
    expect(after.length).toBeLessThanOrEqual(1 + MAX_PEER_ANSWER_LINES);
    expect(after).not.toContain(selfLine);
    expect(after.every((k) => /^127\.0\.0\.1:\d+$/.test(k))).toBe(true);
    expect(known.length).toBeGreaterThanOrEqual(1);
  });

  it('rate-limits peer-list requests to one per 10 s', async () => {
    const clock = new ManualClock(Date.now());
    let requests = 0;
    const fake = await fakePeer([(s) => s.once('data', () => (requests++, s.end())), ignore, ignore]);
    fakes.push(fake);
    const c = await startP2Node(0, {}, { clock, peers: [`127.0.0.1:${fake.port}`] });
    nodes.push(c);
    await vi.waitFor(() => expect(requests).toBe(1));
    clock.advance(PEER_REQUEST_INTERVAL_MS - 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(requests).toBe(1);
    clock.advance(1);
    await vi.waitFor(() => expect(requests).toBe(2));
  });

  it('refuses a download larger than allowed, leaving neither part nor file', async () => {
    const fake = await fakePeer([
      ignore,
      (s) => s.once('data', () => s.end('big.bin\nempty.bin\n')),
      (s) =>
        s.once('data', (d: Buffer) => {
          if (d.toString().startsWith('empty')) return void s.end();
          endless(() => 'x'.repeat(1000))(s);
          s.emit('data', Buffer.alloc(0));
        }),
    ]);
    fakes.push(fake);
    const c = await startP2Node(0, {}, { peers: [`127.0.0.1:${fake.port}`], pplus2: { maxDownloadBytes: 50_000 } });
    nodes.push(c);
    await c.node.run('files', 'search', ['bin']);
    await c.waitFor((ev) => ev.some((e) => e.type === 'search.done'));
    for (const h of c.of('search.hit')) await c.node.run('files', 'get', [String(h.n)]);
    await c.waitFor(() => c.of('transfer.failed').length === 2);
    const reasons = c.of('transfer.failed').map((e) => `${e.name}: ${e.reason.split(':')[0]}`).sort();
    expect(reasons).toEqual(['big.bin: SIZE', 'empty.bin: NOT_FOUND']);
    expect(await readdir(c.downloads)).toEqual([]);
  });

  it('closes callers that send over-long lines or nothing at all', async () => {
    const clock = new ManualClock(Date.now());
    const a = await startP2Node(0, { 'a.txt': 'a' }, { clock });
    nodes.push(a);
    for (const port of [a.port, a.port + 1, a.port + 2]) {
      const r = await rawExchange(port, 'y'.repeat(4096));
      expect(r).toEqual({ bytes: Buffer.alloc(0), closed: true });
    }
    const silent = rawExchange(a.port + 1, '', 10_000);
    await new Promise((r) => setTimeout(r, 50));
    clock.advance(REQUEST_TIMEOUT_MS);
    expect(await silent).toEqual({ bytes: Buffer.alloc(0), closed: true });
    // and a normal query still works, case-insensitively
    expect((await rawExchange(a.port + 1, 'A.T\n')).bytes.toString()).toBe('a.txt\n');
  });
});
