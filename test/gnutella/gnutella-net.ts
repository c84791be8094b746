import { join } from 'node:path';
import type { Clock } from '../../src/clock.js';
import { createFilesPlugin } from '../../src/search/files-plugin.js';
import { ShareLibrary } from '../../src/share/share-library.js';
import { TransferEngine, type TransferEngineOptions } from '../../src/transfer/transfer-engine.js';
import { createGnutellaPlugin } from '../../protocols/gnutella/index.js';
import type { ServentOptions } from '../../protocols/gnutella/servent.js';
import { shareFixturePlugin } from '../share-fixture.js';
import { portOf, startTestNode, type TestNode } from '../testnet.js';

export interface GNode extends TestNode {
  port: number;
  shareDir: string;
  share: ShareLibrary;
  transfers: TransferEngine;
}

/** A real peerdeck node running the files service and Gnutella on 127.0.0.1, sharing `files`. */
export async function startGNode(
  index: number,
  files: Record<string, Buffer | string>,
  opts: Partial<ServentOptions> = {},
  engine: Partial<TransferEngineOptions> = {},
  clock?: Clock,
): Promise<GNode> {
  let share!: ShareLibrary;
  let transfers!: TransferEngine;
  let shareDir = '';
  const node = await startTestNode(
    index,
    (_i, dataDir) => [
      shareFixturePlugin(join(dataDir, 'share'), files),
      createFilesPlugin(),
      createGnutellaPlugin({ port: 0, host: '127.0.0.1', peers: [], mode: 'leaf', links: 3, maxLeaves: 100, upLinks: 32, promoteAfterMs: 3_600_000, bootstrap: [], deflate: true, searchMs: 4_000, maintainMs: 500, ...opts }),
    ],
    {
      nodeFor: (_i, dataDir) => {
        shareDir = join(dataDir, 'share');
        share = new ShareLibrary({ roots: [shareDir], dataDir });
        transfers = new TransferEngine({ downloadDir: join(dataDir, 'downloads'), ...engine });
        return { share, transfers, ...(clock ? { clock } : {}) };
      },
    },
  );
  await share.whenHashed();
  return Object.assign(node, { port: portOf(node, 'gnutella'), shareDir, share, transfers });
}

/** An ultrapeer and two leaves under it: [up, leaf A (searching), leaf B (sharing `files`)]. */
export async function startLeafNet(files: Record<string, Buffer | string>, opts: Partial<ServentOptions> = {}): Promise<GNode[]> {
  const up = await startGNode(0, {}, { mode: 'ultrapeer', ...opts });
  const peer = [`127.0.0.1:${up.port}`];
  const a = await startGNode(1, {}, { peers: peer, ...opts });
  const b = await startGNode(2, files, { peers: peer, ...opts });
  // Both leaves linked, and B's QRP table complete at the ultrapeer.
  await up.waitFor(() => {
    const s = up.node.snapshot().status.gnutella;
    return (s?.peers ?? 0) === 2;
  }, 20_000);
  return [up, a, b];
}
