import { createServer, type Server, type Socket } from 'node:net';
import { readdir } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../protocols/napster/codec.js';
import { FakeNapServer, ipToField } from './fake-server.js';
import { startNapNode, TEST_TIMEOUTS, type NapNode } from './client-net.js';

/** A raw TCP peer that does whatever the test says with each connection. */
async function rawPeer(onConn: (s: Socket) => void): Promise<{ port: number; server: Server; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
    onConn(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const close = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return { port: (server.address() as { port: number }).port, server, close };
}

describe('Napster client against a hostile server and hostile peers', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function setup(timeouts: Partial<typeof TEST_TIMEOUTS> = {}): Promise<{ server: FakeNapServer; bob: NapNode }> {
    const server = new FakeNapServer();
    await server.start();
    cleanup.push(() => server.stop());
    const bob = await startNapNode('bob', {}, { dataPort: 0, dataHost: '127.0.0.1', timeouts: { ...TEST_TIMEOUTS, ...timeouts } });
    cleanup.push(() => bob.stop());
    return { server, bob };
  }

  async function login(server: FakeNapServer, bob: NapNode): Promise<void> {
    await bob.run('nlogin', `127.0.0.1:${server.port}`);
    await bob.waitFor((ev) => ev.some((e) => e.type === 'peer.up'));
  }

  /** Makes the server answer any search with one hit from mallory (size 5000), and any 203 with `ack`. */
  function offerFile(server: FakeNapServer, ack: (s: Socket) => void): void {
    server.hook = (user, f, socket) => {
      if (!user) return false;
      if (f.type === 200) {
        socket.write(Buffer.concat([encodeFrame(201, `"C:\\evil\\bait.mp3" 0 5000 128 44100 60 mallory ${ipToField('127.0.0.1')} 7`), encodeFrame(202, '')]));
        return true;
      }
      if (f.type === 203) {
        ack(socket);
        return true;
      }
      return false;
    };
  }

  async function getBait(bob: NapNode): Promise<void> {
    await bob.run('nsearch', 'bait');
    await bob.waitFor((ev) => ev.some((e) => e.type === 'search.hit'));
    await bob.get(bob.hit('bait.mp3'));
    await bob.waitFor((ev) => ev.some((e) => e.type === 'transfer.failed'), 15_000);
  }

  const noFinalFile = async (bob: NapNode): Promise<void> => {
    const files = await readdir(bob.downloads).catch(() => []);
    expect(files.filter((f) => f === 'bait.mp3')).toEqual([]);
  };

  it('a frame over the size limit closes the session with a reason, and it reconnects later', async () => {
    const { server, bob } = await setup();
    server.hook = (user, f, socket) => {
      if (f.type !== 7) return false;
      const h = Buffer.alloc(4);
      h.writeUInt16LE(60_000, 0);
      h.writeUInt16LE(8, 2);
      socket.write(h);
      return true;
    };
    await bob.run('nlogin', `127.0.0.1:${server.port}`);
    await bob.waitFor((ev) => ev.some((e) => e.type === 'notice' && /reconnecting in/.test(e.text)));
    expect((await bob.run('nservers')).join('\n')).toMatch(/offline \(.*(too large|2048).*\); trying again in \d+ s$/i);
  });

  it('a server that goes silent (no 214 in the idle time) is asked with a 214; no answer either: the session is dropped and redialled', async () => {
    const { server, bob } = await setup({ silenceMs: 600 });
    await login(server, bob);
    server.hook = (user) => user !== undefined; // logged in: nothing is answered any more
    await bob.waitFor((ev) => ev.some((e) => e.type === 'notice' && /the server answered nothing for 1 s \(not even a 214\); reconnecting in/.test(e.text)), 15_000);
    expect(server.received.filter((r) => r.nick === 'bob' && r.frame.type === 214).length).toBeGreaterThanOrEqual(1);
  });

  it('a quiet server that answers the 214 keeps the session', async () => {
    const { server, bob } = await setup({ silenceMs: 300 });
    await login(server, bob);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(server.received.filter((r) => r.nick === 'bob' && r.frame.type === 214).length).toBeGreaterThanOrEqual(2);
    expect(bob.of('peer.down')).toEqual([]);
    expect((await bob.run('nservers'))[0]).toMatch(/: logged in as bob;/);
  });

  it('a lying length stalls only that search, which times out with a clear error', async () => {
    const { server, bob } = await setup({ searchMs: 1_500 });
    await login(server, bob);
    server.hook = (user, f, socket) => {
      if (f.type !== 200) return false;
      const h = Buffer.alloc(4);
      h.writeUInt16LE(1000, 0);
      h.writeUInt16LE(201, 2);
      socket.write(Buffer.concat([h, Buffer.from('"only ten')]));
      return true;
    };
    await bob.run('nsearch', 'anything');
    await bob.waitFor((ev) => ev.some((e) => e.type === 'notice' && /never ended the answer/.test(e.text)));
    expect((await bob.run('nservers'))[0]).toMatch(/: logged in as bob;/);
  });

  it('100,000 results: at most 1,000 are kept, the search ends, the node keeps running', async () => {
    const { server, bob } = await setup();
    await login(server, bob);
    server.hook = (user, f, socket) => {
      if (f.type !== 200) return false;
      const one = encodeFrame(201, `"C:\\flood\\file.mp3" 0 1 128 44100 60 mallory ${ipToField('127.0.0.1')} 7`);
      socket.write(Buffer.concat([Buffer.concat(Array.from({ length: 100_000 }, () => one)), encodeFrame(202, '')]));
      return true;
    };
    await bob.run('nsearch', 'flood');
    await bob.waitFor((ev) => ev.some((e) => e.type === 'search.done'), 30_000);
    expect(bob.of('search.done')[0]!.hits).toBe(1000);
    expect(bob.of('search.hit')).toHaveLength(1000);
    expect((await bob.run('nservers'))[0]).toMatch(/: logged in as bob;/);
  });

  it('a 204 pointing at a closed port fails the download with a clear error and tells the server (626)', async () => {
    const { server, bob } = await setup();
    await login(server, bob);
    const dead = await rawPeer(() => undefined);
    const deadPort = dead.port;
    await dead.close();
    offerFile(server, (s) => s.write(encodeFrame(204, `mallory ${ipToField('127.0.0.1')} ${deadPort} "C:\\evil\\bait.mp3" 0 7`)));
    await getBait(bob);
    expect(bob.of('transfer.failed')[0]!.reason).toMatch(/ECONNREFUSED/);
    await bob.waitFor(() => server.received.some((r) => r.frame.type === 626 && r.frame.text === 'mallory'));
    await noFinalFile(bob);
  });

  it('a data port that accepts but never says anything times out', async () => {
    const { server, bob } = await setup({ dataHandshakeMs: 1_000 });
    await login(server, bob);
    const mute = await rawPeer(() => undefined);
    cleanup.push(() => mute.close());
    offerFile(server, (s) => s.write(encodeFrame(204, `mallory ${ipToField('127.0.0.1')} ${mute.port} "C:\\evil\\bait.mp3" 0 7`)));
    await getBait(bob);
    expect(bob.of('transfer.failed')[0]!.reason).toMatch(/TIMEOUT|timed out|handshake/i);
    await noFinalFile(bob);
  });

  it('a data port sending garbage, or an error text, fails cleanly', async () => {
    for (const [reply, expected] of [
      [Buffer.from('\x00\xff\x13garbage'), /did not start with 1/],
      [Buffer.from('1FILE NOT SHARED'), /FILE NOT SHARED/],
    ] as const) {
      const { server, bob } = await setup();
      await login(server, bob);
      const evil = await rawPeer((s) => s.end(reply));
      cleanup.push(() => evil.close());
      offerFile(server, (s) => s.write(encodeFrame(204, `mallory ${ipToField('127.0.0.1')} ${evil.port} "C:\\evil\\bait.mp3" 0 7`)));
      await getBait(bob);
      expect(bob.of('transfer.failed')[0]!.reason).toMatch(expected);
      await noFinalFile(bob);
    }
  });

  it('a data port sending a larger file than announced: size error, nothing under the final name', async () => {
    const { server, bob } = await setup();
    await login(server, bob);
    const liar = await rawPeer((s) => {
      s.write('1');
      s.once('data', () => s.end(Buffer.concat([Buffer.from('5000'), Buffer.alloc(9000, 7)])));
    });
    cleanup.push(() => liar.close());
    offerFile(server, (s) => s.write(encodeFrame(204, `mallory ${ipToField('127.0.0.1')} ${liar.port} "C:\\evil\\bait.mp3" 0 7`)));
    await getBait(bob);
    expect(bob.of('transfer.failed')[0]!.reason).toMatch(/SIZE/);
    await noFinalFile(bob);
    expect((await readdir(bob.downloads)).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('direct browse of a peer that sends an endless list: 2 MiB are read, 2,000 files kept, the node keeps running', async () => {
    const { server, bob } = await setup();
    await login(server, bob);
    const line = Buffer.from(`"C:\\flood\\file.mp3" 0 1 128 44100 60\n`.repeat(1000));
    const endless = await rawPeer((s) => {
      s.write('1');
      s.once('data', () => {
        s.write('mallory\n');
        const pump = (): void => {
          while (!s.destroyed && s.write(line));
          if (!s.destroyed) s.once('drain', pump);
        };
        pump();
      });
    });
    cleanup.push(() => endless.close());
    server.hook = (user, f, socket) => {
      if (!user || f.type !== 640) return false;
      socket.write(encodeFrame(641, `mallory ${ipToField('127.0.0.1')} ${endless.port}`));
      return true;
    };
    await bob.run('ndbrowse', 'mallory');
    await bob.waitFor((ev) => ev.some((e) => e.type === 'search.done'), 15_000);
    expect(bob.of('search.hit').length).toBe(2000);
    await bob.waitFor((ev) => ev.some((e) => e.type === 'notice' && /mallory's list ended early/.test(e.text)));
    // A list pushed to our data port that nobody asked for is dropped.
    const { createConnection } = await import('node:net');
    const port = bob.node.snapshot().status.napster?.ports['napster-data'];
    const c = createConnection(port!, '127.0.0.1');
    c.on('error', () => undefined);
    c.end('SENDLIST eve\n"x" 0 1 0 0 0\n\n');
    c.resume();
    await new Promise((r) => c.once('close', r));
    await bob.waitFor((ev) => ev.some((e) => e.type === 'log' && /share list nobody asked for from eve was dropped/.test(e.message)));
    expect(bob.of('search.hit').length).toBe(2000);
    expect(await bob.run('nservers')).toEqual([expect.stringMatching(/: logged in as bob;/)]);
  });

  it('a file announced with another size by the peer than by the server is refused', async () => {
    const { server, bob } = await setup();
    await login(server, bob);
    const liar = await rawPeer((s) => {
      s.write('1');
      s.once('data', () => s.end(Buffer.concat([Buffer.from('9999'), Buffer.alloc(9999, 7)])));
    });
    cleanup.push(() => liar.close());
    offerFile(server, (s) => s.write(encodeFrame(204, `mallory ${ipToField('127.0.0.1')} ${liar.port} "C:\\evil\\bait.mp3" 0 7`)));
    await getBait(bob);
    expect(bob.of('transfer.failed')[0]!.reason).toMatch(/announces 9999 bytes/);
    await noFinalFile(bob);
  });

  it('a server that never answers 203 is given up on, and a 206 says the file is gone', async () => {
    const { server, bob } = await setup({ requestMs: 1_000 });
    await login(server, bob);
    offerFile(server, () => undefined);
    await getBait(bob);
    expect(bob.of('transfer.failed')[0]!.reason).toMatch(/did not answer the download request/);
    offerFile(server, (s) => s.write(encodeFrame(206, 'mallory "C:\\evil\\bait.mp3"')));
    await bob.get(bob.hit('bait.mp3'));
    await bob.waitFor((ev) => ev.filter((e) => e.type === 'transfer.failed').length === 2);
    expect(bob.of('transfer.failed')[1]!.reason).toMatch(/no longer shares bait.mp3/);
  });

  it('the server going away: the session reconnects with backoff and logs in again', async () => {
    const { server, bob } = await setup();
    await login(server, bob);
    server.dropAll();
    await bob.waitFor((ev) => ev.some((e) => e.type === 'peer.down'));
    await bob.waitFor((ev) => ev.filter((e) => e.type === 'peer.up').length === 2, 15_000);
    expect(server.received.filter((r) => r.frame.type === 2)).toHaveLength(1); // the nick was registered the first time: a plain login now
  });

  it('one peer.down per session that was up: none for redials that fail, one for /nlogout', async () => {
    const { server, bob } = await setup();
    await login(server, bob);
    const key = `127.0.0.1:${server.port}`;
    await server.stop(); // connections dropped and the port closed: every redial is refused
    await bob.waitFor((ev) => ev.some((e) => e.type === 'notice' && e.text.startsWith(`${key}: cannot connect`)), 15_000);
    expect(bob.of('peer.down').map((e) => e.address)).toEqual([key]);
    const again = new FakeNapServer();
    await again.start();
    cleanup.push(() => again.stop());
    await bob.run('nlogin', `127.0.0.1:${again.port}`);
    await bob.waitFor((ev) => ev.filter((e) => e.type === 'peer.up').length === 2);
    await bob.run('nlogout', `127.0.0.1:${again.port}`);
    await bob.waitFor((ev) => ev.filter((e) => e.type === 'peer.down').length === 2);
    expect(bob.of('peer.down').at(-1)).toMatchObject({ address: `127.0.0.1:${again.port}`, reason: 'logged out' });
  });
});
