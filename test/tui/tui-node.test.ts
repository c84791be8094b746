/**
 * The TUI driving a real node: two PeerdeckNodes with the chat plugin on
 * 127.0.0.1, the TUI on the first. A /connect typed in the TUI links them, a
 * line from the other node appears on the virtual screen, and a line typed in
 * the TUI reaches the other node.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppEvent } from '../../src/app-api.js';
import { PeerdeckNode } from '../../src/node.js';
import { createChatPlugin } from '../../protocols/chat/index.js';
import { createFilesPlugin } from '../../src/search/files-plugin.js';
import { portOf, testnet, type Testnet } from '../testnet.js';
import { VirtualTerminal } from './virtual-terminal.js';

let net: Testnet | undefined;
let vt: VirtualTerminal | undefined;
afterEach(async () => {
  await vt?.quit();
  vt = undefined;
  await net?.stop();
  net = undefined;
});

describe('tui with a real chat node', () => {
  it('links with /connect, shows incoming lines and sends typed ones', async () => {
    net = await testnet(2, () => [createChatPlugin({ port: 0, host: '127.0.0.1', discovery: false })], { nickPrefix: 'user' });
    const [a, b] = net.nodes;
    if (!a || !b) throw new Error('testnet gave fewer nodes');
    vt = new VirtualTerminal(100, 24);
    await vt.start(a.node);
    await vi.waitFor(() => expect(vt?.line(0)).toContain('1:chat'));
    vt.type(`/connect 127.0.0.1:${portOf(b, 'chat')}\r`);
    await b.waitFor((events) => events.some((e) => e.type === 'peer.up'));
    await vi.waitFor(() => expect(vt?.text()).toContain('peer up'), { timeout: 10_000 });

    await b.node.run('chat', 'say', ['hello from user1']);
    await vi.waitFor(() => expect(vt?.text()).toContain('<user1> hello from user1'), { timeout: 10_000 });

    vt.type('hi user1, 日本語 ok\r');
    await b.waitFor((events) => events.some((e) => e.type === 'chat.line' && e.text === 'hi user1, 日本語 ok' && e.nick === 'user0'));
    await vi.waitFor(() => expect(vt?.text()).toContain('<user0> hi user1, 日本語 ok'));
    await vi.waitFor(() => expect(vt?.text()).toMatch(/\[chat :\d+ 1 peer\]/));

    vt.type('/peers\r');
    await vi.waitFor(() => expect(vt?.text()).toMatch(/127\.0\.0\.1:\d+\s+chat\s+out\s+user1/));
  });

  it('says errors in words: a node that is not answering, and how to start a file protocol for /search', async () => {
    net = await testnet(1, () => [createFilesPlugin(), createChatPlugin({ port: 0, host: '127.0.0.1', discovery: false })], { nickPrefix: 'solo' });
    const a = net.nodes[0]!;
    const closed = await new Promise<number>((res) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const port = (srv.address() as AddressInfo).port;
        srv.close(() => res(port));
      });
    });
    vt = new VirtualTerminal(120, 24);
    await vt.start(a.node);
    await vi.waitFor(() => expect(vt?.line(0)).toContain('1:chat'));
    vt.type(`/connect 127.0.0.1:${closed}\r`);
    await vi.waitFor(() => expect(vt?.text()).toContain(`the node at 127.0.0.1:${closed} is not answering (connection refused)`), { timeout: 10_000 });
    expect(vt.text()).not.toMatch(/ECONNREFUSED|SOCKET:/);
    vt.type('/search beatles\r');
    await vi.waitFor(() => expect(vt?.text()).toContain('no file-sharing protocol is running: start peerdeck with --gnutella, --pplus2-port PORT or'));
  });

  it('shows what the node said while it started (links dialled by --connect) before any later line', async () => {
    net = await testnet(1, () => [createChatPlugin({ port: 0, host: '127.0.0.1', discovery: false })], { nickPrefix: 'host' });
    const host = net.nodes[0]!;
    // A second node that dials the first while it starts, as `--connect` does; its
    // start-up events are collected the way src/main.ts collects them for the TUI.
    const dataDir = await mkdtemp(join(tmpdir(), 'peerdeck-tui-'));
    const late = new PeerdeckNode({
      dataDir,
      nick: 'late',
      plugins: [createChatPlugin({ port: 0, host: '127.0.0.1', discovery: false, connect: [`127.0.0.1:${portOf(host, 'chat')}`] })],
    });
    const earlier: AppEvent[] = [];
    const stop = late.subscribe((e) => earlier.push(e));
    await late.start();
    await vi.waitFor(() => expect(earlier.some((e) => e.type === 'peer.up')).toBe(true));
    try {
      vt = new VirtualTerminal(100, 24);
      await vt.start(late, { earlier });
      stop();
      await vi.waitFor(() => expect(vt?.text()).toMatch(/peer up: 127\.0\.0\.1:\d+ \(outgoing\) host0/));
    } finally {
      await vt?.quit();
      vt = undefined;
      await late.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
