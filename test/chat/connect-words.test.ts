/**
 * `/connect` says what is happening when it happens (README "Using it"): `connecting to X`
 * once the socket is open, then `connected to X (nick)` when the handshake is done, or an
 * error with the reason when the peer refuses; never "connected" before a refusal.
 */
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { TestNode } from '../testnet.js';
import { addrOf, chatFixture, link, linked, settle, waitUntil } from './chat-net.js';

const fx = chatFixture();
const notices = (t: TestNode): string[] => t.of('notice').map((e) => e.text);
const errors = (t: TestNode): string[] => t.of('error').map((e) => e.message);

describe('/connect', () => {
  it('says connecting, then connected with the nick once the handshake is done', async () => {
    const net = await fx.net(2, () => ({ targetDegree: 0 }));
    const [a, b] = net.nodes as [TestNode, TestNode];
    expect(await a.node.run('chat', 'connect', [addrOf(b)])).toEqual([`connecting to ${addrOf(b)}`]);
    await waitUntil(() => notices(a).includes(`connected to ${addrOf(b)} (n1)`), 5_000, 'connected notice');
    expect(linked(a)).toBe(1);
    expect(errors(a)).toEqual([]);
  });

  it('says why when the peer refuses, and never "connected"', async () => {
    const net = await fx.net(2, (i) => ({ targetDegree: 0, mesh: i === 0 ? 'one' : 'two' }));
    const [a, b] = net.nodes as [TestNode, TestNode];
    expect(await a.node.run('chat', 'connect', [addrOf(b)])).toEqual([`connecting to ${addrOf(b)}`]);
    await waitUntil(() => errors(a).length === 1, 5_000, 'refusal');
    expect(errors(a)[0]).toMatch(new RegExp(`^${addrOf(b)}: WRONG_MESH: `));
    await settle(200);
    expect(notices(a).filter((t) => t.includes('connected'))).toEqual([]);
  });

  it('a second /connect to a linked node says it is already linked', async () => {
    const net = await fx.net(2, () => ({ targetDegree: 0 }));
    const [a, b] = net.nodes as [TestNode, TestNode];
    await link(a, b);
    expect(await a.node.run('chat', 'connect', [addrOf(b)])).toEqual([`connecting to ${addrOf(b)}`]);
    await waitUntil(() => notices(a).includes(`already linked to n1 (${addrOf(b)})`), 5_000, 'already linked');
    // And from the other side: the node with the smaller id keeps the link it dialled, so b's dial is
    // either refused before HELLO (b still names a) or replaces the first link; one link stays.
    expect(await b.node.run('chat', 'connect', [addrOf(a)])).toEqual([`connecting to ${addrOf(a)}`]);
    const words = [`already linked to n0 (${addrOf(a)})`, `connected to ${addrOf(a)} (n0)`];
    await waitUntil(() => notices(b).some((t) => words.includes(t)), 5_000, 'b told');
    await waitUntil(() => linked(a) === 1 && linked(b) === 1 && a.node.peers().length === 1, 5_000, 'one link');
    expect(errors(a)).toEqual([]);
    expect(errors(b)).toEqual([]);
  });

  it('a line chat that is not a peerdeck node is connected as a plain peer once it speaks', async () => {
    const net = await fx.net(1, () => ({ targetDegree: 0 }));
    const [a] = net.nodes as [TestNode];
    const server: Server = createServer((s) => {
      fx.track(s);
      s.write('welcome to the line chat\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      expect(await a.node.run('chat', 'connect', [`127.0.0.1:${port}`])).toEqual([`connecting to 127.0.0.1:${port}`]);
      await waitUntil(() => notices(a).some((t) => t.startsWith(`connected to 127.0.0.1:${port}: a line chat`)), 5_000, 'plain connected');
    } finally {
      server.close();
    }
  });
});
