import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Clock } from '../../src/clock.js';
import type { NodeOptions } from '../../src/node.js';
import type { ProtocolPlugin } from '../../src/plugin.js';
import { ShareLibrary } from '../../src/share/share-library.js';
import { TransferEngine, type TransferEngineOptions } from '../../src/transfer/transfer-engine.js';
import { createFilesPlugin } from '../../src/search/files-plugin.js';
import { createPplus2Plugin, type Pplus2PluginOptions } from '../../protocols/pplus2/index.js';
import { shareFixturePlugin } from '../share-fixture.js';
import { portOf, startTestNode, type TestNode } from '../testnet.js';

export interface P2Node extends TestNode {
  port: number;
  shareDir: string;
  downloads: string;
  share: ShareLibrary;
  transfers: TransferEngine;
}

/**
 * Starts one real peerdeck node running the files service and P+2 on
 * 127.0.0.1 (three free consecutive ports), sharing `files` from its own temp folder.
 */
export async function startP2Node(
  index: number,
  files: Record<string, Buffer | string>,
  opts: {
    peers?: string[];
    clock?: Clock;
    engine?: Partial<TransferEngineOptions>;
    pplus2?: Partial<Pplus2PluginOptions>;
    /** More plugins after P+2 (another file protocol). */
    extra?: ProtocolPlugin[];
    search?: NodeOptions['search'];
    /** Downloads go into the shared folder (which the share library then knows and hashes). */
    downloadsShared?: boolean;
  } = {},
): Promise<P2Node> {
  let share!: ShareLibrary;
  let transfers!: TransferEngine;
  let shareDir = '';
  let downloads = '';
  const node = await startTestNode(
    index,
    (_i, dataDir) => {
      return [
        shareFixturePlugin(join(dataDir, 'share'), files),
        createFilesPlugin(),
        createPplus2Plugin({ port: 0, host: '127.0.0.1', peers: opts.peers ?? [], ...opts.pplus2 }),
        ...(opts.extra ?? []),
      ];
    },
    {
      node: { ...(opts.clock ? { clock: opts.clock } : {}), ...(opts.search ? { search: opts.search } : {}) },
      nodeFor: (_i, dataDir) => {
        shareDir = join(dataDir, 'share');
        downloads = opts.downloadsShared ? shareDir : join(dataDir, 'downloads');
        share = new ShareLibrary({ roots: [shareDir], dataDir, ...(opts.clock ? { clock: opts.clock } : {}) });
        transfers = new TransferEngine({ downloadDir: downloads, ...(opts.clock ? { clock: opts.clock } : {}), ...opts.engine });
        return { share, transfers };
      },
    },
  );
  await share.whenHashed();
  return Object.assign(node, { port: portOf(node, 'pplus2'), shareDir, downloads, share, transfers });
}

/** Three raw TCP servers on consecutive ports p, p+1, p+2 (a scripted fake P+2 peer). */
export async function fakePeer(handlers: [(s: Socket) => void, (s: Socket) => void, (s: Socket) => void]): Promise<{ port: number; close(): Promise<void> }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const servers: Server[] = [];
    try {
      const first = await listen(0, handlers[0]);
      servers.push(first);
      const p = (first.address() as { port: number }).port;
      servers.push(await listen(p + 1, handlers[1]));
      servers.push(await listen(p + 2, handlers[2]));
      const sockets = new Set<Socket>();
      for (const s of servers) s.on('connection', (c: Socket) => (sockets.add(c), c.on('close', () => sockets.delete(c))));
      return {
        port: p,
        close: async () => {
          for (const c of sockets) c.destroy();
          await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
        },
      };
    } catch {
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    }
  }
  throw new Error('no three consecutive free ports');
}

function listen(port: number, handler: (s: Socket) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer((c) => {
      c.on('error', () => c.destroy());
      handler(c);
    });
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}
