import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { splitFields } from '../../protocols/napster/messages.js';
import { FakeNapServer } from './fake-server.js';
import { startNapNode, type NapNode } from './client-net.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const md5 = (b: Buffer): string => createHash('md5').update(b.subarray(0, 300_000)).digest('hex');

describe('Napster client against a scripted OpenNap broker (real sockets)', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function world(): Promise<{ server: FakeNapServer; alice: NapNode; bob: NapNode; carol: NapNode; a: Buffer; c: Buffer }> {
    const server = new FakeNapServer();
    await server.start();
    cleanup.push(() => server.stop());
    const a = randomBytes(700_000);
    const c = randomBytes(123_457);
    const alice = await startNapNode('alice', { 'music/Alpha Song.mp3': a }, { dataPort: 0, dataHost: '127.0.0.1' });
    cleanup.push(() => alice.stop());
    const bob = await startNapNode('bob', {}, { dataPort: 0, dataHost: '127.0.0.1' });
    cleanup.push(() => bob.stop());
    const carol = await startNapNode('carol', { 'Carol Tune.mp3': c }, {});
    cleanup.push(() => carol.stop());
    for (const n of [alice, bob, carol]) {
      await n.run('nlogin', `127.0.0.1:${server.port}`);
      await n.waitFor((ev) => ev.some((e) => e.type === 'peer.up' && e.protocol === 'napster'));
    }
    await vitestWait(() => server.users.get('alice')?.shares.size === 1 && server.users.get('carol')?.shares.size === 1);
    return { server, alice, bob, carol, a, c };
  }

  it('registers on first login, shares md5 of the first 300,000 bytes and the size', async () => {
    const { server, alice, a } = await world();
    const nickCheck = server.received.find((r) => r.frame.type === 7 && r.frame.text === 'alice');
    expect(nickCheck).toBeDefined();
    const reg = server.received.find((r) => r.frame.type === 6 && r.frame.text.startsWith('alice '));
    expect(splitFields(reg!.frame.text)).toEqual(['alice', 'alicepw', String(alice.node.snapshot().status.napster?.ports['napster-data']), 'peerdeck 0.1', '0', 'alice@peerdeck.invalid']);
    expect([...server.users.get('alice')!.shares]).toEqual([['\\music\\Alpha Song.mp3', { md5: md5(a), size: a.length }]]);
    expect(server.users.get('carol')!.port).toBe(0);
  });

  it('searches, then downloads directly (GET) and by push, byte-identical and size-verified', async () => {
    const { bob, a, c } = await world();
    await bob.run('nsearch', 'song');
    await bob.waitFor((ev) => ev.some((e) => e.type === 'search.done'));
    expect(bob.of('search.hit').map((h) => [h.name, h.size, h.source, h.protocol])).toEqual([['Alpha Song.mp3', a.length, 'alice', 'napster']]);
    await bob.get(bob.hit('Alpha Song.mp3'));
    await bob.run('nsearch', 'tune');
    await bob.waitFor((ev) => ev.some((e) => e.type === 'search.hit' && e.name === 'Carol Tune.mp3'));
    await bob.get(bob.hit('Carol Tune.mp3'));
    await bob.waitFor((ev) => ev.filter((e) => e.type === 'transfer.done').length === 2, 20_000);
    expect(sha(await readFile(join(bob.downloads, 'Alpha Song.mp3')))).toBe(sha(a));
    expect(sha(await readFile(join(bob.downloads, 'Carol Tune.mp3')))).toBe(sha(c));
    expect((await readdir(bob.downloads)).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('both firewalled: the download fails at once with the server\'s word', async () => {
    const { server, carol } = await world();
    const dave = await startNapNode('dave', {}, {});
    cleanup.push(() => dave.stop());
    await dave.run('nlogin', `127.0.0.1:${server.port}`);
    await dave.waitFor((ev) => ev.some((e) => e.type === 'peer.up'));
    // The broker hides firewalled holders from firewalled searchers (§5); ask it to show carol's file anyway.
    server.users.get('dave')!.port = 1;
    await dave.run('nsearch', 'tune');
    await dave.waitFor((ev) => ev.some((e) => e.type === 'search.hit'));
    server.users.get('dave')!.port = 0;
    const started = Date.now();
    await dave.get(dave.hit('Carol Tune.mp3'));
    await dave.waitFor((ev) => ev.some((e) => e.type === 'transfer.failed'));
    expect(dave.of('transfer.failed')[0]!.reason).toMatch(/both firewalled/);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(carol.of('transfer.done')).toEqual([]);
  });

  it('a search typed while the login is still under way waits for it and reaches the server', async () => {
    const { server } = await world();
    // Hold erin's nick check (the first step of her login) until her search has started.
    let held: (() => void) | undefined;
    server.hook = (user, f, socket) => {
      if (user || f.type !== 7 || f.text !== 'erin') return false;
      held = () => server.send(socket, 8, '');
      return true;
    };
    const erin = await startNapNode('erin', {}, { dataPort: 0, dataHost: '127.0.0.1' });
    cleanup.push(() => erin.stop());
    await erin.run('nlogin', `127.0.0.1:${server.port}`);
    await vitestWait(() => held !== undefined);
    await erin.run('nsearch', 'tune');
    await new Promise((r) => setTimeout(r, 300));
    expect(erin.of('search.done')).toEqual([]);
    held!();
    await erin.waitFor((ev) => ev.some((e) => e.type === 'search.done'));
    expect(erin.of('search.hit').map((h) => [h.name, h.source])).toEqual([['Carol Tune.mp3', 'carol']]);
    expect(erin.of('search.done')[0]).toMatchObject({ hits: 1, peers: 1 });
  });

  it('a search with no server to ask says so', async () => {
    const erin = await startNapNode('erin', {}, { dataPort: 0, dataHost: '127.0.0.1' });
    cleanup.push(() => erin.stop());
    await erin.run('nsearch', 'tune');
    await erin.waitFor((ev) => ev.some((e) => e.type === 'search.done'));
    expect(erin.of('notice').map((e) => e.text)).toContain('search: not logged in to any Napster server (/nlogin host:port)');
  });
});

async function vitestWait(pred: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > until) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 20));
  }
}
