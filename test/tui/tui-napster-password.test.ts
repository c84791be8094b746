/**
 * The Napster password asked once in the TUI (issue 13): a real node with the
 * Napster client and no --napster-password-file, our Napster server on
 * 127.0.0.1, the TUI in a virtual terminal. The password is typed on a hidden
 * line: never on the screen, never in the input history, never in an event.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppEvent } from '../../src/app-api.js';
import { createFilesPlugin } from '../../src/search/files-plugin.js';
import { createNapsterPlugin } from '../../protocols/napster/index.js';
import { startServer, type ServerFixture } from '../napster/server-fixture.js';
import { testnet, type Testnet } from '../testnet.js';
import { VirtualTerminal } from './virtual-terminal.js';

let net: Testnet | undefined;
let vt: VirtualTerminal | undefined;
let server: ServerFixture | undefined;
afterEach(async () => {
  await vt?.quit();
  vt = undefined;
  await net?.stop();
  net = undefined;
  await server?.stop();
  server = undefined;
});

const SECRET = 'zebra-quartz-91';

describe('the Napster password in the TUI', () => {
  it('is asked once on a hidden line, logs in with it, and is never shown, kept in history or sent in an event', async () => {
    server = await startServer();
    net = await testnet(1, () => [createFilesPlugin(), createNapsterPlugin({ client: { servers: [], nick: 'tuinap' } })], { nickPrefix: 'tui' });
    const a = net.nodes[0]!;
    vt = new VirtualTerminal(120, 24);
    await vt.start(a.node);
    await vi.waitFor(() => expect(vt?.line(0)).toContain('napster'));
    vt.type(`/nlogin 127.0.0.1:${server.port}\r`);
    await vi.waitFor(() => expect(vt?.text()).toContain('Napster password for tuinap (hidden'), { timeout: 10_000 });
    vt.type(SECRET);
    await new Promise((r) => setTimeout(r, 200));
    expect(vt.text()).not.toContain(SECRET);
    expect(vt.text()).not.toMatch(/\*{5,}/);
    vt.type('\r');
    await a.waitFor((ev) => ev.some((e) => e.type === 'peer.up' && e.protocol === 'napster'), 15_000);
    const users = await server.node.node.run('napster', 'napster-users', []);
    expect(users.some((l) => l.startsWith('tuinap '))).toBe(true);
    expect(JSON.stringify(a.events)).not.toContain(SECRET);
    await vi.waitFor(() => expect(vt?.text()).toContain('password taken'));
    expect(vt.text()).not.toContain(SECRET);
    // History: Up brings back the /nlogin line, and nothing before or after it is the password.
    vt.type('\x1b[A');
    await vi.waitFor(() => expect(vt?.text()).toContain(`/nlogin 127.0.0.1:${server!.port}`));
    vt.type('\x1b[A');
    await new Promise((r) => setTimeout(r, 100));
    expect(vt.text()).not.toContain(SECRET);
    // Asked once: a second session (the same server again) uses it without asking.
    vt.type('\x15/nlogout\r');
    await vi.waitFor(() => expect(vt?.text()).toContain('logged out of'), { timeout: 10_000 });
    vt.type(`/nlogin 127.0.0.1:${server.port}\r`);
    await a.waitFor((ev) => ev.filter((e) => e.type === 'peer.up' && e.protocol === 'napster').length === 2, 15_000);
    expect(a.events.filter((e: AppEvent) => e.type === 'prompt.secret')).toHaveLength(1);
  }, 60_000);

  it('Esc declines: no login, and a notice says how to give it', async () => {
    server = await startServer();
    net = await testnet(1, () => [createFilesPlugin(), createNapsterPlugin({ client: { servers: [], nick: 'tuinap2' } })], { nickPrefix: 'tui' });
    const a = net.nodes[0]!;
    vt = new VirtualTerminal(120, 24);
    await vt.start(a.node);
    await vi.waitFor(() => expect(vt?.line(0)).toContain('napster'));
    vt.type(`/nlogin 127.0.0.1:${server.port}\r`);
    await vi.waitFor(() => expect(vt?.text()).toContain('Napster password for tuinap2'), { timeout: 10_000 });
    vt.type('abc\x1b');
    await vi.waitFor(() => expect(vt?.text()).toContain('no Napster password given: not logging in'), { timeout: 10_000 });
    expect(a.events.some((e) => e.type === 'peer.up')).toBe(false);
    expect(await server.node.node.run('napster', 'napster-users', [])).toEqual(['nobody is logged in']);
  }, 60_000);
});
