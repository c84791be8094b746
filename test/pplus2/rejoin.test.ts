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
});
