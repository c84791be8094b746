/**
 * The Napster password in a real terminal (issue 13): the compiled peerdeck in
 * a tmux session on a private socket, running a Napster server and a client
 * that logs in to it without --napster-password-file. The prompt shows, the
 * typed password never appears in capture-pane, and Enter logs in. Skipped,
 * with the reason printed, when tmux is not on PATH or the program not built.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { freePort, MAIN, tmuxOn, tmuxSkipReason } from './tmux-harness.js';

const SOCKET = `peerdeck-napster-test-${process.pid}`;

const skipReason = tmuxSkipReason();
if (skipReason) console.warn(`tmux-napster-password skipped: ${skipReason}`);

const tmux = tmuxOn(SOCKET);

const dirs: string[] = [];
afterAll(async () => {
  // Only our own tmux server (private socket) is killed.
  await tmux('kill-server').catch(() => undefined);
  // The program in the pane may still be writing its data dir for a moment after the kill.
  for (const d of dirs) await rm(d, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
});

describe.skipIf(skipReason !== undefined)('the Napster password under tmux', () => {
  it('is asked on a hidden line: capture-pane never shows it, and Enter logs in', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'peerdeck-tmux-nap-'));
    dirs.push(dir);
    const args = ['--no-chat', '--data-dir', dir, '--napster-server', '--napster-port', String(port), '--napster-host', '127.0.0.1', '--napster', `127.0.0.1:${port}`, '--napster-nick', 'tmuxnap'];
    const cmd = [process.execPath, MAIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    const wait = { timeout: 20_000, interval: 100 };
    const screen = (): Promise<string> => tmux('capture-pane', '-p', '-t', 'n');
    await tmux('new-session', '-d', '-s', 'n', '-x', '110', '-y', '20', cmd);
    await vi.waitFor(async () => expect(await screen()).toContain('Napster password for tmuxnap (hidden'), wait);
    await tmux('send-keys', '-t', 'n', '-l', 'Gull-Harbour-77');
    await new Promise((r) => setTimeout(r, 300));
    expect(await screen()).not.toContain('Gull-Harbour-77');
    await tmux('send-keys', '-t', 'n', 'Enter');
    await vi.waitFor(async () => expect(await screen()).toContain(`logged in to 127.0.0.1:${port} as tmuxnap`), wait);
    expect(await screen()).not.toContain('Gull-Harbour-77');
    await tmux('send-keys', '-t', 'n', '-l', '/quit');
    await tmux('send-keys', '-t', 'n', 'Enter');
  });
});
