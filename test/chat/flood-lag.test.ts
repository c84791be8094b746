/**
 * Dedup across a lagging path (issue 9): in a flood, the copy of a message that comes the
 * long way round a loop of the mesh (a triangle A-B-C: A->C directly and A->B->C) arrives
 * after everything queued ahead of it on that way, in send queues and kernel buffers. A
 * triangle flood once let 8,182 such copies past a 65,536-id seen cache. Here the slow way
 * is played by a neighbour that hands the node the first lines again after 100,000 newer
 * ones: none may be shown twice.
 */
import { describe, expect, it } from 'vitest';
import type { TestNode } from '../testnet.js';
import { chatFixture, waitUntil } from './chat-net.js';

const fx = chatFixture();

const line = (i: number): string => `MSG ${i.toString(16).padStart(32, '0')} 16 origin01 1700000000000 alice :line ${i}\n`;

describe('dedup across a lagging path', () => {
  it('a copy that arrives after 100,000 newer messages is still known: nothing is shown twice', async () => {
    const net = await fx.net(1, () => ({ targetDegree: 0 }));
    const [c] = net.nodes as [TestNode];
    const direct = await fx.hello(c, 'direct01');
    const roundabout = await fx.hello(c, 'around01');
    const N = 100_000;
    const REPLAYED = 5_000;
    for (let i = 0; i < N; i += 10_000) {
      let batch = '';
      for (let k = i; k < i + 10_000; k++) batch += line(k);
      direct.send(batch);
    }
    const shown = (): number => c.events.reduce((n, e) => n + (e.type === 'chat.line' && e.kind === 'msg' ? 1 : 0), 0);
    await waitUntil(() => shown() >= N, 60_000, 'the flood shown');
    // The long way round delivers its copies of the first lines only now.
    let late = '';
    for (let k = 0; k < REPLAYED; k++) late += line(k);
    roundabout.send(late + 'PING after-the-copies\n');
    await roundabout.waitLine((l) => l === 'PONG after-the-copies', 30_000);
    const ids = new Map<string, number>();
    for (const e of c.of('chat.line')) if (e.kind === 'msg') ids.set(e.id, (ids.get(e.id) ?? 0) + 1);
    const twice = [...ids.values()].filter((n) => n > 1).length;
    expect(twice).toBe(0);
    expect(ids.size).toBe(N);
    // Copies from a neighbour while the flood is this fresh are not a duplicate flood.
    expect(roundabout.closed).toBe(false);
  }, 120_000);
});
