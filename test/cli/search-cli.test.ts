import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clisStoppedAfterEach } from './cli-process.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
const cli = clisStoppedAfterEach();
const p2 = ['--no-chat', '--pplus2-host', '127.0.0.1', '--pplus2-port', '0'];

describe('/search and /get in headless mode (two real processes over P+2)', () => {
  it('-p asks one protocol, filters hold, /get downloads the hit; an unknown protocol is named', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peerdeck-search-cli-'));
    dirs.push(dir);
    const share = join(dir, 'share');
    await mkdir(share);
    await writeFile(join(share, 'hello world.txt'), 'hi there\n');
    await writeFile(join(share, 'hello world.mp3'), 'not really music');

    const a = await cli([...p2, '--share', share]);
    const ready = await a.waitEvent((e) => e.type === 'ready');
    const port = (ready.ports as Record<string, number>).pplus2!;
    const b = await cli([...p2, '--pplus2-peer', `127.0.0.1:${port}`]);
    await b.waitEvent((e) => e.type === 'ready');

    b.send('/search -p pplus2 -ext txt hello world');
    const started = await b.waitEvent((e) => e.type === 'search.started');
    expect(started).toEqual({ type: 'search.started', search: 's1', query: 'hello world -ext txt', protocols: ['pplus2'] });
    const done = await b.waitEvent((e) => e.type === 'search.done');
    expect(done).toEqual({ type: 'search.done', search: 's1', protocol: 'pplus2', hits: 1, peers: 1 });
    const hit = b.events.find((e) => e.type === 'search.hit')!;
    // between peerdeck nodes the P+2 answer carries the size (README: the extension)
    expect(hit).toMatchObject({ search: 's1', name: 'hello world.txt', size: 9, source: `127.0.0.1:${port}`, protocol: 'pplus2' });

    b.send(`/get ${String(hit.n)}`);
    const got = await b.waitEvent((e) => e.type === 'transfer.done' && e.direction === 'down');
    expect(await readFile(got.path as string, 'utf8')).toBe('hi there\n');

    b.send('/search -p gnutella hello');
    const err = await b.waitEvent((e) => e.type === 'error');
    expect(err.message).toBe('no file-sharing protocol gnutella is running (running: pplus2)');
  });

  it('two empty files and two names of one content are four files on disk, each verified', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peerdeck-search-cli-'));
    dirs.push(dir);
    const share = join(dir, 'share');
    await mkdir(share);
    await writeFile(join(share, 'note one.txt'), '');
    await writeFile(join(share, 'note two.txt'), '');
    await writeFile(join(share, 'note copy a.txt'), 'same words\n');
    await writeFile(join(share, 'note copy b.txt'), 'same words\n');

    const a = await cli([...p2, '--share', share]);
    const ready = await a.waitEvent((e) => e.type === 'ready');
    await a.waitEvent((e) => e.type === 'share.hashed'); // the answers carry SHA-1s
    const port = (ready.ports as Record<string, number>).pplus2!;
    const b = await cli([...p2, '--pplus2-peer', `127.0.0.1:${port}`]);
    await b.waitEvent((e) => e.type === 'ready');

    b.send('/search note');
    await b.waitEvent((e) => e.type === 'search.done');
    const hits = b.events.filter((e) => e.type === 'search.hit');
    expect(hits.map((h) => h.name).sort()).toEqual(['note copy a.txt', 'note copy b.txt', 'note one.txt', 'note two.txt']);
    for (const h of hits) b.send(`/get ${String(h.n)}`);
    const done = (): typeof b.events => b.events.filter((e) => e.type === 'transfer.done' && e.direction === 'down');
    await vi.waitFor(() => expect(done()).toHaveLength(4), { timeout: 20_000, interval: 50 });
    expect(b.events.filter((e) => e.type === 'transfer.failed' || e.type === 'error')).toEqual([]);
    const files = done().map((e) => [e.name, e.bytes, e.verified]);
    expect(files.sort()).toEqual([
      ['note copy a.txt', 11, true],
      ['note copy b.txt', 11, true],
      ['note one.txt', 0, true],
      ['note two.txt', 0, true],
    ]);
    const downloads = join(b.dataDir, 'downloads');
    expect((await readdir(downloads)).sort()).toEqual(['note copy a.txt', 'note copy b.txt', 'note one.txt', 'note two.txt']);
    expect(await readFile(join(downloads, 'note copy b.txt'), 'utf8')).toBe('same words\n');
  }, 60_000);

  it('a search with no P+2 peer to ask says it began, then that it reached nobody (it said so the other way round)', async () => {
    const b = await cli([...p2], { json: false });
    await vi.waitFor(() => expect(b.lines.some((l) => l.startsWith('ready '))).toBe(true));
    b.send('/search song');
    await vi.waitFor(() => expect(b.lines.some((l) => l.includes('reached no peer'))).toBe(true));
    const said = b.lines.filter((l) => l.startsWith('search s1'));
    expect(said).toEqual(['search s1: asking pplus2 for "song"', 'search s1 done on pplus2: reached no peer (no pplus2 peer answered: /addpeer ip:p links one)']);
  });
});


describe('/search with no peer in headless mode (one real process)', () => {
  it('a Gnutella or Napster search with nobody to ask says it began, then that it reached nobody (the end came first)', async () => {
    const n = await cli(
      ['--no-chat', '--gnutella', '--gnutella-host', '127.0.0.1', '--gnutella-port', '0', '--napster-nick', 'alone', '--napster-data-host', '127.0.0.1', '--napster-data-port', '0'],
      { json: false },
    );
    await vi.waitFor(() => expect(n.lines.some((l) => l.startsWith('ready '))).toBe(true));
    n.send('/search -p gnutella song');
    await vi.waitFor(() => expect(n.lines.filter((l) => l.includes('reached no peer'))).toHaveLength(1));
    n.send('/search -p napster song');
    await vi.waitFor(() => expect(n.lines.filter((l) => l.includes('reached no peer'))).toHaveLength(2));
    const said = n.lines.filter((l) => /^search s\d|not logged in/.test(l));
    expect(said).toEqual([
      'search s1: asking gnutella for "song"',
      'search s1 done on gnutella: reached no peer (no gnutella peer answered: /gconnect host:port links one)',
      'search s2: asking napster for "song"',
      'search: not logged in to any Napster server (/nlogin host:port)',
      'search s2 done on napster: reached no peer (no napster peer answered: /nlogin host:port links one)',
    ]);
  });
});
