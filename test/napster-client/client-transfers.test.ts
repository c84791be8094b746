import { createHash, randomBytes } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FILES_PLUGIN } from '../../src/search/files-plugin.js';
import { saveTransferState } from '../../src/transfer/transfer-state.js';
import { encodeFrame } from '../../protocols/napster/codec.js';
import { FakeNapServer, ipToField } from './fake-server.js';
import { startNapNode, type NapNode } from './client-net.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('Napster client: resume, queue limits, share sync', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function server(): Promise<FakeNapServer> {
    const s = new FakeNapServer();
    await s.start();
    cleanup.push(() => s.stop());
    return s;
  }

  async function node(s: FakeNapServer, nick: string, files: Record<string, Buffer>, opts: Parameters<typeof startNapNode>[2] = {}): Promise<NapNode> {
    const n = await startNapNode(nick, files, { dataPort: 0, dataHost: '127.0.0.1', ...opts });
    cleanup.push(() => n.stop());
    await n.run('nlogin', `127.0.0.1:${s.port}`);
    await n.waitFor((ev) => ev.some((e) => e.type === 'peer.up'));
    return n;
  }

  /**
   * A scripted uploader: the first connection gets `firstBytes` of the file and then silence (unless that
   * is the whole file); later ones get `serve(offset)`.
   */
  async function uploader(file: Buffer, firstBytes: number, serve: (offset: number) => Buffer): Promise<{ port: number; offsets: number[] }> {
    const offsets: number[] = [];
    const srv = createServer((sock: Socket) => {
      sock.on('error', () => sock.destroy());
      sock.write('1');
      let head = '';
      sock.on('data', (d: Buffer) => {
        head += d.toString('latin1');
        const m = /^GET\S+ "[^"]*" (\d+)$/.exec(head);
        if (!m) return;
        const offset = Number(m[1]);
        offsets.push(offset);
        if (offsets.length === 1 && firstBytes < file.length) sock.write(Buffer.concat([Buffer.from(String(file.length)), file.subarray(0, firstBytes)]));
        else sock.end(Buffer.concat([Buffer.from(String(file.length)), serve(offset)]));
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => srv.close(() => r())));
    return { port: (srv.address() as { port: number }).port, offsets };
  }

  function offer(s: FakeNapServer, nick: string, path: string, size: number, port: number, client: string): void {
    s.hook = (user, f, sock) => {
      if (!user) return false;
      if (f.type === 200) sock.write(Buffer.concat([encodeFrame(201, `"${path}" NOMD5COMPUTED ${size} 128 44100 60 ${nick} ${ipToField('127.0.0.1')} 0`), encodeFrame(202, '')]));
      else if (f.type === 203) sock.write(encodeFrame(204, `${nick} ${ipToField('127.0.0.1')} ${port} "${path}" NOMD5COMPUTED 0`));
      else if (f.type === 603) sock.write(encodeFrame(604, `${nick} "User" 5 " " "Active" 1 0 0 0 "${client}"`));
      else return false;
      return true;
    };
  }

  /** Gets `name`, cancels it once `cut` bytes are in its .part, then /retry resumes it. */
  async function cutThenRetry(bob: NapNode, name: string, cut: number): Promise<void> {
    await bob.run('nsearch', name.split('.')[0]!);
    await bob.waitFor((ev) => ev.some((e) => e.type === 'search.hit'));
    const id = Number(/transfer #(\d+)/.exec((await bob.get(bob.hit(name))).join(' '))![1]);
    const part = join(bob.downloads, `${name}.part`);
    await bob.waitFor(() => existsSync(part) && statSync(part).size === cut, 20_000);
    await bob.node.run(FILES_PLUGIN, 'cancel', [String(id)]);
    await bob.waitFor((ev) => ev.some((e) => e.type === 'transfer.failed'));
    await bob.node.run(FILES_PLUGIN, 'retry', [String(id)]);
    await bob.waitFor((ev) => ev.some((e) => e.type === 'transfer.done'), 20_000);
    expect(bob.of('transfer.failed')).toHaveLength(1);
  }

  it('a download cut short resumes on /retry with the GET offset (the uploader sends only the rest)', async () => {
    const s = await server();
    const file = randomBytes(900_000);
    const up = await uploader(file, 400_000, (offset) => file.subarray(offset));
    offer(s, 'alice', 'C:\\x\\big.bin', file.length, up.port, 'peerdeck 0.1');
    const bob = await node(s, 'bob', {});
    await cutThenRetry(bob, 'big.bin', 400_000);
    expect(up.offsets).toEqual([0, 400_000]);
    expect(sha(await readFile(join(bob.downloads, 'big.bin')))).toBe(sha(file));
    // 218 then 219 once per attempt.
    await bob.waitFor(() => s.received.filter((r) => r.nick === 'bob' && r.frame.type === 219).length === 2);
  });

  it('a download brought back at start-up waits for the login under way, not "not logged in"', async () => {
    const s = await server();
    const file = randomBytes(300_000);
    const up = await uploader(file, file.length, (offset) => file.subarray(offset));
    offer(s, 'alice', 'C:\\x\\big.bin', file.length, up.port, 'peerdeck 0.1');
    // A server slow to answer the nick check: the login is still under way when the download is revived.
    const served = s.hook!;
    s.hook = (user, f, sock) => {
      if (user || f.type !== 7) return served(user, f, sock);
      setTimeout(() => sock.write(encodeFrame(8, '')), 1000);
      return true;
    };
    const dir = await mkdtemp(join(tmpdir(), 'peerdeck-nap-restart-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const stateFile = join(dir, 'transfers.json');
    // What the last run left: a queued download from a server the client logs in to at start.
    const at = `127.0.0.1:${s.port}`;
    const ref = { server: at, nick: 'alice', wirePath: 'C:\\x\\big.bin', size: file.length };
    await saveTransferState(stateFile, [{ name: 'big.bin', peer: 'alice', protocol: 'napster', size: file.length, ref, part: null, state: 'queued', reason: null }]);
    const bob = await startNapNode('bob', {}, { dataPort: 0, dataHost: '127.0.0.1', servers: [at], engine: { stateFile } });
    cleanup.push(() => bob.stop());
    await bob.waitFor((ev) => ev.some((e) => e.type === 'transfer.done' || e.type === 'transfer.failed'), 20_000);
    expect(bob.of('transfer.failed')).toEqual([]);
    expect(sha(await readFile(join(bob.downloads, 'big.bin')))).toBe(sha(file));
  });

  it("tolerates TekNap's whole stream on resume (§6.3): it streams from byte 0 whatever the offset", async () => {
    const s = await server();
    const file = randomBytes(300_000);
    const up = await uploader(file, 100_000, () => file);
    offer(s, 'tek', 'C:\\tek\\whole.mp3', file.length, up.port, 'TekNap-1.3g');
    const bob = await node(s, 'bob', {});
    await cutThenRetry(bob, 'whole.mp3', 100_000);
    expect(up.offsets).toEqual([0, 100_000]);
    expect(sha(await readFile(join(bob.downloads, 'whole.mp3')))).toBe(sha(file));
  });

  it('uploads from the library: 608, the GET, 220 then 221', async () => {
    const s = await server();
    const a = randomBytes(500_000);
    const alice = await node(s, 'alice', { 'up.bin': a });
    const bob = await node(s, 'bob', {});
    await bob.waitFor(() => s.users.get('alice')?.shares.size === 1);
    await bob.run('nsearch', 'up');
    await bob.waitFor((ev) => ev.some((e) => e.type === 'search.hit'));
    await bob.get(bob.hit('up.bin'));
    await bob.waitFor((ev) => ev.some((e) => e.type === 'transfer.done'), 20_000);
    expect(sha(await readFile(join(bob.downloads, 'up.bin')))).toBe(sha(a));
    await alice.waitFor(() => s.received.some((r) => r.nick === 'alice' && r.frame.type === 221));
    expect(s.received.filter((r) => r.nick === 'alice' && [608, 220, 221].includes(r.frame.type)).map((r) => r.frame.type)).toEqual([608, 220, 221]);
  });

  it('no free upload slot: 619 with our queue limit, and the downloader is told (620)', async () => {
    const s = await server();
    const alice = await node(s, 'alice', { 'busy.bin': randomBytes(1000) }, { engine: { maxUploads: 0 }, queueLimit: 3 });
    const bob = await node(s, 'bob', {});
    await bob.waitFor(() => s.users.get('alice')?.shares.size === 1);
    await bob.run('nsearch', 'busy');
    await bob.waitFor((ev) => ev.some((e) => e.type === 'search.hit'));
    await bob.get(bob.hit('busy.bin'));
    await bob.waitFor((ev) => ev.some((e) => e.type === 'transfer.failed'));
    expect(bob.of('transfer.failed')[0]!.reason).toMatch(/upload queue is full \(limit 3\)/);
    expect(s.received.some((r) => r.nick === 'alice' && r.frame.type === 619 && r.frame.text === 'bob "\\busy.bin" 3')).toBe(true);
    expect(alice.of('transfer.done')).toEqual([]);
  });

  it('a GET without a 607/608 first is refused, and a 607 for a file we do not share gets no 608', async () => {
    const s = await server();
    const alice = await node(s, 'alice', { 'mine.bin': randomBytes(1000) });
    const port = alice.node.snapshot().status.napster!.ports['napster-data']!;
    const reply = await new Promise<string>((resolve) => {
      let got = '';
      const c = connect(port, '127.0.0.1');
      c.on('data', (d: Buffer) => (got += d.toString('latin1')));
      c.on('close', () => resolve(got));
      c.write('GETmallory "mine.bin" 0');
    });
    expect(reply).toBe('1INVALID REQUEST');
    s.send(s.users.get('alice')!.socket, 607, 'mallory "../../etc/passwd"');
    s.send(s.users.get('alice')!.socket, 607, 'mallory "\\..\\..\\etc\\passwd"');
    s.send(s.users.get('alice')!.socket, 607, 'mallory "mine.bin"');
    await alice.waitFor(() => s.received.some((r) => r.nick === 'alice' && r.frame.type === 608));
    expect(s.received.filter((r) => r.nick === 'alice' && r.frame.type === 608).map((r) => r.frame.text)).toEqual(['mallory "mine.bin"']);
  });

  it('a file added and found by /rescan is announced again with its md5 once it is hashed (not left as NOMD5COMPUTED)', async () => {
    const s = await server();
    const alice = await node(s, 'alice', { 'one.bin': randomBytes(10) });
    await alice.waitFor(() => s.users.get('alice')?.shares.size === 1);
    const fresh = randomBytes(400_000);
    await writeFile(join(alice.shareDir, 'fresh.bin'), fresh);
    await alice.node.run(FILES_PLUGIN, 'rescan', []);
    const want = createHash('md5').update(fresh.subarray(0, 300_000)).digest('hex');
    await alice.waitFor(() => s.users.get('alice')!.shares.get('\\fresh.bin')?.md5 === want);
    expect(s.users.get('alice')!.shares.get('\\fresh.bin')).toEqual({ md5: want, size: fresh.length });
  });

  it('files Napster cannot carry (a " in the path) are left out with a notice, not silently', async () => {
    const s = await server();
    const alice = await node(s, 'alice', { 'plain.bin': randomBytes(10), 'say "hi".bin': randomBytes(20) });
    await alice.waitFor((ev) => ev.some((e) => e.type === 'notice' && /1 of your files is not shared there: Napster cannot carry a path with a "/.test(e.text)));
    await alice.waitFor(() => s.users.get('alice')!.shares.size > 0);
    expect([...s.users.get('alice')!.shares.keys()]).toEqual(['\\plain.bin']);
  });

  it('/rescan keeps the server in sync (100 for new files, 102 for gone ones), and the cap is announced', async () => {
    const s = await server();
    const alice = await node(s, 'alice', { 'one.bin': randomBytes(10), 'two.bin': randomBytes(20) }, { maxShares: 1 });
    await alice.waitFor((ev) => ev.some((e) => e.type === 'notice' && /takes at most 1 files: 1 of your files are not shared/.test(e.text)));
    // The notice follows alice's share on her side; the server takes the share in when it arrives.
    await alice.waitFor(() => s.users.get('alice')!.shares.size > 0);
    expect([...s.users.get('alice')!.shares.keys()]).toEqual(['\\one.bin']);
    await rm(join(alice.shareDir, 'one.bin'));
    await alice.node.run(FILES_PLUGIN, 'rescan', []);
    await alice.waitFor(() => [...s.users.get('alice')!.shares.keys()].join() === '\\two.bin');
    expect(s.received.some((r) => r.nick === 'alice' && r.frame.type === 102 && r.frame.text === '\\one.bin')).toBe(true);
  });
});
