import { createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppEvent } from '../../src/app-api.js';
import { PeerdeckNode } from '../../src/node.js';
import { createFilesPlugin } from '../../src/search/files-plugin.js';
import { ShareLibrary } from '../../src/share/share-library.js';
import { TransferEngine } from '../../src/transfer/transfer-engine.js';
import { tempDir } from '../share/helpers.js';
import { silentSource } from '../transfer/sources.js';

describe('files service', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let share: ShareLibrary;
  let transfers: TransferEngine;
  let node: PeerdeckNode;
  const events: AppEvent[] = [];

  beforeEach(async () => {
    events.length = 0;
    t = await tempDir('peerdeck-files-');
    const root = join(t.dir, 'share');
    await mkdir(root);
    await writeFile(join(root, 'a.txt'), 'abc');
    share = new ShareLibrary({ roots: [root] });
    transfers = new TransferEngine({ downloadDir: join(t.dir, 'dl') });
    node = new PeerdeckNode({ dataDir: t.dir, nick: 'x', plugins: [createFilesPlugin()], share, transfers });
    node.subscribe((e) => events.push(e));
    await node.start();
  });
  afterEach(async () => {
    await node.stop();
    await t.cleanup();
  });

  it('forwards share.ready and runs /rescan, /shares', async () => {
    expect(events).toContainEqual({ type: 'share.ready', files: 1, bytes: 3, folders: 1 });
    expect(await node.run('files', 'rescan', [])).toEqual(['sharing 1 file (3 B)']);
    expect((await node.run('files', 'shares', [])).join('\n')).toMatch(/\n1 file, 3 B, 0 still to hash/);
    await writeFile(join(share.roots[0]!, 'b.txt'), 'de');
    expect(await node.run('files', 'rescan', [])).toEqual(['sharing 2 files (5 B)']);
    expect((await node.run('files', 'shares', [])).join('\n')).toMatch(/2 files, 5 B/);
  });

  it('/shares and /rescan on a node that shares no folder say so (not "0 files, 0 B")', async () => {
    const bare = new PeerdeckNode({ dataDir: t.dir, nick: 'y', plugins: [createFilesPlugin()], share: new ShareLibrary({ roots: [] }), transfers: new TransferEngine({ downloadDir: join(t.dir, 'dl2') }) });
    await bare.start();
    try {
      expect(await bare.run('files', 'shares', [])).toEqual([`no folder is shared (start peerdeck with --share DIR); downloads go to ${join(t.dir, 'dl2')}`]);
      expect(await bare.run('files', 'rescan', [])).toEqual(['no folder is shared (start peerdeck with --share DIR)']);
    } finally {
      await bare.stop();
    }
  });

  it('/uploads lists the uploads alone; /downloads lists every transfer', async () => {
    expect(await node.run('files', 'uploads', [])).toEqual(['no uploads']);
    const down = transfers.download({ name: 'x.bin', peer: '1.2.3.4:5', protocol: 'test', source: silentSource() });
    const file = join(share.roots[0]!, 'a.txt');
    const sink = createWriteStream(join(t.dir, 'sent.txt'));
    const up = await transfers.upload({ path: file, name: 'a.txt', peer: '10.0.0.2', protocol: 'test', sink });
    expect(await readFile(join(t.dir, 'sent.txt'), 'utf8')).toBe('abc');
    expect(await node.run('files', 'uploads', [])).toEqual([`#${up.id} up 100% 3 B/3 B done a.txt -> 10.0.0.2 [test]`]);
    expect((await node.run('files', 'downloads', [])).map((l) => l.split(' ')[0])).toEqual([`#${down}`, `#${up.id}`]);
  });

  it('lists, cancels and retries downloads; refuses bad ids', async () => {
    expect(await node.run('files', 'downloads', [])).toEqual(['no transfers']);
    const id = transfers.download({ name: 'x.bin', peer: '1.2.3.4:5', protocol: 'test', source: silentSource() });
    expect((await node.run('files', 'downloads', []))[0]).toMatch(new RegExp(`^#${id} down \\?% 0 B/\\? .*active x\\.bin <- 1\\.2\\.3\\.4:5 \\[test\\]`));
    expect(await node.run('files', 'cancel', [String(id)])).toEqual([`cancelled #${id}: x.bin (its .part stays for /retry)`]);
    await vi.waitFor(() => expect(transfers.get(id)?.state).toBe('cancelled'));
    // Why nothing was done, said of the transfer as it stands (it said "no queued or running transfer #1").
    await expect(node.run('files', 'cancel', [String(id)])).rejects.toMatchObject({ code: 'NOT_FOUND', message: `transfer #${id} is already cancelled: nothing to cancel` });
    // Which file from where (headless prints this answer, not the queued line beside it).
    expect(await node.run('files', 'retry', [String(id)])).toEqual([`retrying #${id}: x.bin from 1.2.3.4:5 [test]`]);
    await expect(node.run('files', 'retry', [String(id)])).rejects.toMatchObject({ message: `transfer #${id} is running already: nothing to retry` });
    await expect(node.run('files', 'cancel', ['999'])).rejects.toMatchObject({ message: 'no transfer #999 (/downloads lists them)' });
    await expect(node.run('files', 'retry', ['abc'])).rejects.toMatchObject({ code: 'USAGE' });
    await expect(node.run('files', 'cancel', [])).rejects.toMatchObject({ code: 'USAGE' });
    await expect(node.run('files', 'retry', ['999'])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(events.some((e) => e.type === 'transfer.failed' && e.reason === 'CLOSED: cancelled')).toBe(true);
  });

  it('says clearly when no file protocol runs, and refuses bad /search and /get input', async () => {
    await expect(node.run('files', 'search', ['song'])).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/^no file-sharing protocol is running: start peerdeck with --gnutella/) });
    await expect(node.run('files', 'search', [])).rejects.toMatchObject({ code: 'USAGE' });
    await expect(node.run('files', 'search', ['-min'])).rejects.toMatchObject({ code: 'USAGE' });
    // The word that is wrong is named (it said only "-type: one of audio, ...").
    await expect(node.run('files', 'search', ['-type', 'musik', 'x'])).rejects.toMatchObject({
      code: 'USAGE',
      message: '-type: musik is not a type (one of audio, video, image, document, archive, program)',
    });
    // Before any search, how numbers come (it said only `no search result #7`).
    await expect(node.run('files', 'get', ['7'])).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'no search result #7: no search has found anything yet (/search words; its hits are numbered #1, #2, ...)',
    });
    await expect(node.run('files', 'get', ['x'])).rejects.toMatchObject({ code: 'USAGE' });
    expect(node.resolve('search', 'chat')).toBe('files');
  });
});
