/**
 * Hostile input is normal input (issue 12 "Hostile"): oversized frames, a
 * length that lies, garbage before login, unterminated quotes, 10,000 shares,
 * a search flood, 200 logins from one IP and a client that never reads. Each
 * time the offender alone is cut off (or told), and a bystander keeps service.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeFrame } from '../../protocols/napster/codec.js';
import { NapClient } from './nap-client.js';
import { startServer, type ServerFixture } from './server-fixture.js';

let server: ServerFixture | undefined;
const clients: NapClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.stop();
  server = undefined;
});

async function login(nick: string, opts: Parameters<typeof NapClient.login>[2] = {}): Promise<NapClient> {
  const c = await NapClient.login(server!.port, nick, opts);
  clients.push(c);
  return c;
}

async function open(): Promise<NapClient> {
  const c = await NapClient.open(server!.port);
  clients.push(c);
  return c;
}

/** The bystander still gets answers: a server ping comes back. */
async function stillServed(c: NapClient): Promise<void> {
  expect((await c.ask(750, '', 750)).at(-1)!.text).toBe('localhost ');
}

describe('hostile clients', () => {
  it('closes silently on a frame over 2048 bytes, on garbage and on HTTP before login', async () => {
    server = await startServer();
    const bystander = await login('bystander');
    const big = await login('big');
    const h = Buffer.alloc(4);
    h.writeUInt16LE(2049, 0);
    h.writeUInt16LE(205, 2);
    big.write(h);
    await big.waitClosed();
    expect(big.frames).toEqual([]);
    for (const hex of ['deadbeef00010203', '474554202f20485454502f312e300d0a0d0a']) {
      const g = await open();
      g.write(Buffer.from(hex, 'hex'));
      await g.waitClosed();
      expect(g.frames).toEqual([]);
    }
    await stillServed(bystander);
    // Silent on the wire, but the operator's log says who was dropped and why.
    const logged = (): string[] => server!.node.of('log').filter((e) => e.level === 'info').map((e) => e.message);
    await vi.waitFor(() => expect(logged()).toEqual(expect.arrayContaining([
      expect.stringMatching(/^napster: big \(127\.0\.0\.1\) dropped: frame of 2049 bytes exceeds the 2048-byte limit$/),
      expect.stringMatching(/^napster: a connection from 127\.0\.0\.1 dropped before login: frame of 44510 bytes exceeds the 2048-byte limit$/),
    ])));
    expect(logged().filter((m) => m.includes('bystander'))).toEqual([]);
    expect(await server!.node.node.run('napster', 'napster-stats', [])).toContain('connections cut off since start: 3 (frame over 2048 bytes or garbage 3)');
  });

  it('waits on a length that lies after login; times out a connection that never logs in', async () => {
    server = await startServer({ loginTimeoutMs: 300 });
    const bystander = await login('bystander');
    const liar = await login('liar');
    liar.write(Buffer.from('6400cd00616c6963652070617274', 'hex'));
    const idle = await open();
    idle.write(Buffer.from('6400', 'hex')); // half a header, never finished
    expect((await idle.waitType(0)).text).toBe('Idle timeout');
    await idle.waitClosed();
    expect(liar.closed).toBe(false);
    await stillServed(bystander);
  });

  it('answers a non-login command before login with 0 invalid command, and unterminated quotes with 404', async () => {
    server = await startServer();
    const early = await open();
    early.send(200, 'FILENAME CONTAINS "x"');
    expect((await early.waitType(0)).text).toBe('invalid command');
    await early.waitClosed();
    const u = await login('quoter');
    expect((await u.ask(100, '"C:\\broken.mp3 00 1000 128 44100 10', 404)).at(-1)!.text).toBe('parameters are unparsable');
    expect((await u.ask(203, 'bob "C:\\x', 404)).at(-1)!.text).toBe('parameters are unparsable');
    expect((await u.ask(200, 'FILENAME CONTAINS "x', 202)).map((f) => f.text)).toEqual(['invalid search request', '']);
    await stillServed(u);
  });

  it('takes 5,000 of 10,000 shares and says why it refuses the rest', async () => {
    server = await startServer();
    const u = await login('hoarder');
    const chunks: Buffer[] = [];
    for (let i = 0; i < 10_000; i++) chunks.push(encodeFrame(100, `"C:\\music\\hoard song ${i}.mp3" 0 ${i} 128 44100 60`));
    u.write(Buffer.concat(chunks));
    const other = await login('other');
    await vi.waitFor(async () => {
      if ((await other.ask(214, '', 214)).at(-1)!.text !== '2 5000 0') throw new Error('not all in yet');
    }, { timeout: 20_000 });
    await vi.waitFor(() => expect(u.frames.filter((f) => f.type === 404)).toHaveLength(5000), { timeout: 20_000 });
    expect(u.frames[0]!.text).toBe('You may only share 5000 files');
    const found = await other.ask(200, 'FILENAME CONTAINS "hoard song"', 202);
    expect(found).toHaveLength(101);
    expect(found[0]!.text).toContain('hoard song 4999.mp3');
  });

  it('cuts off a user sending 1,000 searches a second, with a message first', async () => {
    server = await startServer({ floodCommands: 100, floodWindowMs: 10_000 });
    const bystander = await login('bystander');
    const flood = await login('flooder');
    flood.write(Buffer.concat(Array.from({ length: 1000 }, () => encodeFrame(200, 'FILENAME CONTAINS "x"'))));
    await flood.waitClosed();
    expect(flood.frames.filter((f) => f.type === 202)).toHaveLength(100);
    const notice = flood.frames.find((f) => f.type === 404 && f.text.startsWith('flood control'));
    expect(notice?.text).toBe('flood control: more than 100 commands in 10 s; disconnecting');
    await stillServed(bystander);
    expect(server.node.events.some((e) => e.type === 'notice' && e.text.includes('flooder'))).toBe(true);
  });

  it('refuses the 21st connection from one IP and keeps serving the first twenty', async () => {
    server = await startServer({ maxClones: 20 });
    const first = await login('first');
    const attempts = await Promise.all(Array.from({ length: 200 }, () => open()));
    attempts.forEach((c, i) => c.send(2, `clone${i} pw 0 "x" 1`));
    await vi.waitFor(() => expect(attempts.filter((c) => c.closed).length).toBe(181), { timeout: 20_000 });
    const refused = attempts.filter((c) => c.closed);
    expect(refused.every((c) => c.frames.length === 1 && c.frames[0]!.type === 0 && c.frames[0]!.text === 'Exceeded maximum connections')).toBe(true);
    const admitted = attempts.filter((c) => !c.closed);
    await Promise.all(admitted.map((c) => c.waitType(214)));
    await stillServed(first);
  });

  it('drops a client that never reads once its queue passes the cap; others keep service', async () => {
    server = await startServer({ floodCommands: 0 });
    const sharer = await login('sharer');
    const name = 'x'.repeat(180);
    sharer.write(Buffer.concat(Array.from({ length: 100 }, (_, i) => encodeFrame(100, `"C:\\music\\${name} ${i}.mp3" 0 1 128 44100 60`))));
    const bystander = await login('bystander');
    await vi.waitFor(async () => {
      if ((await bystander.ask(214, '', 214)).at(-1)!.text !== '2 100 0') throw new Error('not all in yet');
    });
    const deaf = await login('deaf');
    deaf.socket.pause();
    const search = encodeFrame(200, `FILENAME CONTAINS "${name}"`);
    // ~25 kB of results per search: thousands of them overflow the kernel buffers and then the queue cap.
    for (let i = 0; i < 40 && !deaf.socket.destroyed; i++) {
      deaf.write(Buffer.concat(Array.from({ length: 100 }, () => search)));
      await new Promise((r) => setTimeout(r, 20));
      if (server.node.node.snapshot().status.napster?.peers === 2) break;
    }
    await vi.waitFor(() => expect(server!.node.node.snapshot().status.napster?.peers).toBe(2), { timeout: 20_000 });
    await stillServed(bystander);
  });
});
