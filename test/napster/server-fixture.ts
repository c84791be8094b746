/** Starts a real Napster server (the plugin in a PeerdeckNode) on 127.0.0.1 port 0 for tests. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createNapsterPlugin } from '../../protocols/napster/index.js';
import { DEFAULT_SERVER_OPTIONS, type NapsterServerOptions } from '../../protocols/napster/options.js';
import { startTestNode, type TestNode } from '../testnet.js';

/** A cheap scrypt cost so tests log in quickly (production uses N = 2^14). */
export const TEST_HASH_COST = { N: 1024, r: 8, p: 1 };

export interface ServerFixture {
  port: number;
  node: TestNode;
  stop(): Promise<void>;
}

export async function startServer(opts: Partial<NapsterServerOptions> & { slowReaderGraceMs?: number } = {}): Promise<ServerFixture> {
  const node = await startTestNode(0, (_i, dir) => [
    createNapsterPlugin({
      server: { ...DEFAULT_SERVER_OPTIONS, port: 0, host: '127.0.0.1', name: 'localhost', ...opts, hashCost: TEST_HASH_COST },
    }),
  ]);
  const port = node.node.snapshot().ports.napster;
  if (!port) throw new Error('no napster port');
  return { port, node, stop: () => node.stop() };
}

/** Writes the transcript server's MOTD and admin files into a directory. */
export async function transcriptFiles(dir: string): Promise<{ motdFile: string; adminFile: string }> {
  const motdFile = join(dir, 'motd.txt');
  const adminFile = join(dir, 'admin.txt');
  await writeFile(motdFile, 'Welcome to the loopback OpenNap test server.\nThis server is private to 127.0.0.1.\n');
  await writeFile(adminFile, 'napadmin adminpw\n');
  return { motdFile, adminFile };
}
