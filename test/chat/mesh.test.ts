import { afterEach, describe, expect, it } from 'vitest';
import type { Testnet, TestNode } from '../testnet.js';
import { addrOf, chatNet, lines, linked, settle, waitUntil } from './chat-net.js';

let net: Testnet | undefined;
afterEach(async () => {
  await net?.stop();
  net = undefined;
});

/**
 * Waits until `done()` holds, as long as `progress()` keeps moving: a mesh of a dozen nodes in
 * one test process on a loaded machine is slow, not stuck, and a fixed deadline failed it (once,
 * under the load of four test suites). It fails when nothing has moved for `stallMs`.
 */
async function waitWhileMoving(done: () => boolean, progress: () => number, stallMs: number, what: string): Promise<void> {
  let last = progress();
  let movedAt = Date.now();
  while (!done()) {
    await new Promise((r) => setTimeout(r, 20));
    const now = progress();
    if (now !== last) [last, movedAt] = [now, Date.now()];
    else if (Date.now() - movedAt > stallMs) throw new Error(`${what}: nothing moved for ${stallMs} ms`);
  }
}

/**
 * Waits until `count()` has not changed for `quietMs` (at least that long): what is still in
 * flight lands before a test asserts that nothing more came. A fixed pause let a late copy
 * arrive after the check when the machine was busy.
 */
async function quiet(count: () => number, quietMs = 300): Promise<void> {
  let last = count();
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    await settle(20);
    const now = count();
    if (now !== last) [last, since] = [now, Date.now()];
  }
}

/** Links of every node together (a handshake that finishes moves it). */
const allLinks = (nodes: TestNode[]): number => nodes.reduce((sum, n) => sum + linked(n), 0);

/**
 * Links the edges [a, b] (a dials b) and waits until every node has its degree (at least
 * that degree when mesh maintenance may add links of its own).
 */
async function build(nodes: TestNode[], edges: Array<[number, number]>, exact = true): Promise<void> {
  const degree = new Array<number>(nodes.length).fill(0);
  for (const [a, b] of edges) {
    degree[a]!++;
    degree[b]!++;
  }
  await Promise.all(edges.map(([a, b]) => nodes[a]!.node.run('chat', 'connect', [addrOf(nodes[b]!)])));
  await waitWhileMoving(() => nodes.every((n, i) => (exact ? linked(n) === degree[i] : linked(n) >= degree[i]!)), () => allLinks(nodes), 10_000, 'topology');
}

/** Every node says one line; every node must show every line exactly once. */
async function everyoneSaysOnce(nodes: TestNode[]): Promise<void> {
  const base = nodes.map((n) => lines(n).length);
  const shown = (): number => nodes.reduce((sum, n) => sum + lines(n).length, 0);
  for (const n of nodes) await n.node.run('chat', 'say', [`hello from ${n.index}`]);
  await waitWhileMoving(() => nodes.every((n, i) => lines(n).length - base[i]! >= nodes.length), shown, 15_000, 'all lines delivered');
  await quiet(shown);
  for (const [i, n] of nodes.entries()) {
    const got = lines(n).slice(base[i]);
    expect(got).toHaveLength(nodes.length);
    expect(new Set(got.map((l) => l.id)).size).toBe(nodes.length);
    expect(new Set(got.map((l) => l.text))).toEqual(new Set(nodes.map((x) => `hello from ${x.index}`)));
    const own = got.filter((l) => l.self);
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({ hops: 0, text: `hello from ${n.index}`, nick: `n${n.index}` });
  }
}

/** A seeded random connected graph with extra edges (so it has cycles). */
function randomGraph(n: number, extra: number, seed: number): Array<[number, number]> {
  let s = seed;
  const rnd = (k: number): number => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s % k;
  };
  const edges = new Set<string>();
  const out: Array<[number, number]> = [];
  const add = (a: number, b: number): void => {
    const key = `${Math.min(a, b)}-${Math.max(a, b)}`;
    if (a === b || edges.has(key)) return;
    edges.add(key);
    out.push([a, b]);
  };
  for (let i = 1; i < n; i++) add(i, rnd(i)); // spanning tree
  while (out.length < n - 1 + extra) add(rnd(n), rnd(n));
  return out;
}

describe('chat mesh over real sockets', () => {
  it('a ring of 10 nodes shows every line exactly once everywhere', async () => {
    net = await chatNet(10, () => ({ targetDegree: 0 }));
    await build(net.nodes, net.nodes.map((_, i) => [i, (i + 1) % 10] as [number, number]));
    await everyoneSaysOnce(net.nodes);
  });

  it('a line of 10 nodes shows every line exactly once everywhere', async () => {
    net = await chatNet(10, () => ({ targetDegree: 0 }));
    await build(net.nodes, net.nodes.slice(1).map((_, i) => [i, i + 1] as [number, number]));
    await everyoneSaysOnce(net.nodes);
    expect(lines(net.nodes[9]!).find((l) => l.nick === 'n0')).toMatchObject({ hops: 9 });
  });

  // One test per graph, each with its own time (the two shared 30 s, a budget a loaded machine
  // could spend on one of them); the waits inside fail only when the mesh stops moving.
  it.each([7, 42])('random graphs with cycles (12 nodes, seed %i) show every line exactly once everywhere', { timeout: 90_000 }, async (seed) => {
    net = await chatNet(12, () => ({ targetDegree: 0 }));
    await build(net.nodes, randomGraph(12, 8, seed));
    await everyoneSaysOnce(net.nodes);
  });

  it('honours the hop limit on a line of nodes', async () => {
    net = await chatNet(6, () => ({ targetDegree: 0, hops: 3 }));
    const n = net.nodes;
    await build(n, [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5]]);
    await n[0]!.node.run('chat', 'say', ['far away']);
    await waitUntil(() => lines(n[3]!).length === 1, 5_000, 'node 3 gets it');
    await n[5]!.node.run('chat', 'say', ['from the other end']);
    await waitUntil(() => lines(n[2]!).some((l) => l.text === 'from the other end'), 5_000, 'node 2 gets it');
    await settle();
    expect(n.map((x) => lines(x).filter((l) => l.text === 'far away').length)).toEqual([1, 1, 1, 1, 0, 0]);
    expect(n.map((x) => lines(x).filter((l) => l.text === 'from the other end').length)).toEqual([0, 0, 1, 1, 1, 1]);
    expect(lines(n[3]!)[0]).toMatchObject({ hops: 3, self: false, nick: 'n0' });
  });

  it('routes around a killed node by re-dialling its neighbours', async () => {
    // Two triangles joined only through node 6, which is then killed.
    net = await chatNet(7, () => ({ targetDegree: 3 }));
    const n = net.nodes;
    await build(n, [[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [0, 6], [1, 6], [2, 6], [3, 6], [4, 6], [5, 6]], false);
    await n[6]!.stop();
    const rest = n.slice(0, 6);
    await waitUntil(() => rest.every((x) => x.of('peer.down').length >= 1), 5_000, 'node 6 seen dead');
    // Each survivor lost a link (3 -> 2 < target 3) and dials the dead node's neighbours.
    await waitUntil(() => rest.every((x) => linked(x) >= 3), 15_000, 're-dial');
    await everyoneSaysOnce(rest);
  });

  it('two nodes whose only path died find each other through what the dead hub told them', async () => {
    net = await chatNet(3, (i) => ({ targetDegree: i === 1 ? 0 : 1, timeouts: { maintenanceMs: 60_000 } }));
    const [a, hub, c] = net.nodes as [TestNode, TestNode, TestNode];
    await build(net.nodes, [[0, 1], [2, 1]]);
    await hub.stop();
    await waitUntil(() => linked(a) === 1 && linked(c) === 1, 10_000, 'a and c linked directly');
    expect(a.node.peers()[0]!.nick).toBe('n2');
    await a.node.run('chat', 'say', ['still here']);
    await waitUntil(() => lines(c).some((l) => l.text === 'still here'), 5_000, 'c hears a');
  });

  it('a full node refuses with other addresses, and the refused node links there instead', async () => {
    net = await chatNet(3, (i) => ({ targetDegree: i === 2 ? 1 : 0, maxInbound: i === 0 ? 1 : 32 }));
    const [a, b, c] = net.nodes as [TestNode, TestNode, TestNode];
    await build(net.nodes, [[1, 0]]);
    await c.node.run('chat', 'connect', [addrOf(a)]);
    await waitUntil(() => linked(c) === 1, 10_000, 'c linked elsewhere');
    expect(c.node.peers()[0]!.nick).toBe('n1');
    expect(c.of('error')[0]!.message).toMatch(/LIMIT: .*inbound link limit \(1\)/);
    await a.node.run('chat', 'say', ['via b']);
    await waitUntil(() => lines(c).some((l) => l.text === 'via b'), 5_000, 'c hears a through b');
    expect(linked(b)).toBe(2);
  });

  it('own lines, actions, nick changes, joins and parts reach the others', async () => {
    net = await chatNet(3, () => ({ targetDegree: 0 }));
    const [a, b, c] = net.nodes as [TestNode, TestNode, TestNode];
    await build(net.nodes, [[0, 1], [1, 2]]);
    await waitUntil(() => lines(c, 'join').length >= 2, 5_000, 'joins');
    expect(lines(c, 'join').filter((l) => l.self)).toMatchObject([{ nick: 'n2', hops: 0 }]);
    await a.node.run('chat', 'me', ['waves']);
    await a.node.run('chat', 'nick', ['alice']);
    await a.node.run('chat', 'say', ['hi as alice']);
    await waitUntil(() => lines(c).length === 1, 5_000, 'msg');
    expect(lines(c, 'action')[0]).toMatchObject({ nick: 'n0', text: 'waves', hops: 2 });
    expect(lines(c, 'nick')[0]).toMatchObject({ nick: 'n0', text: 'alice' });
    expect(lines(c)[0]).toMatchObject({ nick: 'alice', text: 'hi as alice' });
    expect(a.of('nick')).toEqual([{ type: 'nick', nick: 'alice' }]);
    expect(b.node.peers().find((p) => p.nick === 'alice')).toBeDefined();
    await a.stop();
    await waitUntil(() => lines(c, 'part').length === 1, 5_000, 'part');
    expect(lines(c, 'part')[0]).toMatchObject({ nick: 'alice', text: 'quit' });
    await waitUntil(() => b.of('peer.down').length === 1, 5_000, 'peer.down');
    expect(b.of('peer.down')[0]).toMatchObject({ protocol: 'chat', direction: 'in' });
    await expect(b.node.run('chat', 'nick', ['two words'])).rejects.toMatchObject({ code: 'USAGE' });
    await expect(b.node.run('chat', 'say', [''])).rejects.toMatchObject({ code: 'USAGE' });
    await expect(b.node.run('chat', 'say', ['x'.repeat(17_000)])).rejects.toMatchObject({ code: 'USAGE', message: expect.stringContaining('too long') });
    await expect(b.node.run('chat', 'connect', ['nowhere'])).rejects.toMatchObject({ code: 'USAGE' });
    expect(b.node.snapshot().status.chat).toMatchObject({ peers: 1 });
  });
});
