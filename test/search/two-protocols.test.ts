import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppApi } from '../../src/app-api.js';
import type { FileHit } from '../../src/search/file-protocol.js';
import { parseInput } from '../../tui/input-command.js';
import { startP2Node, type P2Node } from '../pplus2/pplus2-net.js';
import { createTinyPlugin } from './tiny-files.js';

const sha1 = (b: Buffer): string => createHash('sha1').update(b).digest('hex');

/** Runs a line as the TUI does from a window of `plugin`: parseInput with AppApi.resolve, then AppApi.run. */
async function typed(api: AppApi, line: string, plugin: string | undefined): Promise<string[]> {
  const action = parseInput(line, { plugin, canSay: false, resolve: (c, p) => api.resolve(c, p) });
  if (action.kind !== 'run') throw new Error(`${line}: ${JSON.stringify(action)}`);
  return api.run(action.plugin, action.name, action.args);
}

describe('two file protocols in one node (P+2 and tiny)', () => {
  const nodes: P2Node[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });

  it('one /search reaches both; /get N reaches the owner from any window; numbers are unique', async () => {
    const p2Data = randomBytes(300_000);
    const tinyData = randomBytes(200_000);
    const a = await startP2Node(0, { 'live song.mp3': p2Data, 'other.txt': 'x' });
    nodes.push(a);
    const tiny = createTinyPlugin({ 'tiny song.ogg': tinyData, 'song two.flac': Buffer.from('two'), 'nope.txt': Buffer.from('n') });
    const c = await startP2Node(1, {}, { peers: [`127.0.0.1:${a.port}`], extra: [tiny] });
    nodes.push(c);
    await c.waitFor(() => c.node.snapshot().status.pplus2?.peers === 1);

    const lines = await typed(c.node, '/search song', 'pplus2');
    expect(lines).toEqual(['search s1: asking pplus2, tiny for "song"']);
    await c.waitFor(() => c.of('search.done').length === 2);
    expect(c.of('search.started')).toEqual([{ type: 'search.started', search: 's1', query: 'song', protocols: ['pplus2', 'tiny'] }]);
    expect(tiny.queries).toEqual(['song']);
    const hits = c.of('search.hit');
    expect(hits.map((h) => `${h.protocol}:${h.name}`).sort()).toEqual(['pplus2:live song.mp3', 'tiny:song two.flac', 'tiny:tiny song.ogg']);
    expect(new Set(hits.map((h) => h.n)).size).toBe(hits.length);
    expect(hits.every((h) => h.search === 's1')).toBe(true);
    const done = Object.fromEntries(c.of('search.done').map((d) => [d.protocol, d]));
    expect(done.pplus2).toMatchObject({ search: 's1', hits: 1, peers: 1 });
    expect(done.tiny).toMatchObject({ search: 's1', hits: 2, peers: 1 });

    // A second search gets new numbers, never reused ones.
    await typed(c.node, '/search song', undefined);
    await c.waitFor(() => c.of('search.done').length === 4);
    const all = c.of('search.hit').map((h) => h.n);
    expect(new Set(all).size).toBe(all.length);
    expect(Math.min(...c.of('search.hit').filter((h) => h.search === 's2').map((h) => h.n))).toBeGreaterThan(Math.max(...hits.map((h) => h.n)));

    // /get of a tiny hit from the P+2 window, /get of a P+2 hit from no protocol window (Transfers).
    const tinyHit = hits.find((h) => h.name === 'tiny song.ogg')!;
    const p2Hit = hits.find((h) => h.name === 'live song.mp3')!;
    expect((await typed(c.node, `/get ${tinyHit.n}`, 'pplus2'))[0]).toMatch(/^downloading "tiny song\.ogg" from 127\.0\.0\.1:\d+ \[tiny\] as transfer #\d+$/);
    expect((await typed(c.node, `/get ${p2Hit.n}`, undefined))[0]).toMatch(/\[pplus2\] as transfer #\d+$/);
    await c.waitFor(() => c.of('transfer.done').length === 2);
    const got = Object.fromEntries(c.of('transfer.done').map((d) => [d.name, d]));
    expect(got['tiny song.ogg']!.sha1).toBe(sha1(tinyData));
    expect((await readFile(got['tiny song.ogg']!.path)).equals(tinyData)).toBe(true);
    expect((await readFile(got['live song.mp3']!.path)).equals(p2Data)).toBe(true);
    expect(tiny.served).toEqual(['tiny song.ogg']);
  });

  it('-p asks one protocol; filters hold for every protocol; unknown protocols are named', async () => {
    const a = await startP2Node(0, { 'a song.mp3': Buffer.alloc(2000), 'a song.txt': 'y', 'tiny song.mp3': 'z' });
    nodes.push(a);
    const tiny = createTinyPlugin({ 'big song.ogg': Buffer.alloc(5000), 'small song.ogg': Buffer.alloc(10), 'song.txt': Buffer.alloc(10) });
    const c = await startP2Node(1, {}, { peers: [`127.0.0.1:${a.port}`], extra: [tiny] });
    nodes.push(c);
    await c.waitFor(() => c.node.snapshot().status.pplus2?.peers === 1);

    expect(await typed(c.node, '/search -p tiny song', 'pplus2')).toEqual(['search s1: asking tiny for "song"']);
    await c.waitFor(() => c.of('search.done').length === 1);
    expect(c.of('search.hit').map((h) => h.name).sort()).toEqual(['big song.ogg', 'small song.ogg', 'song.txt']);

    await typed(c.node, '/search -type audio -min 1k song', undefined);
    await c.waitFor(() => c.of('search.done').length === 3);
    // Between peerdeck nodes P+2 answers carry sizes (README: the extension): both filters hold there too.
    expect(c.of('search.hit').filter((h) => h.search === 's2').map((h) => h.name).sort()).toEqual(['a song.mp3', 'big song.ogg']);
    expect(c.of('search.started')[1]).toMatchObject({ query: 'song -min 1.0 KiB -type audio' });

    await expect(typed(c.node, '/search -p gnutella song', undefined)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'no file-sharing protocol gnutella is running (running: pplus2, tiny)',
    });
  });

  it('remembers only the newest hits: /get of a forgotten number says so', async () => {
    const tiny = createTinyPlugin(Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`f${i}.bin`, Buffer.from(String(i))])));
    const c = await startP2Node(0, {}, { extra: [tiny], search: { maxRememberedHits: 3 } });
    nodes.push(c);
    await typed(c.node, '/search -p tiny f', undefined);
    await c.waitFor(() => c.of('search.done').length === 1);
    const ns = c.of('search.hit').map((h) => h.n);
    expect(ns).toEqual([1, 2, 3, 4, 5]);
    expect(c.node.search.remembered).toBe(3);
    await expect(typed(c.node, '/get 2', undefined)).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('forgotten') });
    expect((await typed(c.node, '/get 5', undefined))[0]).toMatch(/f4\.bin/);
    await expect(typed(c.node, '/get 6', undefined)).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'no search result #6 (the newest is #5)' });
  });

  it('a P+2 hit saved as JSON downloads again through a node that never searched (a restart); a bad ref fails cleanly', async () => {
    const data = randomBytes(50_000);
    const a = await startP2Node(0, { 'kept.bin': data });
    nodes.push(a);
    const c = await startP2Node(1, {}, { peers: [`127.0.0.1:${a.port}`] });
    nodes.push(c);
    await c.waitFor(() => c.node.snapshot().status.pplus2?.peers === 1);
    await typed(c.node, '/search kept', undefined);
    await c.waitFor(() => c.of('search.done').length === 1);
    const saved = JSON.stringify(c.node.search.hit(c.of('search.hit')[0]!.n)!.hit);

    const d = await startP2Node(2, {});
    nodes.push(d);
    const id = d.node.transfers.download(d.node.search.request('pplus2', JSON.parse(saved) as FileHit));
    await d.waitFor(() => d.of('transfer.done').length === 1);
    const done = d.of('transfer.done')[0]!;
    expect(done.id).toBe(id);
    expect((await readFile(done.path)).equals(data)).toBe(true);

    const bad = d.node.transfers.download(d.node.search.request('pplus2', { name: 'x', size: -1, source: 'nowhere', ref: { peer: 'not an address', name: '../x' } }));
    await d.waitFor(() => d.of('transfer.failed').some((f) => f.id === bad));
    expect(d.of('transfer.failed').find((f) => f.id === bad)?.reason).toMatch(/BAD_MESSAGE: not a P\+2 download reference/);
  });
});
