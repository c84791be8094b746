import { describe, expect, it } from 'vitest';
import type { TestNode } from '../testnet.js';
import { chatFixture, waitUntil } from './chat-net.js';

const fx = chatFixture();

function burst(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += `MSG ${i.toString(16).padStart(32, '0')} 16 sender01 1700000000000 s :line ${i} ${'p'.repeat(1000)}\n`;
  return s;
}

const QUEUE = { highWater: 16 * 1024, lowWater: 4 * 1024, hardCap: 64 * 1024 };

describe('relay backpressure', () => {
  it('a slow reader is waited for, not dropped: the sender is throttled instead', async () => {
    const net = await fx.net(1, () => ({ targetDegree: 0, queue: QUEUE }));
    const [a] = net.nodes as [TestNode];
    const sender = await fx.hello(a, 'sender01');
    const reader = await fx.hello(a, 'reader01');
    reader.socket.pause();
    const N = 20_000; // ~20 MB: more than the kernel buffers hold, far past the 64 KiB hard cap
    sender.socket.write(burst(N));
    await waitUntil(() => a.node.peers().some((p) => p.queuedBytes >= QUEUE.highWater), 5_000, 'reader congested');
    await new Promise((r) => setTimeout(r, 300));
    for (const p of a.node.peers()) expect(p.queuedBytes).toBeLessThanOrEqual(QUEUE.hardCap);
    reader.socket.resume();
    await waitUntil(() => reader.lines.filter((l) => l.startsWith('MSG ')).length === N, 20_000, 'all lines relayed');
    expect(reader.closed).toBe(false);
    expect(sender.closed).toBe(false);
    expect(a.of('peer.down')).toHaveLength(0);
  });

  it('a neighbour congested past slowLinkMs is closed so the others move again', async () => {
    const net = await fx.net(1, () => ({ targetDegree: 0, queue: QUEUE, timeouts: { slowLinkMs: 500 } }));
    const [a] = net.nodes as [TestNode];
    const sender = await fx.hello(a, 'sender01');
    const stuck = await fx.hello(a, 'stuck001');
    const fine = await fx.hello(a, 'fine0001');
    stuck.socket.pause();
    const N = 20_000;
    sender.socket.write(burst(N));
    await waitUntil(() => a.of('peer.down').length === 1, 10_000, 'stuck closed');
    expect(a.of('peer.down')[0]!.reason).toMatch(/^SLOW_CONSUMER/);
    expect(a.of('peer.down')[0]!.address).toBe(`127.0.0.1:${stuck.socket.localPort}`);
    await waitUntil(() => fine.lines.filter((l) => l.startsWith('MSG ')).length === N, 20_000, 'fine gets everything');
    expect(sender.closed).toBe(false);
  });
});
