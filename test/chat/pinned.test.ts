/**
 * Peers named with --connect are pinned (README "Mesh upkeep"): a pinned peer that is not
 * up yet is dialled with backoff until it links, and dialled again when lost, even when
 * the node already has its three links.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createChatPlugin } from '../../protocols/chat/index.js';
import { startTestNode, type TestNode } from '../testnet.js';
import { chatOpts, link, linked, waitUntil } from './chat-net.js';

const nodes: TestNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

async function chatNode(i: number, extra: Parameters<typeof chatOpts>[0]): Promise<TestNode> {
  const n = await startTestNode(i, () => [createChatPlugin(chatOpts(extra))]);
  nodes.push(n);
  return n;
}

/** A port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

const hasLinkTo = (t: TestNode, nick: string): boolean => t.node.peers().some((p) => p.protocol === 'chat' && p.nick === nick);

describe('--connect peers are pinned', () => {
  it('are retried until they link, and re-dialled when lost, even with three other links', async () => {
    const port = await freePort();
    const pinned = `127.0.0.1:${port}`;
    const b = await chatNode(1, { connect: [pinned] });
    await waitUntil(() => b.of('error').length > 0, 5_000, 'first dial fails');
    expect(b.of('error')[0]!.message).toMatch(new RegExp(`^${pinned}: .*ECONNREFUSED.*\\(will keep trying\\)$`));
    for (let i = 2; i <= 4; i++) await link(b, await chatNode(i, { targetDegree: 0 }));
    expect(linked(b)).toBe(3);

    const a = await chatNode(0, { port, targetDegree: 0 });
    await waitUntil(() => hasLinkTo(b, 'n0'), 20_000, 'b links to the pinned peer once it is up');
    expect(linked(b)).toBe(4);

    await a.stop();
    await waitUntil(() => !hasLinkTo(b, 'n0'), 5_000, 'link lost');
    await chatNode(0, { port, targetDegree: 0 });
    await waitUntil(() => hasLinkTo(b, 'n0'), 20_000, 'b re-dials the pinned peer');
    expect(b.of('error')).toHaveLength(1); // retries are quiet
  }, 60_000);
});
