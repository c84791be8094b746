/**
 * The TUI driving a real node: two PeerdeckNodes with the chat plugin on
 * 127.0.0.1, the TUI on the first. A /connect typed in the TUI links them, a
 * line from the other node appears on the virtual screen, and a line typed in
 * the TUI reaches the other node.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createChatPlugin } from '../../protocols/chat/index.js';
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
    await vi.waitFor(() => expect(vt?.text()).toMatch(/\[chat :\d+ 1p\]/));

    vt.type('/peers\r');
    await vi.waitFor(() => expect(vt?.text()).toMatch(/127\.0\.0\.1:\d+\s+chat\s+out\s+user1/));
  });
});
