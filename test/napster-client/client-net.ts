import { join } from 'node:path';
import { ShareLibrary } from '../../src/share/share-library.js';
import { TransferEngine, type TransferEngineOptions } from '../../src/transfer/transfer-engine.js';
import { createFilesPlugin, FILES_PLUGIN } from '../../src/search/files-plugin.js';
import { createNapsterPlugin } from '../../protocols/napster/index.js';
import type { NapsterClientOptions } from '../../protocols/napster/client-service.js';
import { shareFixturePlugin } from '../share-fixture.js';
import { startTestNode, type TestNode } from '../testnet.js';

export interface NapNode extends TestNode {
  shareDir: string;
  downloads: string;
  share: ShareLibrary;
  transfers: TransferEngine;
  run(cmd: string, ...args: string[]): Promise<string[]>;
  /** `/get N` through the core's files service. */
  get(n: number): Promise<string[]>;
  /** The result numbers of this node's hits, by name. */
  hit(name: string): number;
}

/** Short timeouts so tests of unanswered requests do not wait half a minute. */
export const TEST_TIMEOUTS = { silenceMs: 150_000, loginMs: 5_000, requestMs: 4_000, pushMs: 4_000, searchMs: 4_000, queryMs: 4_000, grantMs: 10_000, dataHandshakeMs: 4_000 };

/** One real node running the transfers plugin and the Napster client, sharing `files` from a temp folder. */
export async function startNapNode(
  nick: string,
  files: Record<string, Buffer | string>,
  opts: Partial<NapsterClientOptions> & { engine?: Partial<TransferEngineOptions> } = {},
): Promise<NapNode> {
  let share!: ShareLibrary;
  let transfers!: TransferEngine;
  let shareDir = '';
  let downloads = '';
  const { engine, ...client } = opts;
  const node = await startTestNode(0, (_i, dataDir) => {
    return [
      shareFixturePlugin(join(dataDir, 'share'), files),
      createFilesPlugin(),
      createNapsterPlugin({ client: { servers: [], nick, password: `${nick}pw`, timeouts: TEST_TIMEOUTS, ...client } }),
    ];
  }, {
    nodeFor: (_i, dataDir) => {
      shareDir = join(dataDir, 'share');
      downloads = join(dataDir, 'downloads');
      share = new ShareLibrary({ roots: [shareDir], dataDir });
      transfers = new TransferEngine({ downloadDir: downloads, stallMs: 10_000, ...engine });
      return { share, transfers };
    },
  });
  await share.whenHashed();
  return Object.assign(node, {
    shareDir,
    downloads,
    share,
    transfers,
    run: (cmd: string, ...args: string[]) => node.node.run('napster', cmd, args),
    get: (n: number) => node.node.run(FILES_PLUGIN, 'get', [String(n)]),
    hit: (name: string) => {
      const h = node.of('search.hit').filter((e) => e.name === name).pop();
      if (!h) throw new Error(`no hit named ${name}`);
      return h.n;
    },
  });
}
