import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { PeerdeckNode } from '../../src/node.js';
import { createChatPlugin } from '../../protocols/chat/index.js';
import type { Testnet, TestNode } from '../testnet.js';
import { portOf, testnet } from '../testnet.js';
import { addrOf, chatNet, chatOpts, lines, linked, rawConnect, rawHello, waitUntil, type RawPeer } from './chat-net.js';

let net: Testnet | undefined;
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
  await net?.stop();
  net = undefined;
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'peerdeck-chat-'));
  cleanup.push(() => rm(d, { recursive: true, force: true }));
  return d;
}

describe('chat plugin lifecycle', () => {
  it('a restarted node rejoins from its persisted host cache, without arguments', async () => {
    net = await chatNet(1);
    const [a] = net.nodes as [TestNode];
    const dir = await tempDir();
    const first = new PeerdeckNode({ dataDir: dir, nick: 'b', plugins: [createChatPlugin(chatOpts({ connect: [addrOf(a)] }))] });
    await first.start();
    await waitUntil(() => linked(a) === 1, 5_000, 'first link');
    await first.stop();
    const saved = JSON.parse(await readFile(join(dir, 'hosts-chat.json'), 'utf8')) as { hosts: Array<{ addr: string }> };
    expect(saved.hosts.map((h) => h.addr)).toContain(addrOf(a));
    await waitUntil(() => linked(a) === 0, 5_000, 'gone');

    const again = new PeerdeckNode({ dataDir: dir, nick: 'b', plugins: [createChatPlugin(chatOpts())] });
    const events: string[] = [];
    again.subscribe((e) => {
      if (e.type === 'chat.line') events.push(e.text);
    });
    await again.start();
    cleanup.push(() => again.stop());
    await waitUntil(() => linked(a) === 1, 5_000, 'rejoined');
    await a.node.run('chat', 'say', ['welcome back']);
    await waitUntil(() => events.includes('welcome back'), 5_000, 'chat after rejoin');
  });

  it('stop leaves the mesh and closes the listener and every link', async () => {
    net = await chatNet(2, () => ({ targetDegree: 0 }));
    const [a, b] = net.nodes as [TestNode, TestNode];
    await b.node.run('chat', 'connect', [addrOf(a)]);
    await waitUntil(() => linked(a) === 1 && linked(b) === 1, 5_000, 'linked');
    const port = portOf(a, 'chat');
    await a.stop();
    await waitUntil(() => lines(b, 'part').length === 1 && b.of('peer.down').length === 1, 5_000, 'part + down');
    expect(a.node.snapshot().status.chat).toBeUndefined();
    const refused = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.on('connect', () => {
        s.destroy();
        resolve(false);
      });
      s.on('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });

  it('a node that dials itself notices, says so, and does not dial that address again', async () => {
    net = await chatNet(1, () => ({ targetDegree: 3 }));
    const [a] = net.nodes as [TestNode];
    await a.node.run('chat', 'connect', [addrOf(a)]);
    await waitUntil(() => a.of('error').length === 1, 5_000, 'error');
    expect(a.of('error')[0]!.message).toMatch(/: REFUSED: peer refused us: connected to ourselves$/);
    await waitUntil(() => a.node.peers().length === 0, 5_000, 'both ends closed');
    const failures = (): number => a.of('log').filter((l) => l.message.includes('handshake failed')).length;
    const before = failures();
    expect(before).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1_500)); // past the first dial backoff, seven maintenance ticks
    expect(failures()).toBe(before);
    expect(a.of('error')).toHaveLength(1);
  });

  it('keep-alive: PING on idle links, close a silent one as IDLE_TIMEOUT (manual clock)', async () => {
    const clock = new ManualClock(Date.now());
    net = await testnet(1, () => [createChatPlugin(chatOpts({ targetDegree: 0, timeouts: { pingMs: 1_000, idleMs: 2_500 } }))], { node: { clock } });
    const [a] = net.nodes as [TestNode];
    const open = async (node: string, answer: boolean): Promise<RawPeer> => {
      const r = await rawHello(portOf(a, 'chat'), node);
      cleanup.push(() => void r.socket.destroy());
      if (answer) {
        r.socket.on('data', () => {
          for (const l of r.lines.splice(0)) if (l.startsWith('PING ')) r.send(`PONG ${l.slice(5)}\n`);
        });
      }
      return r;
    };
    const silent = await open('silent01', false);
    const lively = await open('lively01', true);
    await waitUntil(() => linked(a) === 2, 5_000, 'both linked');
    clock.advance(1_000);
    await silent.waitLine((l) => l.startsWith('PING '));
    for (let t = 0; t < 3 && !silent.closed; t++) {
      await new Promise((r) => setTimeout(r, 50)); // let the PONG land before time moves on
      clock.advance(1_000);
    }
    await silent.waitClosed();
    expect(silent.lines.at(-1)).toBe('ERROR :IDLE_TIMEOUT: idle for 2500 ms');
    expect(lively.closed).toBe(false);
    expect(linked(a)).toBe(1);
  });

  it('a half-open link is closed by the handshake timer (manual clock)', async () => {
    const clock = new ManualClock(Date.now());
    net = await testnet(1, () => [createChatPlugin(chatOpts({ timeouts: { handshakeMs: 3_000, plainGraceMs: 1_000 } }))], { node: { clock } });
    const [a] = net.nodes as [TestNode];
    const r = await rawConnect(portOf(a, 'chat'));
    cleanup.push(() => void r.socket.destroy());
    await waitUntil(() => a.node.peers().length === 1, 5_000, 'accepted');
    clock.advance(1_000);
    expect(a.of('peer.up')).toHaveLength(1); // a silent reader is a plain peer after the grace
    clock.advance(2_000);
    await r.waitClosed();
    expect(r.lines).toEqual(['ERROR :HANDSHAKE_TIMEOUT: no handshake within 3000 ms']);
    await waitUntil(() => a.of('peer.down').length === 1, 5_000, 'down');
    expect(a.of('peer.down')[0]!.reason).toMatch(/^HANDSHAKE_TIMEOUT/);
  });
});
