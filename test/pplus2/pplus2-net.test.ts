import { createHash, randomBytes } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { META_ANSWER, META_REQUEST, PEER_REQUEST_INTERVAL_MS, UNKNOWN_SIZE } from '../../protocols/pplus2/constants.js';
import { HOSTILE_NAMES } from '../share/hostile-names.js';
import { fakePeer, startP2Node, type P2Node } from './pplus2-net.js';
import { rawExchange } from './raw-client.js';

const sha1 = (b: Buffer): string => createHash('sha1').update(b).digest('hex');

describe('P+2 between real peers on 127.0.0.1', () => {
  const nodes: P2Node[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });

  it('three peers find each other, search, and download byte-identical files', async () => {
    const clock = new ManualClock(Date.now());
    const songA = randomBytes(700_000);
    const songB = randomBytes(123_457);
    const a = await startP2Node(0, { 'Song of A.mp3': songA, 'notes.txt': 'hello' }, { clock });
    nodes.push(a);
    const b = await startP2Node(1, { 'song of b.ogg': songB, 'Another SONG.flac': 'x' }, { clock, peers: [`127.0.0.1:${a.port}`] });
    nodes.push(b);
    await a.waitFor(() => a.node.snapshot().status.pplus2?.peers === 1);
    const c = await startP2Node(2, {}, { clock, peers: [`127.0.0.1:${b.port}`] });
    nodes.push(c);
    // C asked B at once and learned A from B's answer; B learned C.
    await c.waitFor(() => c.node.snapshot().status.pplus2?.peers === 2);
    expect((await c.node.run('pplus2', 'known', [])).sort()).toEqual([`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`].sort());
    expect(await c.node.run('pplus2', 'addpeer', [`127.0.0.1:${a.port}`])).toEqual([`127.0.0.1:${a.port} is known already`]);
    expect(await c.node.run('pplus2', 'addpeer', [`127.0.0.1:${c.port}`])).toEqual([`127.0.0.1:${c.port} is this node`]);
    // A learns C only through the network: B's list, asked after the 10 s rate limit.
    clock.advance(PEER_REQUEST_INTERVAL_MS);
    await a.waitFor(() => a.node.snapshot().status.pplus2?.peers === 2);

    const lines = await c.node.run('files', 'search', ['song']);
    expect(lines[0]).toMatch(/^search s1: asking pplus2 for "song"$/);
    await c.waitFor((ev) => ev.some((e) => e.type === 'search.done'));
    const hits = c.of('search.hit');
    expect(hits.map((h) => `${h.name}@${h.source}`).sort()).toEqual(
      [`Song of A.mp3@127.0.0.1:${a.port}`, `song of b.ogg@127.0.0.1:${b.port}`, `Another SONG.flac@127.0.0.1:${b.port}`].sort(),
    );
    // between peerdeck nodes the answers carry size and SHA-1 (the compatible extension)
    expect(hits.find((h) => h.name === 'Song of A.mp3')).toMatchObject({ size: songA.length, sha1: sha1(songA), protocol: 'pplus2' });
    expect(hits.find((h) => h.name === 'song of b.ogg')).toMatchObject({ size: songB.length, sha1: sha1(songB) });
    expect(c.of('search.done')[0]).toMatchObject({ search: 's1', protocol: 'pplus2', hits: 3, peers: 2 });

    for (const [name, data] of [
      ['Song of A.mp3', songA],
      ['song of b.ogg', songB],
    ] as const) {
      const hit = hits.find((h) => h.name === name)!;
      const got = await c.node.run('files', 'get', [String(hit.n)]);
      expect(got[0]).toMatch(/as transfer #\d+/);
      await c.waitFor((ev) => ev.some((e) => e.type === 'transfer.done' && e.name === name));
      const done = c.of('transfer.done').find((e) => e.name === name)!;
      expect(done.sha1).toBe(sha1(data));
      expect(done.verified).toBe(true);
      expect((await readFile(done.path)).equals(data)).toBe(true);
    }
    expect((await readdir(c.downloads)).sort()).toEqual(['Song of A.mp3', 'song of b.ogg']);
    expect((await c.node.run('files', 'downloads', [])).join('\n')).toMatch(/done Song of A\.mp3/);
    // the uploader saw its uploads too
    await a.waitFor((ev) => ev.some((e) => e.type === 'transfer.done' && e.direction === 'up'));
  });

  it('a second download of the same name never overwrites the first', async () => {
    const data = randomBytes(5000);
    const a = await startP2Node(0, { 'same.bin': data });
    nodes.push(a);
    const c = await startP2Node(1, {}, { peers: [`127.0.0.1:${a.port}`] });
    nodes.push(c);
    await c.node.run('files', 'search', ['same']);
    await c.waitFor((ev) => ev.some((e) => e.type === 'search.done'));
    const n = String(c.of('search.hit')[0]!.n);
    await c.node.run('files', 'get', [n]);
    await c.waitFor(() => c.of('transfer.done').length === 1);
    // Asked again, the file is said to be here (it was fetched again as `same (1).bin`).
    expect(await c.node.run('files', 'get', [n])).toEqual([
      `already have "same.bin": ${join(c.downloads, 'same.bin')} (the same size and SHA-1; /get ${n} again fetches another copy)`,
    ]);
    // ...unless asked for again in so many words: then a new name, never an overwrite.
    await c.node.run('files', 'get', [n, 'again']);
    await c.waitFor(() => c.of('transfer.done').length === 2);
    expect((await readdir(c.downloads)).sort()).toEqual(['same (1).bin', 'same.bin']);
    // /downloads names the file each download was saved as, where it is not the remote name.
    const rows = await c.node.run('files', 'downloads', []);
    expect(rows[0]).toMatch(/ done same\.bin <- /);
    expect(rows[1]).toMatch(/ done same\.bin \(saved as same \(1\)\.bin\) <- /);
    // A file of that name with other bytes of the same size is another file: this one is fetched.
    await writeFile(join(c.downloads, 'same.bin'), randomBytes(5000));
    await writeFile(join(c.downloads, 'same (1).bin'), 'shorter');
    expect((await c.node.run('files', 'get', [n]))[0]).toMatch(/^downloading "same\.bin"/);
    await c.waitFor(() => c.of('transfer.done').length === 3);
    expect(c.of('transfer.done')[2]!.path).toBe(join(c.downloads, 'same (2).bin'));
    await expect(c.node.run('files', 'get', [n, 'twice'])).rejects.toMatchObject({ code: 'USAGE', message: 'usage: /get <N> [again]' });
  });

  it('the size and SHA-1 extension: plain callers get plain names, a plain callee gives unverified downloads', async () => {
    const data = randomBytes(10_000);
    const a = await startP2Node(0, { 'ext.bin': data, 'other ext.txt': 'x' });
    nodes.push(a);
    // a plain P+2 caller sends one line and gets names only
    expect((await rawExchange(a.port + 1, 'EXT.BIN\n')).bytes.toString()).toBe('ext.bin\n');
    // a peerdeck caller adds the marker line and gets size, SHA-1 and name
    const ext = (await rawExchange(a.port + 1, `ext.bin\n${META_REQUEST}\n`)).bytes.toString();
    expect(ext).toBe(`${META_ANSWER}\n${data.length} ${sha1(data)} ext.bin\n`);

    // a plain callee (scripted) ignores the marker: its hits have no size, its downloads are unverified
    const plain = await fakePeer([
      (s) => s.end(),
      (s) => s.once('data', () => s.end('ext.bin\n')),
      (s) => s.once('data', () => s.end(data)),
    ]);
    const c = await startP2Node(1, {}, { peers: [`127.0.0.1:${plain.port}`] });
    nodes.push(c);
    try {
      await c.node.run('files', 'search', ['ext']);
      await c.waitFor((ev) => ev.some((e) => e.type === 'search.done'));
      const hit = c.of('search.hit')[0]!;
      expect(hit).toMatchObject({ name: 'ext.bin', size: UNKNOWN_SIZE });
      expect(hit.sha1).toBeUndefined();
      await c.node.run('files', 'get', [String(hit.n)]);
      await c.waitFor(() => c.of('transfer.done').length === 1);
      expect(c.of('transfer.done')[0]).toMatchObject({ verified: false, bytes: data.length, sha1: null });
    } finally {
      await plain.close();
    }
  });

  it(`serves nothing for ${HOSTILE_NAMES.length} hostile names on the download port`, async () => {
    const bigData = randomBytes(3_000_000);
    const a = await startP2Node(0, { 'inside.txt': 'inside', 'ok.bin': 'OK!', 'big.bin': bigData });
    nodes.push(a);
    const answers = await Promise.all(
      HOSTILE_NAMES.filter((n) => !n.includes('\n') && Buffer.byteLength(n) <= 1024).map(async (name) => ({ name, r: await rawExchange(a.port + 2, name + '\n') })),
    );
    for (const { name, r } of answers) {
      expect(r.closed, JSON.stringify(name)).toBe(true);
      expect(r.bytes.length, JSON.stringify(name)).toBe(0);
    }
    // names with line breaks or over the line limit: the first line is the request, or the link is cut
    expect((await rawExchange(a.port + 2, 'inside.txt\n../secret.txt\n')).bytes.toString()).toBe('inside');
    expect((await rawExchange(a.port + 2, 'x'.repeat(5000) + '\n')).bytes.length).toBe(0);
    expect((await rawExchange(a.port + 2, 'ok.bin\n')).bytes.toString()).toBe('OK!');
    expect((await rawExchange(a.port + 2, 'ok.bin\r\n')).bytes.toString()).toBe('OK!');
    // a bigger file arrives whole
    const big = await rawExchange(a.port + 2, 'big.bin\n');
    expect(big.bytes.equals(bigData)).toBe(true);
    // a caller that half-closes right after its line (`printf 'big.bin\n' | nc -N`) still gets the file
    const halfClosed = await rawExchange(a.port + 2, 'big.bin\n', 10_000, true);
    expect(halfClosed.bytes.equals(bigData)).toBe(true);
    expect((await rawExchange(a.port + 1, 'INSIDE\n', 5000, true)).bytes.toString()).toBe('inside.txt\n');
  });
});
