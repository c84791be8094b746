/**
 * What the tmux end-to-end tests share: the compiled program they drive, why
 * they would skip, a tmux client bound to a private socket (so only our own
 * tmux server is touched), and a free loopback port for the program to use.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
/** The program under test; PEERDECK_MAIN points elsewhere (e.g. an installed build). */
export const MAIN = process.env.PEERDECK_MAIN ?? join(ROOT, 'dist', 'src', 'main.js');

function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Why a tmux test cannot run here, or undefined when it can. */
export function tmuxSkipReason(): string | undefined {
  return !hasTmux() ? 'tmux is not on PATH' : !existsSync(MAIN) ? `${MAIN} is not built (npm test builds it)` : undefined;
}

/** A tmux command runner on the private server `socket`. */
export function tmuxOn(socket: string): (...args: string[]) => Promise<string> {
  return async (...args) => {
    const { stdout } = await run('tmux', ['-u', '-L', socket, '-f', '/dev/null', ...args], { env: { ...process.env, LANG: 'C.UTF-8', TERM: process.env.TERM ?? 'xterm-256color' } });
    return stdout;
  };
}

/** A loopback port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}
