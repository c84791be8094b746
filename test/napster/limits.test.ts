/** Connection caps (specs/napster.md §3.2 rule 8): a full server says so, then closes; its users keep service. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CLIENT_QUEUE_BYTES, MAX_BROWSE } from '../../protocols/napster/constants.js';
import { NapClient } from './nap-client.js';
import { startServer, type ServerFixture } from './server-fixture.js';

let server: ServerFixture | undefined;
const clients: NapClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.stop();
  server = undefined;
});

describe('napster connection caps', () => {
  it('answers the connection past --napster-max-connections with "This server is full"', async () => {
    server = await startServer({ maxConnections: 3 });
    for (const nick of ['a', 'b', 'c']) clients.push(await NapClient.login(server.port, nick));
    const late = await NapClient.open(server.port);
    clients.push(late);
    expect((await late.waitType(0)).text).toBe('This server is full (3 connections)');
    await late.waitClosed();
    expect((await clients[0]!.ask(214, '', 214)).at(-1)!.text).toBe('3 0 0');
  });

  it('sends 214 to everyone logged in at each stats interval', async () => {
    server = await startServer({ statsIntervalMs: 200 });
    const u = await NapClient.login(server.port, 'ticker');
    clients.push(u);
    expect((await u.waitType(214)).text).toBe('1 0 0');
  });
});

/** One share with a long path: a browse of 500 of them is about 150 KB of 212 frames. */
function longShare(i: number): string {
  return `"C:\\Music\\${'Long Folder Name '.repeat(8)}\\Track ${String(i).padStart(3, '0')} ${'of a long album title '.repeat(3)}.mp3" ffff 5000 128 44100 245`;
}

async function shareMany(c: NapClient, n: number): Promise<void> {
  for (let i = 0; i < n; i++) c.send(100, longShare(i));
  await vi.waitFor(async () => {
    if (!(await c.ask(214, '', 214)).at(-1)!.text.includes(` ${n} `)) throw new Error('shares not in yet');
  });
}

describe('napster slow readers (specs/napster.md §8, opennap client_queue_length)', () => {
  it('drops a client that does not read once more than 102,400 bytes stay queued after a write (and do not drain)', async () => {
    server = await startServer({ floodCommands: 0, slowReaderGraceMs: 300 });
    const holder = await NapClient.login(server.port, 'holder');
    const watcher = await NapClient.login(server.port, 'watcher');
    const sink = await NapClient.login(server.port, 'sink');
    clients.push(holder, watcher, sink);
    await shareMany(holder, MAX_BROWSE);
    watcher.send(207, 'sink');
    await watcher.waitType(301);
    sink.socket.pause();
    const queuedForSink = (): number | undefined => server!.node.node.peers().find((p) => p.nick === 'sink')?.queuedBytes;
    // Each browse queues ~150 KB: the kernel's buffers (megabytes on loopback) fill first.
    for (let i = 0; i < 400 && queuedForSink() === 0; i++) {
      sink.send(211, 'holder');
      await new Promise((r) => setTimeout(r, 10));
    }
    // One more puts it well over the limit (and far under the 512 KiB the server used to allow); then nothing more is sent.
    sink.send(211, 'holder');
    // (The cut may come before a look here on a slow machine: the grace is short.)
    let most = 0;
    await vi.waitFor(() => {
      const q = queuedForSink();
      most = Math.max(most, q ?? 0);
      expect(q ?? Infinity).toBeGreaterThan(CLIENT_QUEUE_BYTES);
    });
    expect(most).toBeLessThan(512 * 1024 - 150_000);
    await vi.waitFor(() => expect(queuedForSink()).toBeUndefined(), { timeout: 5_000 });
    expect((await watcher.waitType(210)).text).toBe('sink');
    const stats = await server.node.node.run('napster', 'napster-stats', []);
    expect(stats.join('\n')).toContain('connections cut off since start: 1 (not reading 1)');
  });

  it('keeps a client that reads a burst of answers slowly, as long as it drains below the limit within the grace', async () => {
    server = await startServer({ floodCommands: 0, slowReaderGraceMs: 3_000 });
    const holder = await NapClient.login(server.port, 'holder');
    const slow = await NapClient.login(server.port, 'slow');
    clients.push(holder, slow);
    await shareMany(holder, MAX_BROWSE);
    slow.socket.pause();
    const queued = (): number | undefined => server!.node.node.peers().find((p) => p.nick === 'slow')?.queuedBytes;
    for (let i = 0; i < 400 && queued() === 0; i++) {
      slow.send(211, 'holder');
      await new Promise((r) => setTimeout(r, 10));
    }
    slow.send(211, 'holder');
    await vi.waitFor(() => expect(queued() ?? 0).toBeGreaterThan(CLIENT_QUEUE_BYTES));
    await new Promise((r) => setTimeout(r, 300));
    slow.socket.resume();
    await vi.waitFor(() => expect(queued()).toBe(0));
    await new Promise((r) => setTimeout(r, 3_000));
    expect(slow.closed).toBe(false);
    expect(queued()).toBe(0);
  });

  it('keeps a client that reads, however large one answer is (a 500-file browse is over 100 KB)', async () => {
    server = await startServer({ floodCommands: 0 });
    const holder = await NapClient.login(server.port, 'holder');
    const reader = await NapClient.login(server.port, 'reader');
    clients.push(holder, reader);
    await shareMany(holder, MAX_BROWSE);
    for (let i = 0; i < 3; i++) {
      const got = await reader.ask(211, 'holder', 213);
      expect(got.filter((f) => f.type === 212)).toHaveLength(MAX_BROWSE);
      expect(got.reduce((n, f) => n + 4 + f.payload.length, 0)).toBeGreaterThan(CLIENT_QUEUE_BYTES);
    }
    expect(reader.closed).toBe(false);
  });
});
