import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppEvent } from '../../src/app-api.js';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import type { PluginContext } from '../../src/plugin.js';
import { ShareLibrary } from '../../src/share/share-library.js';
import { TransferEngine } from '../../src/transfer/transfer-engine.js';
import { createTransfersPlugin } from '../../src/transfer/transfers-plugin.js';
import { tempDir } from '../share/helpers.js';
import { silentSource } from './sources.js';

describe('transfers pseudo-plugin', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let share: ShareLibrary;
  let transfers: TransferEngine;
  let plugin: ReturnType<typeof createTransfersPlugin>;
  const events: AppEvent[] = [];

  beforeEach(async () => {
    t = await tempDir('peerdeck-tp-');
    const root = join(t.dir, 'share');
    await mkdir(root);
    await writeFile(join(root, 'a.txt'), 'abc');
    share = new ShareLibrary({ roots: [root] });
    transfers = new TransferEngine({ downloadDir: join(t.dir, 'dl') });
    plugin = createTransfersPlugin({ share, transfers });
    const ctx = { clock: systemClock, log: silentLogger, dataDir: t.dir, nick: 'x', emit: (e: AppEvent) => events.push(e) } as unknown as PluginContext;
    await plugin.start(ctx);
  });
  afterEach(async () => {
    await plugin.stop();
    await t.cleanup();
  });

  it('forwards share.ready and runs /rescan, /shares', async () => {
    expect(events).toContainEqual({ type: 'share.ready', files: 1, bytes: 3 });
    await writeFile(join(share.roots[0]!, 'b.txt'), 'de');
    expect(await plugin.run('rescan', [])).toEqual(['sharing 2 files, 5 B']);
    expect((await plugin.run('shares', [])).join('\n')).toMatch(/2 files, 5 B/);
  });

  it('lists, cancels and retries downloads; refuses bad ids', async () => {
    expect(await plugin.run('downloads', [])).toEqual(['no transfers']);
    const id = transfers.download({ name: 'x.bin', peer: '1.2.3.4:5', protocol: 'test', source: silentSource() });
    expect((await plugin.run('downloads', []))[0]).toMatch(new RegExp(`^#${id} down \\?% 0 B/\\? .*active x\\.bin <- 1\\.2\\.3\\.4:5 \\[test\\]`));
    expect(await plugin.run('cancel', [String(id)])).toEqual([`cancelled #${id}`]);
    await expect(plugin.run('cancel', [String(id)])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await vi.waitFor(() => expect(transfers.get(id)?.state).toBe('cancelled'));
    expect(await plugin.run('retry', [String(id)])).toEqual([`retrying #${id}`]);
    await expect(plugin.run('retry', ['abc'])).rejects.toMatchObject({ code: 'USAGE' });
    await expect(plugin.run('cancel', [])).rejects.toMatchObject({ code: 'USAGE' });
    await expect(plugin.run('retry', ['999'])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(events.some((e) => e.type === 'transfer.failed' && e.reason === 'CLOSED: cancelled')).toBe(true);
  });
});
