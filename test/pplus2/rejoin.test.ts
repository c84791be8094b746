import { afterEach, describe, expect, it, vi } from 'vitest';
import { PeerdeckNode } from '../../src/node.js';
import { createPplus2Plugin } from '../../protocols/pplus2/index.js';
import { tempDir } from '../share/helpers.js';
import { startP2Node, type P2Node } from './pplus2-net.js';

describe('P+2 peer persistence', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('a restarted node knows the peers it met before, without --pplus2-peer', async () => {
    const a: P2Node = await startP2Node(0, { 'x.txt': 'x' });
    cleanups.push(() => a.stop());
    const t = await tempDir('peerdeck-rejoin-');
    cleanups.push(t.cleanup);
    const makeNode = (peers: string[]): PeerdeckNode =>
      new PeerdeckNode({ dataDir: t.dir, nick: 'b', plugins: [createPplus2Plugin({ port: 0, host: '127.0.0.1', peers })] });
    const b1 = makeNode([`127.0.0.1:${a.port}`]);
    await b1.start();
    const b1Port = b1.snapshot().ports.pplus2;
    // A learns B1 from B1's peer-list request: the exchange is complete.
    await vi.waitFor(async () => expect(await a.node.run('pplus2', 'known', [])).toContain(`127.0.0.1:${b1Port}`));
    await b1.stop();
    const b2 = makeNode([]);
    cleanups.push(() => b2.stop());
    await b2.start();
    // Other test files run P+2 nodes at the same time; one that reaches A (a reused port) is
    // passed on to B1 as well, so B2 may know more than A. What matters is that it knows A.
    expect(await b2.run('pplus2', 'known', [])).toContain(`127.0.0.1:${a.port}`);
  });

  it('a node restarted on a new port replaces its old address at once; another node of that host stays', async () => {
    const a: P2Node = await startP2Node(0, { 'x.txt': 'x' });
    cleanups.push(() => a.stop());
    // C: another node on the same host (127.0.0.1), alive all along.
    const c: P2Node = await startP2Node(2, {}, { peers: [`127.0.0.1:${a.port}`] });
    cleanups.push(() => c.stop());
    const t = await tempDir('peerdeck-moved-');
    cleanups.push(t.cleanup);
    const makeNode = (peers: string[]): PeerdeckNode =>
      new PeerdeckNode({ dataDir: t.dir, nick: 'b', plugins: [createPplus2Plugin({ port: 0, host: '127.0.0.1', peers })] });
    const known = async (): Promise<string[]> => (await a.node.run('pplus2', 'known', [])).join('\n').match(/127\.0\.0\.1:\d+/g) ?? [];
    const b1 = makeNode([`127.0.0.1:${a.port}`]);
    await b1.start();
    const old = `127.0.0.1:${b1.snapshot().ports.pplus2}`;
    await vi.waitFor(async () => expect(await known()).toEqual(expect.arrayContaining([old, `127.0.0.1:${c.port}`])));
    await b1.stop();
    // B again, from the same data dir, on new ports: it knows A and announces itself to it at start.
    const b2 = makeNode([]);
    cleanups.push(() => b2.stop());
    await b2.start();
    const now = `127.0.0.1:${b2.snapshot().ports.pplus2}`;
    if (now === old) return; // the same ports came back: nothing moved (rare)
    // At once: A asks each known peer in turn, one every 10 s, and dropped one after 3 failures.
    await vi.waitFor(async () => expect(await known()).toContain(now), { timeout: 5_000 });
    await vi.waitFor(async () => expect(await known()).not.toContain(old), { timeout: 3_000 });
    expect(await known()).toContain(`127.0.0.1:${c.port}`);
  });
});
