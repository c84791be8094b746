/**
 * The Flooder (dedup + hops + never back to the source) over random graphs without
 * sockets: every link is an in-memory pipe, and traffic is processed round by round, so
 * the first copy of a message to reach a node came along a shortest path.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import type { Connection } from '../../src/net/connection.js';
import { parseLine } from '../../protocols/chat/codec.js';
import { Flooder, type Delivery } from '../../protocols/chat/flooder.js';
import type { ChatFrame } from '../../protocols/chat/frame-decoder.js';
import { parseFloodBytes } from '../../protocols/chat/flood-bytes.js';
import { Link } from '../../protocols/chat/link.js';
import { isFlood } from '../../protocols/chat/messages.js';

interface SimNode {
  flooder: Flooder;
  links: Link[];
  delivered: Delivery[];
}

function simulate(n: number, edges: Array<[number, number]>, hops: number) {
  const clock = new ManualClock();
  const wire: Array<{ to: number; via: Link; data: Buffer | string }> = [];
  const nodes: SimNode[] = [];
  for (let i = 0; i < n; i++) {
    const node: SimNode = { links: [], delivered: [], flooder: undefined as unknown as Flooder };
    node.flooder = new Flooder({
      node: `node${i}`,
      hops,
      seenMax: 10_000,
      seenTtlMs: 60_000,
      dupWindowMs: 10_000,
      dupSlack: 64,
      highWater: 1 << 30,
      clock,
      links: () => node.links,
      deliver: (d) => node.delivered.push(d),
    });
    nodes.push(node);
  }
  for (const [a, b] of edges) {
    // Each end has its own Link; sending on one arrives at the other.
    const pipe = (to: number, back: () => Link): Connection<ChatFrame> =>
      ({ send: (data: Buffer | string) => (wire.push({ to, via: back(), data }), true), queuedBytes: 0, closed: false, address: `sim:${to}` }) as unknown as Connection<ChatFrame>;
    let la: Link | undefined;
    let lb: Link | undefined;
    la = new Link(pipe(b, () => lb!), 0);
    lb = new Link(pipe(a, () => la!), 0);
    la.state = 'ready';
    lb.state = 'ready';
    nodes[a]!.links.push(la);
    nodes[b]!.links.push(lb);
  }
  const run = async (): Promise<void> => {
    for (;;) {
      await new Promise((r) => setImmediate(r)); // let batched lines flush onto the wire
      if (wire.length === 0) return;
      for (const { to, via, data } of wire.splice(0)) {
        for (const line of data.toString().split('\n').filter(Boolean)) {
          // Every other line takes the relay's byte path (forwarded as received), the rest the general parser.
          const w = line.charCodeAt(5) % 2 === 0 ? parseFloodBytes(Buffer.from(line)) : undefined;
          const m = w?.message ?? parseLine(line);
          if (!isFlood(m)) throw new Error('not a flood line');
          expect(w === undefined || JSON.stringify(w.message) === JSON.stringify(parseLine(line))).toBe(true);
          const err = nodes[to]!.flooder.receive(via, m, w);
          if (err) throw err;
        }
      }
    }
  };
  return { nodes, run };
}

function distances(n: number, edges: Array<[number, number]>, from: number): number[] {
  const adj = Array.from({ length: n }, () => [] as number[]);
  for (const [a, b] of edges) {
    adj[a]!.push(b);
    adj[b]!.push(a);
  }
  const d = new Array<number>(n).fill(Infinity);
  d[from] = 0;
  const q = [from];
  while (q.length) {
    const x = q.shift()!;
    for (const y of adj[x]!) if (d[y] === Infinity) (d[y] = d[x]! + 1), q.push(y);
  }
  return d;
}

const graph = fc.integer({ min: 2, max: 12 }).chain((n) =>
  fc
    .tuple(
      fc.tuple(...Array.from({ length: n - 1 }, (_, i) => fc.nat({ max: i }))),
      fc.array(fc.tuple(fc.nat({ max: n - 1 }), fc.nat({ max: n - 1 })), { maxLength: 2 * n }),
    )
    .map(([tree, extra]) => {
      const seen = new Set<string>();
      const edges: Array<[number, number]> = [];
      const add = (a: number, b: number): void => {
        const k = `${Math.min(a, b)}-${Math.max(a, b)}`;
        if (a !== b && !seen.has(k)) seen.add(k), edges.push([a, b]);
      };
      tree.forEach((p, i) => add(i + 1, p));
      for (const [a, b] of extra) add(a, b);
      return { n, edges };
    }),
);

describe('flooding over random graphs (in memory)', () => {
  it('every node delivers every message exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(graph, fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), async ({ n, edges }, senders) => {
        const sim = simulate(n, edges, 16);
        senders.forEach((s, k) => sim.nodes[s % n]!.flooder.originate({ type: 'MSG', id: `message${k}`.padEnd(16, '0'), hopsLeft: 16, origin: `node${s % n}`, at: k, nick: 'x', text: `t${k}` }));
        await sim.run();
        for (const node of sim.nodes) {
          expect(node.delivered.map((d) => d.message.id).sort()).toEqual(senders.map((_, k) => `message${k}`.padEnd(16, '0')).sort());
        }
      }),
      { numRuns: 150 },
    );
  });

  it('with a hop limit h, a node gets a message iff it is at most h links away', async () => {
    await fc.assert(
      fc.asyncProperty(graph, fc.nat(), fc.integer({ min: 1, max: 5 }), async ({ n, edges }, s, h) => {
        const sim = simulate(n, edges, h);
        const from = s % n;
        sim.nodes[from]!.flooder.originate({ type: 'MSG', id: 'limitedmessage01', hopsLeft: h, origin: `node${from}`, at: 0, nick: 'x', text: 'y' });
        await sim.run();
        const d = distances(n, edges, from);
        sim.nodes.forEach((node, i) => {
          expect(node.delivered.length).toBe(d[i]! <= h ? 1 : 0);
          if (i !== from && d[i]! <= h) expect(node.delivered[0]!.hops).toBe(d[i]);
        });
      }),
      { numRuns: 150 },
    );
  });
});
