/**
 * `--chat-degree N` (README "All flags"): the links a chat node keeps beyond the peers it was
 * told to `--connect` to. Three real nodes dialled as a line, C <- B <- A, close the triangle
 * by default (each wants 3 links and learns the third node's address from B); with
 * `--chat-degree 1` they stay a line, which is what the chain figure of `chat-relay` measures.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { chatPort, startCli, type CliNode } from './cli-process.js';

const nodes: CliNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.cleanup()));
});

const base = ['--chat-port', '0', '--chat-host', '127.0.0.1', '--no-discovery'];

/** Starts C, then B dialling C, then A dialling B; returns A, linked to B. */
async function line(extra: string[]): Promise<CliNode> {
  const start = async (args: string[]): Promise<CliNode> => {
    const n = await startCli([...base, ...extra, ...args]);
    nodes.push(n);
    await n.waitEvent((e) => e.type === 'ready');
    return n;
  };
  const c = await start(['--nick', 'c']);
  const b = await start(['--nick', 'b', '--connect', `127.0.0.1:${chatPort(c)}`]);
  await b.waitEvent((e) => e.type === 'peer.up');
  const a = await start(['--nick', 'a', '--connect', `127.0.0.1:${chatPort(b)}`]);
  await a.waitEvent((e) => e.type === 'peer.up');
  return a;
}

const chatLinks = (n: CliNode): number => n.events.filter((e) => e.type === 'peer.up' && e.protocol === 'chat').length;

describe('--chat-degree', () => {
  it('three nodes dialled as a line close the triangle by default', async () => {
    const a = await line([]);
    const t0 = Date.now();
    while (chatLinks(a) < 2 && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 100));
    expect(chatLinks(a)).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('with --chat-degree 1 they stay a line, past a maintenance tick', async () => {
    const a = await line(['--chat-degree', '1']);
    await new Promise((r) => setTimeout(r, 6_500)); // the maintainer ticks every 5 s
    expect(chatLinks(a)).toBe(1);
  }, 60_000);
});
