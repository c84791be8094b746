import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { GNode } from './gnutella-net.js';
import { startLeafNet } from './gnutella-net.js';

const sha1 = (b: Buffer): string => createHash('sha1').update(b).digest('hex');

async function qrpReady(up: GNode): Promise<void> {
  await up.waitFor(() => false, 1).catch(() => undefined);
  for (let i = 0; i < 200; i++) {
    const lines = await up.node.run('gnutella', 'gstatus', []);
    if (lines.filter((l) => l.includes('qrp complete')).length === 2) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('QRP tables did not arrive');
}

describe('a Gnutella test network: one ultrapeer, two leaves', () => {
  const nodes: GNode[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });

  for (const deflate of [true, false]) {
    it(`a leaf finds the other leaf's file and downloads it byte-identical and verified (${deflate ? 'compressed' : 'plain'} links)`, async () => {
      const data = randomBytes(300_000);
      const net = await startLeafNet({ 'interop_alpha_test.bin': data, 'other.txt': 'nothing' }, { deflate });
      nodes.push(...net);
      const [up, a] = net as [GNode, GNode, GNode];
      await qrpReady(up);
      const status = await up.node.run('gnutella', 'gstatus', []);
      expect(status.filter((l) => l.includes(deflate ? 'deflate in+out' : 'plain'))).toHaveLength(2);

      await a.node.run('files', 'search', ['-p', 'gnutella', 'interop', 'alpha']);
      await a.waitFor(() => a.of('search.hit').length > 0, 15_000);
      const hit = a.of('search.hit')[0]!;
      expect(hit).toMatchObject({ protocol: 'gnutella', name: 'interop_alpha_test.bin', size: data.length, sha1: sha1(data) });
      expect(hit.firewalled ?? false).toBe(false);

      await a.node.run('files', 'get', [String(hit.n)]);
      await a.waitFor(() => a.of('transfer.done').length === 1 || a.of('transfer.failed').length > 0, 20_000);
      expect(a.of('transfer.failed')).toEqual([]);
      const done = a.of('transfer.done')[0]!;
      expect(done.sha1).toBe(sha1(data));
      expect((await readFile(done.path)).equals(data)).toBe(true);
    });
  }

  it('a 20 MB file served in 512 KiB pieces (as gtk-gnutella does) downloads complete and verified', async () => {
    const data = randomBytes(20 * 1024 * 1024);
    const net = await startLeafNet({ 'big_piece_test.bin': data }, { maxPieceBytes: 512 * 1024 });
    nodes.push(...net);
    const [up, a, b] = net as [GNode, GNode, GNode];
    await qrpReady(up);
    await a.node.run('files', 'search', ['-p', 'gnutella', 'big', 'piece']);
    await a.waitFor(() => a.of('search.hit').length > 0, 15_000);
    await a.node.run('files', 'get', [String(a.of('search.hit')[0]!.n)]);
    await a.waitFor(() => a.of('transfer.done').length === 1 || a.of('transfer.failed').length > 0, 120_000);
    expect(a.of('transfer.failed')).toEqual([]);
    const done = a.of('transfer.done')[0]!;
    expect(done.bytes).toBe(data.length);
    expect(done.sha1).toBe(sha1(data));
    expect((await readFile(done.path)).equals(data)).toBe(true);
    // The sharer answered 40 ranged requests, not one.
    expect(b.of('transfer.done').filter((d) => d.direction === 'up')).toHaveLength(40);
  }, 180_000);
});
