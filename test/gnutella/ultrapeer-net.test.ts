import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, gstatus, openLinks } from './gstatus.js';
import { startGNode, type GNode } from './gnutella-net.js';

/** Queries a node received on all its links (the per-link `in:` counters of /gstatus). */
async function queriesIn(n: GNode): Promise<number> {
  let sum = 0;
  for (const line of [...(await openLinks(n, 'ultrapeer')), ...(await openLinks(n, 'leaf'))]) sum += Number(/in: [^;]*\bquery (\d+)/.exec(line)?.[1] ?? 0);
  return sum;
}
async function search(n: GNode, words: string[]): Promise<void> {
  await n.node.run('files', 'search', ['-p', 'gnutella', ...words]);
}

const UP = { mode: 'ultrapeer' as const, qrpUpdateMs: 300, dqHopMs: 400, perIp: 64, searchMs: 6_000 };
const WORDS = ['apple', 'banana', 'cherry', 'damson', 'elder', 'fig', 'grape', 'hazel', 'iris'];

describe('3 ultrapeers and 10 leaves of ours (QRP, last-hop QRP, dynamic querying)', () => {
  const ups: GNode[] = [];
  const leaves: GNode[] = [];
  beforeAll(async () => {
    ups.push(await startGNode(0, {}, UP));
    ups.push(await startGNode(1, {}, { ...UP, peers: [`127.0.0.1:${ups[0]!.port}`] }));
    ups.push(await startGNode(2, {}, { ...UP, peers: [`127.0.0.1:${ups[0]!.port}`, `127.0.0.1:${ups[1]!.port}`] }));
    for (let i = 0; i < 10; i++) {
      const files = i < WORDS.length ? { [`song_${WORDS[i]}_${i}.mp3`]: `file ${i} `.repeat(100) } : {};
      leaves.push(await startGNode(3 + i, files, { links: 1, peers: [`127.0.0.1:${ups[i % 3]!.port}`], searchMs: 6_000 }));
    }
    // The mesh is full, every leaf's table is at its ultrapeer, every last-hop table has crossed.
    for (const [i, u] of ups.entries()) {
      await eventually(
        async () => {
          const s = await gstatus(u);
          return (await openLinks(u, 'ultrapeer')).filter((l) => l.includes('last-hop qrp')).length === 2 && (s.match(/qrp complete/g) ?? []).length === (i === 0 ? 4 : 3);
        },
        30_000,
        () => gstatus(u),
      );
    }
  }, 90_000);
  afterAll(async () => {
    await Promise.all([...leaves, ...ups].map((n) => n.stop()));
  });

  it("a leaf's search finds a file on a leaf behind another ultrapeer, and the query reaches only the leaf that can answer", async () => {
    const asker = leaves[9]!; // under ups[0]
    const before = await Promise.all(leaves.map(queriesIn));
    await search(asker, ['cherry']); // leaves[2], under ups[2]
    await asker.waitFor(() => asker.of('search.hit').some((h) => h.name === 'song_cherry_2.mp3'), 15_000).catch(async (e: unknown) => {
      console.log(JSON.stringify(asker.of('search.hit')), await gstatus(asker), await gstatus(ups[0]!), await gstatus(ups[2]!), await gstatus(leaves[2]!));
      throw e;
    });
    await new Promise((r) => setTimeout(r, 1_500));
    const after = await Promise.all(leaves.map(queriesIn));
    const got = after.map((n, i) => n - before[i]!);
    expect(got).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    // Last-hop QRP: ups[1] has no leaf with "cherry", so its TTL-1 copy was never sent.
    expect(await gstatus(ups[0]!)).toMatch(/dq "cherry" for leaf #\d+: \d+ sent to \d+ ultrapeers, 1 results/);
  }, 30_000);

  it('a two-word query reaches a leaf only when its table has both words', async () => {
    const asker = leaves[9]!;
    const before = await Promise.all(leaves.map(queriesIn));
    await search(asker, ['song', 'grape']); // both words only on leaves[6]; "song" alone is on nine
    await asker.waitFor(() => asker.of('search.hit').some((h) => h.name === 'song_grape_6.mp3'), 15_000);
    await new Promise((r) => setTimeout(r, 1_500));
    const got = (await Promise.all(leaves.map(queriesIn))).map((n, i) => n - before[i]!);
    expect(got).toEqual([0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
  }, 30_000);
});

describe('dynamic querying (spec 3.5)', () => {
  const nodes: GNode[] = [];
  let hub: GNode;
  let leaf: GNode;
  const around: GNode[] = [];
  beforeAll(async () => {
    hub = await startGNode(0, {}, { ...UP, upLinks: 8, dqLeafResults: 2 });
    nodes.push(hub);
    for (let i = 0; i < 5; i++) {
      const u = await startGNode(1 + i, { [`common_tune_${i}.ogg`]: `tune ${i} `.repeat(50) }, { ...UP, upLinks: 1, peers: [`127.0.0.1:${hub.port}`] });
      around.push(u);
      nodes.push(u);
    }
    leaf = await startGNode(6, {}, { links: 1, peers: [`127.0.0.1:${hub.port}`], searchMs: 6_000 });
    nodes.push(leaf);
    await eventually(async () => (await openLinks(hub, 'ultrapeer')).length === 5 && (await openLinks(hub, 'leaf')).length === 1, 30_000, () => gstatus(hub));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
  });

  it('stops once enough results came: a TTL-1 probe to 3 of 5 ultrapeers gives 3 results for 2 wanted, the other 2 never see the query', async () => {
    await search(leaf, ['common', 'tune']);
    await eventually(async () => /dq "common tune" .*stopped: enough results/.test(await gstatus(hub)), 15_000, () => gstatus(hub));
    await leaf.waitFor(() => leaf.of('search.hit').length === 3, 10_000).catch(async (e: unknown) => {
      console.log(JSON.stringify(leaf.of('search.hit')), await gstatus(leaf), await gstatus(hub));
      throw e;
    });
    const asked = await Promise.all(around.map(queriesIn));
    expect(asked.filter((n) => n === 1)).toHaveLength(3);
    expect(asked.filter((n) => n === 0)).toHaveLength(2);
    expect(await gstatus(hub)).toMatch(/dq "common tune" for leaf #\d+: 3 sent to 3 ultrapeers, 3 results; stopped: enough results \(3 of 2 wanted\)/);
  }, 30_000);

  it('widens one ultrapeer at a time while results are missing, then stops when every ultrapeer was asked', async () => {
    const before = await Promise.all(around.map(queriesIn));
    await search(leaf, ['nowhere', 'found']);
    await eventually(async () => /dq "nowhere found" .*stopped: every ultrapeer queried \(5\)/.test(await gstatus(hub)), 15_000, () => gstatus(hub));
    const after = await Promise.all(around.map(queriesIn));
    expect(after.map((n, i) => n - before[i]!)).toEqual([1, 1, 1, 1, 1]);
  }, 30_000);
});
