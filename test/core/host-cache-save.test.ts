import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { PeerdeckNode } from '../../src/node.js';
import type { PluginContext, ProtocolPlugin } from '../../src/plugin.js';
import { tempDir } from '../share/helpers.js';

describe('host caches are saved while running', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('a learned peer reaches the data dir within 30 s, without a clean stop (kill -9 forgets little)', async () => {
    const t = await tempDir('peerdeck-hostsave-');
    cleanups.push(t.cleanup);
    const clock = new ManualClock(1_000_000);
    let ctx: PluginContext | undefined;
    const plugin: ProtocolPlugin = {
      name: 'learner',
      commands: [],
      async start(c) {
        ctx = c;
      },
      async stop() {},
      async run() {
        return [];
      },
      status: () => ({ ports: {}, peers: 0 }),
    };
    const node = new PeerdeckNode({ dataDir: t.dir, nick: 'n', plugins: [plugin], clock });
    cleanups.push(() => node.stop());
    await node.start();
    const hosts = await ctx!.hostCache();
    hosts.add('127.0.0.1:6346');
    const file = join(t.dir, 'hosts-learner.json');
    await expect(readFile(file, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
    clock.advance(30_000);
    await vi.waitFor(async () => expect(JSON.parse(await readFile(file, 'utf8')).hosts).toMatchObject([{ addr: '127.0.0.1:6346' }]));
  });
});
