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
import { testnet, type Testnet, type TestNode } from '../testnet.js';
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

/** A node with the Napster client in the TUI, our server beside it, and `/nlogin` typed until the password prompt shows. */
async function askedForPassword(nick: string, prompt: string): Promise<{ a: TestNode; term: VirtualTerminal; srv: ServerFixture }> {
  server = await startServer();
  net = await testnet(1, () => [createFilesPlugin(), createNapsterPlugin({ client: { servers: [], nick } })], { nickPrefix: 'tui' });
  const a = net.nodes[0]!;
  vt = new VirtualTerminal(120, 24);
  await vt.start(a.node);
  await vi.waitFor(() => expect(vt?.line(0)).toContain('napster'));
  vt.type(`/nlogin 127.0.0.1:${server.port}\r`);
  await vi.waitFor(() => expect(vt?.text()).toContain(prompt), { timeout: 10_000 });
  return { a, term: vt, srv: server };
}

describe('the Napster password in the TUI', () => {
  it('is asked once on a hidden line, logs in with it, and is never shown, kept in history or sent in an event', async () => {
    const { a, term, srv } = await askedForPassword('tuinap', 'Napster password for tuinap (hidden');
    term.type(SECRET);
    await new Promise((r) => setTimeout(r, 200));
    expect(term.text()).not.toContain(SECRET);
    expect(term.text()).not.toMatch(/\*{5,}/);
    term.type('\r');
    await a.waitFor((ev) => ev.some((e) => e.type === 'peer.up' && e.protocol === 'napster'), 15_000);
    const users = await srv.node.node.run('napster', 'napster-users', []);
    expect(users.some((l) => l.startsWith('tuinap '))).toBe(true);
    expect(JSON.stringify(a.events)).not.toContain(SECRET);
    await vi.waitFor(() => expect(term.text()).toContain('password taken'));
    expect(term.text()).not.toContain(SECRET);
    // History: Up brings back the /nlogin line, and nothing before or after it is the password.
    term.type('\x1b[A');
    await vi.waitFor(() => expect(term.text()).toContain(`/nlogin 127.0.0.1:${srv.port}`));
    term.type('\x1b[A');
    await new Promise((r) => setTimeout(r, 100));
    expect(term.text()).not.toContain(SECRET);
    // Asked once: a second session (the same server again) uses it without asking.
    term.type('\x15/nlogout\r');
    await vi.waitFor(() => expect(term.text()).toContain('logged out of'), { timeout: 10_000 });
    term.type(`/nlogin 127.0.0.1:${srv.port}\r`);
    await a.waitFor((ev) => ev.filter((e) => e.type === 'peer.up' && e.protocol === 'napster').length === 2, 15_000);
    expect(a.events.filter((e: AppEvent) => e.type === 'prompt.secret')).toHaveLength(1);
  }, 60_000);

  it('Esc declines: no login, and a notice says how to give it', async () => {
    const { a, term, srv } = await askedForPassword('tuinap2', 'Napster password for tuinap2');
    term.type('abc\x1b');
    await vi.waitFor(() => expect(term.text()).toContain('no Napster password given: not logging in'), { timeout: 10_000 });
    expect(a.events.some((e) => e.type === 'peer.up')).toBe(false);
    expect(await srv.node.node.run('napster', 'napster-users', [])).toEqual(['nobody is logged in']);
  }, 60_000);
});
