/**
 * The Transfers window on the real TUI (blessed, read back through @xterm/headless) driving a
 * real node: a P+2 download whose name is taken in the download folder by another file is
 * saved as `name (1).ext`, and its row says so, as `/downloads` and the done line do (the row
 * showed the remote name only, which is not the file the user finds on disk). And `/peers`
 * with P+2 running says what its peer count is, since none of them is a link.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startP2Node, type P2Node } from '../pplus2/pplus2-net.js';
import { VirtualTerminal } from './virtual-terminal.js';

const nodes: P2Node[] = [];
let vt: VirtualTerminal | undefined;
afterEach(async () => {
  await vt?.quit();
  vt = undefined;
  for (const n of nodes.splice(0).reverse()) await n.stop();
});

describe('Transfers window with a real P+2 download', () => {
  it('names a finished download as it was saved on disk, with the remote name beside it when they differ', async () => {
    const a = await startP2Node(0, { 'song.mp3': 'the song from alice' });
    nodes.push(a);
    const b = await startP2Node(1, {}, { peers: [`127.0.0.1:${a.port}`] });
    nodes.push(b);
    // Another file of that name is in B's download folder already: the download takes `song (1).mp3`.
    await mkdir(b.downloads, { recursive: true });
    await writeFile(join(b.downloads, 'song.mp3'), 'an older, other song');
    vt = new VirtualTerminal(120, 24);
    await vt.start(b.node);
    await vi.waitFor(() => expect(vt?.line(0)).toContain('Transfers'));
    vt.type('/search song\r');
    await vi.waitFor(() => expect(vt?.text()).toContain('done: 1 hit from 1 peer'));
    vt.type('/get 1\r');
    await b.waitFor((events) => events.some((e) => e.type === 'transfer.done'));
    expect(await readFile(join(b.downloads, 'song (1).mp3'), 'utf8')).toBe('the song from alice');
    vt.type('/win Transfers\r');
    await vi.waitFor(() => expect(vt?.text()).toMatch(/↓\s+song \(1\)\.mp3 \(remote: song\.mp3\)\s+127\.0\.0\.1:\d+\s+done/));
    // The done line and /downloads say the same file.
    vt.type('/downloads\r');
    await vi.waitFor(() => expect(vt?.text()).toContain('song.mp3 (saved as song (1).mp3)'));
  });

  it('names a download saved under its own name once', async () => {
    const a = await startP2Node(0, { 'tune.ogg': 'a tune' });
    nodes.push(a);
    const b = await startP2Node(1, {}, { peers: [`127.0.0.1:${a.port}`] });
    nodes.push(b);
    vt = new VirtualTerminal(120, 24);
    await vt.start(b.node);
    await vi.waitFor(() => expect(vt?.line(0)).toContain('Transfers'));
    vt.type('/search tune\r');
    await vi.waitFor(() => expect(vt?.text()).toContain('done: 1 hit from 1 peer'));
    vt.type('/get 1\r');
    await b.waitFor((events) => events.some((e) => e.type === 'transfer.done'));
    vt.type('/win Transfers\r');
    await vi.waitFor(() => expect(vt?.text()).toMatch(/↓\s+tune\.ogg\s+127\.0\.0\.1:\d+\s+done/));
    expect(vt.text()).not.toContain('remote:');
  });

  it('/peers says that P+2 keeps no links and how many peers it knows, as the status bar counts them (known, not linked)', async () => {
    const a = await startP2Node(0, {});
    nodes.push(a);
    const b = await startP2Node(1, {}, { peers: [`127.0.0.1:${a.port}`] });
    nodes.push(b);
    vt = new VirtualTerminal(140, 24);
    await vt.start(b.node);
    // Known, not linked: the bar said `1 peer`, as chat says of a live link.
    await vi.waitFor(() => expect(vt?.text()).toMatch(/\[pplus2 :\d+ 1 known\]/));
    await vi.waitFor(async () => expect(await b.node.run('core', 'peers', [])).toHaveLength(2)); // B's first exchange with A is over
    vt.type('/peers\r');
    // (Not `no live links` too: B's next peer-list exchange, every 10 s, may be a live link just then.)
    await vi.waitFor(() => expect(vt?.text()).toContain('pplus2 keeps no links: it knows 1 peer and connects to one only to ask it something (/known lists them)'));
  });
});

