import { afterEach, describe, expect, it } from 'vitest';
import type { Testnet, TestNode } from '../testnet.js';
import { chatNet, lines, linked, settle, waitUntil } from './chat-net.js';

let net: Testnet | undefined;
afterEach(async () => {
  await net?.stop();
  net = undefined;
});

describe('LAN discovery (UDP multicast on loopback)', () => {
  it('two nodes with no --connect find each other; another mesh is ignored', async () => {
    const port = 40_000 + Math.floor(Math.random() * 20_000);
    const discovery = { port, interface: '127.0.0.1', intervalMs: 200 };
    // A mesh name of our own: another test run on this host cannot join in.
    const mesh = `disc${Math.random().toString(36).slice(2, 10)}`;
    net = await chatNet(3, (i) => ({ discovery, mesh: i === 2 ? `${mesh}x` : mesh }));
    const [a, b, c] = net.nodes as [TestNode, TestNode, TestNode];
    await waitUntil(() => linked(a) === 1 && linked(b) === 1, 10_000, 'discovered');
    await a.node.run('chat', 'say', ['found you']);
    await waitUntil(() => lines(b).length === 1, 5_000, 'b hears a');
    await settle(500);
    expect(linked(c)).toBe(0);
    expect(lines(c)).toHaveLength(0);
    expect(c.of('peer.up')).toHaveLength(0);
  });
});
