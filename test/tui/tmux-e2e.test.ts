/**
 * End to end: two real `peerdeck` processes (the compiled dist/src/main.js) in
 * tmux sessions on a private tmux socket, linked over 127.0.0.1. A line typed
 * with send-keys in one appears in the other's capture-pane, and /quit gives
 * the terminal back. Skipped, with the reason printed, when tmux is not on
 * PATH (.ci/run installs it) or the program is not built.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { freePort, MAIN, tmuxOn, tmuxSkipReason } from './tmux-harness.js';

const SOCKET = `peerdeck-test-${process.pid}`;

const skipReason = tmuxSkipReason();
if (skipReason) console.warn(`tmux-e2e skipped: ${skipReason}`);

const tmux = tmuxOn(SOCKET);

async function screen(session: string): Promise<string> {
  return tmux('capture-pane', '-p', '-t', session);
}

async function sessionAlive(session: string): Promise<boolean> {
  try {
    await tmux('has-session', '-t', session);
    return true;
  } catch {
    return false;
  }
}

const dirs: string[] = [];
afterAll(async () => {
  // Only our own tmux server (private socket) is killed.
  await tmux('kill-server').catch(() => undefined);
  for (const d of dirs) await rm(d, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
});

describe.skipIf(skipReason !== undefined)('peerdeck under tmux', () => {
  it('a line typed in one node appears on the other screen', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const dirA = await mkdtemp(join(tmpdir(), 'peerdeck-tmux-'));
    const dirB = await mkdtemp(join(tmpdir(), 'peerdeck-tmux-'));
    dirs.push(dirA, dirB);
    const base = ['--chat-host', '127.0.0.1', '--no-discovery'];
    const cmd = (args: string[]): string => [process.execPath, MAIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    const wait = { timeout: 20_000, interval: 100 };

    await tmux('new-session', '-d', '-s', 'a', '-x', '100', '-y', '30', cmd(['--nick', 'A', '--chat-port', String(port), '--data-dir', dirA, ...base]));
    await vi.waitFor(async () => expect(await screen('a')).toContain('1:chat'), wait);
    await tmux('new-session', '-d', '-s', 'b', '-x', '100', '-y', '30', cmd(['--nick', 'B', '--chat-port', '0', '--data-dir', dirB, '--connect', `127.0.0.1:${port}`, ...base]));
    await vi.waitFor(async () => expect(await screen('b')).toContain('1:chat'), wait);
    await vi.waitFor(async () => expect(await screen('a')).toMatch(/\[chat :\d+ 1 peer\]/), wait);

    await tmux('send-keys', '-t', 'b', '-l', 'hello from B, 日本語');
    await tmux('send-keys', '-t', 'b', 'Enter');
    await vi.waitFor(async () => expect(await screen('a')).toContain('<B> hello from B, 日本語'), wait);

    await tmux('send-keys', '-t', 'a', '-l', 'and back from A');
    await tmux('send-keys', '-t', 'a', 'Enter');
    await vi.waitFor(async () => expect(await screen('b')).toContain('<A> and back from A'), wait);

    for (const s of ['a', 'b']) {
      await tmux('send-keys', '-t', s, '-l', '/quit');
      await tmux('send-keys', '-t', s, 'Enter');
    }
    await vi.waitFor(async () => {
      expect(await sessionAlive('a')).toBe(false);
      expect(await sessionAlive('b')).toBe(false);
    }, wait);
  });

  it('a flag emoji leaves no stray letters as lines scroll, nor in another window (tmux measures it)', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peerdeck-tmux-'));
    dirs.push(dir);
    const args = ['--nick', 'D', '--chat-port', '0', '--data-dir', dir, '--chat-host', '127.0.0.1', '--no-discovery'];
    const cmd = [process.execPath, MAIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    const wait = { timeout: 20_000, interval: 100 };
    await tmux('new-session', '-d', '-s', 'd', '-x', '60', '-y', '12', cmd);
    await vi.waitFor(async () => expect(await screen('d')).toContain('1:chat'), wait);
    for (let i = 0; i < 14; i++) {
      await tmux('send-keys', '-t', 'd', '-l', `tokyo 🇯🇵 ${i} ok`);
      await tmux('send-keys', '-t', 'd', 'Enter');
      // One line at a time: on a loaded machine tmux may batch keys, and a batch of lines is a paste.
      await vi.waitFor(async () => expect(await screen('d')).toContain(`<D> tokyo 🇯🇵 ${i} ok`), wait);
    }
    // Rows 2..9 of the body are whole chat lines: nothing left over from earlier frames
    // (stray letters stay on screen, so waiting out a frame still being drawn cannot hide them).
    await vi.waitFor(async () => {
      const rows = (await screen('d')).split('\n');
      expect(rows.join('\n')).toContain('<D> tokyo 🇯🇵 13 ok');
      for (const row of rows.slice(2, 9)) expect(row.trimEnd()).toMatch(/^\d\d:\d\d <D> tokyo 🇯🇵 \d+ ok$/);
      expect(rows[0]?.trimEnd()).toMatch(/^ 1:chat\s+2:Transfers\s+3:Log$/);
    }, wait);
    await tmux('send-keys', '-t', 'd', 'M-3');
    await vi.waitFor(async () => expect(await screen('d')).toContain('[Log]'), wait);
    expect((await screen('d')).split('\n').slice(1, 10).join('\n')).not.toMatch(/tokyo|ok$/m);
    await tmux('send-keys', '-t', 'd', '-l', '/quit');
    await tmux('send-keys', '-t', 'd', 'Enter');
    await vi.waitFor(async () => expect(await sessionAlive('d')).toBe(false), wait);
  });

  it('exits when its terminal goes away (window closed: SIGHUP, then EIO)', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peerdeck-tmux-'));
    dirs.push(dir);
    const args = ['--nick', 'C', '--chat-port', '0', '--data-dir', dir, '--chat-host', '127.0.0.1', '--no-discovery'];
    const cmd = `exec ${[process.execPath, MAIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ')}`;
    const wait = { timeout: 20_000, interval: 100 };
    await tmux('new-session', '-d', '-s', 'c', '-x', '100', '-y', '30', cmd);
    await vi.waitFor(async () => expect(await screen('c')).toContain('1:chat'), wait);
    const pid = Number((await tmux('display-message', '-p', '-t', 'c', '#{pane_pid}')).trim());
    expect(pid).toBeGreaterThan(0);
    await tmux('kill-server'); // the terminal disappears under the running program
    const alive = (): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    try {
      await vi.waitFor(() => expect(alive()).toBe(false), { timeout: 10_000, interval: 100 });
    } finally {
      if (alive()) process.kill(pid, 'SIGKILL'); // our own child: never leave it behind
    }
  });
});
