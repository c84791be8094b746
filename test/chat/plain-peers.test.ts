import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Testnet, TestNode } from '../testnet.js';
import { portOf } from '../testnet.js';
import { addrOf, chatNet, lines, link, rawConnect, settle, waitUntil, wrapSocket, type RawPeer } from './chat-net.js';

let net: Testnet | undefined;
const cleanups: Array<() => void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  await net?.stop();
  net = undefined;
});

function raw(p: RawPeer): RawPeer {
  cleanups.push(() => p.socket.destroy());
  return p;
}

/**
 * A classic Delphi-style client: it shows a line only the first time it sees that
 * content and then re-broadcasts it on every connection, the one it came from included.
 */
function classicClient(peers: RawPeer[]): { seen: string[] } {
  const seen: string[] = [];
  for (const p of peers) {
    p.socket.on('data', () => {
      for (const l of p.lines.splice(0)) {
        if (seen.includes(l)) continue;
        seen.push(l);
        for (const q of peers) q.send(`${l}\n`);
      }
    });
  }
  return {
    seen,
  };
}

describe('plain peers (nc and classic clients)', () => {
  it('an nc user connecting in joins the chat both ways', async () => {
    net = await chatNet(2, () => ({ targetDegree: 0 }));
    const [a, b] = net.nodes as [TestNode, TestNode];
    await link(a, b);
    const nc = raw(await rawConnect(portOf(a, 'chat')));
    nc.send('hello from netcat\n');
    await waitUntil(() => lines(b).length === 1, 5_000, 'b sees the nc line');
    const port = nc.socket.localPort;
    expect(lines(a)[0]).toMatchObject({ nick: `127.0.0.1:${port}`, text: 'hello from netcat', self: false });
    expect(lines(b)[0]).toMatchObject({ nick: `127.0.0.1:${port}`, text: 'hello from netcat', hops: 2 });
    nc.send('carol: I have a name\r\n');
    await waitUntil(() => lines(b).length === 2, 5_000, 'named line');
    expect(lines(b)[1]).toMatchObject({ nick: 'carol', text: 'I have a name' });
    await b.node.run('chat', 'say', ['hi nc']);
    await b.node.run('chat', 'me', ['waves']);
    await nc.waitLine((l) => l === '* n1 waves');
    expect(nc.lines).toContain('<n1> hi nc');
    expect(nc.lines.some((l) => l.startsWith('MSG ') || l.startsWith('HELLO'))).toBe(false);
    expect(a.node.peers().some((p) => p.nick?.endsWith('(plain)'))).toBe(true);
  });

  it('a silent nc reader gets lines after the grace period', async () => {
    net = await chatNet(1);
    const [a] = net.nodes as [TestNode];
    const nc = raw(await rawConnect(portOf(a, 'chat')));
    await waitUntil(() => a.of('peer.up').length === 1, 5_000, 'plain peer up');
    await a.node.run('chat', 'say', ['anyone there?']);
    await nc.waitLine((l) => l === '<n0> anyone there?');
  });

  it('a node dials an nc listener and talks to it', async () => {
    net = await chatNet(2, () => ({ targetDegree: 0 }));
    const [a, b] = net.nodes as [TestNode, TestNode];
    await link(a, b);
    let listener: RawPeer | undefined;
    const server: Server = createServer((s) => (listener = wrapSocket(s)));
    cleanups.push(() => {
      listener?.socket.destroy();
      server.close();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    await a.node.run('chat', 'connect', [`127.0.0.1:${port}`]);
    await waitUntil(() => listener !== undefined && listener.lines.length >= 1, 5_000, 'HELLO seen by nc -l');
    const l = listener!;
    expect(l.lines[0]).toMatch(/^HELLO peerdeck-chat\/1 node=\S+ nick=n0 listen=\d+ mesh=default$/);
    l.send('dave: hi from nc -l\n');
    await waitUntil(() => lines(b).length === 1, 5_000, 'b sees it');
    expect(lines(b)[0]).toMatchObject({ nick: 'dave', text: 'hi from nc -l' });
    await b.node.run('chat', 'say', ['hello dave']);
    await l.waitLine((x) => x === '<n1> hello dave');
  });

  it('a classic client that re-broadcasts everything does not loop', async () => {
    net = await chatNet(2, () => ({ targetDegree: 0 }));
    const [a, b] = net.nodes as [TestNode, TestNode];
    await link(a, b);
    const toA = raw(await rawConnect(portOf(a, 'chat')));
    const toB = raw(await rawConnect(portOf(b, 'chat')));
    const classic = classicClient([toA, toB]);
    toA.send('classic: typed on the classic client\n');
    toB.send('classic: typed on the classic client\n');
    await waitUntil(() => lines(a).length === 1 && lines(b).length === 1, 5_000, 'classic line shown');
    await a.node.run('chat', 'say', ['from a']);
    await b.node.run('chat', 'say', ['from b']);
    await waitUntil(() => classic.seen.includes('<n0> from a') && classic.seen.includes('<n1> from b'), 5_000, 'classic sees both');
    await settle(500);
    const texts = (t: TestNode): string[] => lines(t).map((l) => l.text);
    // Each line exactly once per node; the classic client's echoes are recognised, not re-shown.
    for (const t of [a, b]) {
      expect(texts(t).filter((x) => x === 'typed on the classic client')).toHaveLength(1);
      expect(texts(t).filter((x) => x === 'from a')).toHaveLength(1);
      expect(texts(t).filter((x) => x === 'from b')).toHaveLength(1);
    }
    // Bounded: the echo storm died out (at most one extra rendering per path).
    expect(lines(a).length + lines(b).length).toBeLessThanOrEqual(8);
    const count = lines(a).length + lines(b).length;
    await settle(300);
    expect(lines(a).length + lines(b).length).toBe(count);
    expect(toA.closed || toB.closed).toBe(false);
  });

  it('strips control characters from plain lines', async () => {
    net = await chatNet(1);
    const [a] = net.nodes as [TestNode];
    const nc = raw(await rawConnect(portOf(a, 'chat')));
    nc.send('\u001b[31mred\u0007 alert\ttab\n');
    await waitUntil(() => lines(a).length === 1, 5_000, 'line');
    expect(lines(a)[0]!.text).toBe('[31mred alert\ttab');
    expect(addrOf(a)).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it("an nc user cannot speak under its node's nick or another node's: the line shows under its address", async () => {
    net = await chatNet(2, () => ({ targetDegree: 0 }));
    const [a, b] = net.nodes as [TestNode, TestNode];
    await link(a, b);
    const nc = raw(await rawConnect(portOf(a, 'chat')));
    const me = `127.0.0.1:${nc.socket.localPort}`;
    nc.send('n0: I am the real n0\n');
    nc.send('N1: and I am n1\n');
    nc.send('dave: a free nick is believed\n');
    await waitUntil(() => lines(b).length === 3, 5_000, 'b sees the three nc lines');
    for (const seen of [lines(a), lines(b)]) {
      expect(seen.map((l) => [l.nick, l.text])).toEqual([
        [me, 'n0: I am the real n0'],
        [me, 'N1: and I am n1'],
        ['dave', 'a free nick is believed'],
      ]);
    }
  });
});
