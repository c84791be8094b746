import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { GNode } from './gnutella-net.js';
import { startLeafNet } from './gnutella-net.js';
import { eventually, gstatus, linksTo, openLinks } from './gstatus.js';

const sha1 = (b: Buffer): string => createHash('sha1').update(b).digest('hex');

/** A link line's count of QRP messages one way (`in` or `out`), from its `/gstatus` counters. */
function qrpCount(line: string, way: 'in' | 'out'): number {
  const counters = line.split(`; ${way}: `)[1]?.split(';')[0] ?? '';
  return Number(/\bqrp (\d+)/.exec(counters)?.[1] ?? 0);
}

/**
 * Waits until the ultrapeer holds each leaf's whole current QRP table: the link
 * says `qrp complete` and has taken in every QRP message the leaf sent. A leaf
 * linked before its share was scanned first sends an empty table and then a
 * patch with its files; `qrp complete` alone is already true for the empty one,
 * and a query routed then would miss the leaf's files (the patch, deflated
 * off the event loop, can come after the query).
 */
async function qrpReady(up: GNode, leaves: GNode[]): Promise<void> {
  await eventually(
    async () => {
      const upLines = await openLinks(up, 'leaf');
      for (const leaf of leaves) {
        const sent = (await openLinks(leaf, 'ultrapeer')).find((l) => linksTo(l, up.port));
        const got = upLines.find((l) => linksTo(l, leaf.port));
        if (!sent || !got || !got.includes('qrp complete') || qrpCount(sent, 'out') === 0 || qrpCount(got, 'in') !== qrpCount(sent, 'out')) return false;
      }
      return true;
    },
    20_000,
    async () => `${await gstatus(up)}\n${(await Promise.all(leaves.map(gstatus))).join('\n')}`,
  );
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
      const [up, a, b] = net as [GNode, GNode, GNode];
      await qrpReady(up, [a, b]);
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
    await qrpReady(up, [a, b]);
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
