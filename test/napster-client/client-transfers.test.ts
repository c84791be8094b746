import { createHash, randomBytes } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FILES_PLUGIN } from '../../src/search/files-plugin.js';
import { encodeFrame, ipToField } from '../../protocols/napster/client-wire.js';
import { FakeNapServer } from './fake-server.js';
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

  it('resumes a .part with the GET offset; the uploader sends only the rest', async () => {
    const s = await server();
    const a = randomBytes(900_000);
    const alice = await node(s, 'alice', { 'big.bin': a });
    const bob = await node(s, 'bob', {});
    await bob.waitFor(() => s.users.get('alice')?.shares.size === 1);
    await mkdir(bob.downloads, { recursive: true });
    await writeFile(join(bob.downloads, 'big.bin.part'), a.subarray(0, 400_000));
    await bob.run('nsearch', 'big');
    await bob.waitFor((ev) => ev.some((e) => e.type === 'search.hit'));
    await bob.get(bob.hit('big.bin'));
    await bob.waitFor((ev) => ev.some((e) => e.type === 'transfer.done'), 20_000);
    expect(sha(await readFile(join(bob.downloads, 'big.bin')))).toBe(sha(a));
    await alice.waitFor((ev) => ev.some((e) => e.type === 'transfer.done' && e.direction === 'up'));
    expect(alice.of('transfer.done').find((e) => e.direction === 'up')!.bytes).toBe(a.length - 400_000);
    // 218/219 and 220/221 went to the server once each.
    await bob.waitFor(() => s.received.some((r) => r.nick === 'bob' && r.frame.type === 219));
    expect(s.received.filter((r) => r.nick === 'alice' && (r.frame.type === 220 || r.frame.type === 221)).map((r) => r.frame.type)).toEqual([220, 221]);
  });

  it("tolerates TekNap's whole stream on resume (§6.3): it streams from byte 0 whatever the offset", async () => {
    const s = await server();
    const file = randomBytes(300_000);
    const path = 'C:\\tek\\whole.mp3';
    const tek = createServer((sock: Socket) => {
      sock.on('error', () => sock.destroy());
      sock.write('1');
      sock.once('data', () => sock.end(Buffer.concat([Buffer.from(String(file.length)), file])));
    });
    await new Promise<void>((r) => tek.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => tek.close(() => r())));
    const tekPort = (tek.address() as { port: number }).port;
    s.hook = (user, f, sock) => {
      if (!user) return false;
      if (f.type === 200) sock.write(Buffer.concat([encodeFrame(201, `"${path}" NOMD5COMPUTED ${file.length} 128 44100 60 tek ${ipToField('127.0.0.1')} 0`), encodeFrame(202, '')]));
      else if (f.type === 203) sock.write(encodeFrame(204, `tek ${ipToField('127.0.0.1')} ${tekPort} "${path}" NOMD5COMPUTED 0`));
      else if (f.type === 603) sock.write(encodeFrame(604, 'tek "User" 5 " " "Active" 1 0 0 0 "TekNap-1.3g"'));
      else return false;
      return true;
    };
    const bob = await node(s, 'bob', {});
    await mkdir(bob.downloads, { recursive: true });
    await writeFile(join(bob.downloads, 'whole.mp3.part'), file.subarray(0, 100_000));
    await bob.run('nsearch', 'whole');
    await bob.waitFor((ev) => ev.some((e) => e.type === 'search.hit'));
    await bob.get(bob.hit('whole.mp3'));
    await bob.waitFor((ev) => ev.some((e) => e.type === 'transfer.done' || e.type === 'transfer.failed'), 20_000);
    expect(bob.of('transfer.failed')).toEqual([]);
    expect(sha(await readFile(join(bob.downloads, 'whole.mp3')))).toBe(sha(file));
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
    expect(s.received.some((r) => r.nick === 'alice' && r.frame.type === 619 && r.frame.text === 'bob "busy.bin" 3')).toBe(true);
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
    s.send(s.users.get('alice')!.socket, 607, 'mallory "mine.bin"');
    await alice.waitFor(() => s.received.some((r) => r.nick === 'alice' && r.frame.type === 608));
    expect(s.received.filter((r) => r.nick === 'alice' && r.frame.type === 608).map((r) => r.frame.text)).toEqual(['mallory "mine.bin"']);
  });

  it('/rescan keeps the server in sync (100 for new files, 102 for gone ones), and the cap is announced', async () => {
    const s = await server();
    const alice = await node(s, 'alice', { 'one.bin': randomBytes(10), 'two.bin': randomBytes(20) }, { maxShares: 1 });
    await alice.waitFor((ev) => ev.some((e) => e.type === 'notice' && /takes at most 1 files: 1 of your files are not shared/.test(e.text)));
    expect([...s.users.get('alice')!.shares.keys()]).toEqual(['one.bin']);
    await rm(join(alice.shareDir, 'one.bin'));
    await alice.node.run(FILES_PLUGIN, 'rescan', []);
    await alice.waitFor(() => [...s.users.get('alice')!.shares.keys()].join() === 'two.bin');
    expect(s.received.some((r) => r.nick === 'alice' && r.frame.type === 102 && r.frame.text === 'one.bin')).toBe(true);
  });
});
