import { describe, expect, it } from 'vitest';
import { chatPort, clisStoppedAfterEach } from './cli-process.js';

const cli = clisStoppedAfterEach();
const base = ['--chat-port', '0', '--chat-host', '127.0.0.1', '--no-discovery'];

describe('headless mode (the real CLI over stdin/stdout)', () => {
  it('chats between two processes, runs commands, and leaves cleanly on EOF and SIGTERM', async () => {
    const alice = await cli([...base, '--nick', 'alice']);
    await alice.waitEvent((e) => e.type === 'ready');
    const port = chatPort(alice);
    expect(port).toBeGreaterThan(0);
    expect(alice.events[0]!.type).toBe('ready');

    const bob = await cli([...base, '--nick', 'bob', '--connect', `127.0.0.1:${port}`]);
    await bob.waitEvent((e) => e.type === 'peer.up');
    await alice.waitEvent((e) => e.type === 'peer.up');

    bob.send('hello from bob');
    const line = await alice.waitEvent((e) => e.type === 'chat.line' && e.text === 'hello from bob');
    expect(line).toMatchObject({ nick: 'bob', kind: 'msg', self: false });
    expect(typeof line.id).toBe('string');
    expect(typeof line.origin).toBe('string');
    expect(typeof line.at).toBe('number');
    expect(line.hops).toBe(1);
    const own = await bob.waitEvent((e) => e.type === 'chat.line' && e.text === 'hello from bob');
    expect(own).toMatchObject({ self: true, hops: 0, nick: 'bob' });

    bob.send('/me waves');
    await alice.waitEvent((e) => e.type === 'chat.line' && e.kind === 'action' && e.text === 'waves');
    bob.send('//not a command');
    await alice.waitEvent((e) => e.type === 'chat.line' && e.text === '/not a command');
    bob.send('/nick robert');
    await bob.waitEvent((e) => e.type === 'nick' && e.nick === 'robert');
    await alice.waitEvent((e) => e.type === 'chat.line' && e.kind === 'nick');
    bob.send('/peers');
    await bob.waitEvent((e) => e.type === 'notice' && String(e.text).includes(`127.0.0.1:${port}`));
    bob.send('/frobnicate');
    await bob.waitEvent((e) => e.type === 'error' && String(e.message).includes('/frobnicate'));
    bob.send('/help');
    // Grouped under each owner, as the TUI lists them.
    await bob.waitEvent((e) => e.type === 'notice' && String(e.text).startsWith('  /connect'));
    // The unknown command never went out as chat.
    expect(alice.events.some((e) => e.type === 'chat.line' && String(e.text).includes('frobnicate'))).toBe(false);

    bob.proc.stdin.end(); // EOF: leave the mesh cleanly
    expect(await bob.exited()).toBe(0);
    await alice.waitEvent((e) => e.type === 'chat.line' && e.kind === 'part' && e.nick === 'robert');
    await alice.waitEvent((e) => e.type === 'peer.down');

    alice.proc.kill('SIGTERM');
    expect(await alice.exited()).toBe(0);
  });

  it('prints readable lines without --json, and --daemon ignores stdin until a signal', async () => {
    const d = await cli([...base, '--nick', 'daemon', '--daemon'], { json: false });
    await vitestWait(() => d.lines.some((l) => /^ready chat=\d+$/.test(l)));
    d.proc.stdin.end();
    await new Promise((r) => setTimeout(r, 300));
    expect(d.proc.exitCode).toBeNull(); // still running after EOF
    d.proc.kill('SIGINT');
    expect(await d.exited()).toBe(0);
  });

  it('says a nick change in one line without --json (our NICK line; no notice or nick event besides)', async () => {
    const t = await cli([...base, '--nick', 'ted'], { json: false });
    await vitestWait(() => t.lines.some((l) => /^ready chat=\d+$/.test(l)));
    t.send('/ quit'); // no command, as in the TUI: not /quit
    t.send('/nick theo');
    t.send('/help nick');
    await vitestWait(() => t.lines.some((l) => l.startsWith('/nick <new>')));
    expect(t.lines.filter((l) => l.includes('theo'))).toEqual([expect.stringMatching(/^\d\d:\d\d --- ted is now known as theo$/)]);
    expect(t.lines).toContain('error: empty command (type //text to send a line starting with /)');
    t.proc.stdin.end();
    expect(await t.exited()).toBe(0);
  });

  it('falls back to headless mode with a notice when stdout is not a terminal', async () => {
    const n = await cli([...base, '--nick', 'piped'], { noHeadlessFlag: true });
    await n.waitEvent((e) => e.type === 'ready');
    expect(n.stderr()).toMatch(/stdout is not a terminal; running in headless mode/);
    n.send('/quit');
    expect(await n.exited()).toBe(0);
  });

  it('passes flags through `npm start -- <flags>`', async () => {
    const n = await cli([...base, '--nick', 'via-npm'], { command: ['npm', 'start', '--'] });
    // npm prints its own "> peerdeck start" banner first; every line of ours is still one JSON event.
    const ready = await n.waitEvent((e) => e.type === 'ready', 60_000);
    expect((ready.ports as Record<string, number>).chat).toBeGreaterThan(0);
    expect(n.lines.filter((l) => l.startsWith('{')).length).toBe(n.events.length);
    n.proc.stdin.end();
    expect(await n.exited()).toBe(0);
  }, 90_000);

  it('rejects bad flags with a usage message and exit code 2', async () => {
    const n = await cli(['--chat-port', 'banana']);
    expect(await n.exited()).toBe(2);
    expect(n.stderr()).toMatch(/--chat-port: not a port/);
  });

  it('reports a port in use instead of crashing', async () => {
    const a = await cli([...base, '--nick', 'a']);
    await a.waitEvent((e) => e.type === 'ready');
    const b = await cli(['--chat-port', String(chatPort(a)), '--chat-host', '127.0.0.1', '--no-discovery', '--nick', 'b']);
    expect(await b.exited()).toBe(1);
    expect(b.stderr()).toMatch(/could not start: .*EADDRINUSE/);
  });
});

async function vitestWait(cond: () => boolean): Promise<void> {
  const { vi } = await import('vitest');
  await vi.waitFor(
    () => {
      if (!cond()) throw new Error('not yet');
    },
    { timeout: 10_000, interval: 20 },
  );
}
