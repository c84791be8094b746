/**
 * Drives the real compiled program (`node dist/src/main.js`) through stdin and
 * stdout, the way scripts and services use headless mode.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, vi } from 'vitest';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const MAIN = join(ROOT, 'dist', 'src', 'main.js');

export type JsonEvent = { type: string } & Record<string, unknown>;

/**
 * The program's arguments with `--chat-port 0` added unless they already say how chat listens
 * (`--chat-port P`, `--chat-port=P`, `--no-chat`): a test that left it out listened on the fixed
 * port 6350, and failed whenever another process (a second test run, a user's peerdeck) held it.
 * And with chat running, `--no-discovery` unless `lanDiscovery`: LAN discovery (on by default)
 * multicasts on the LAN (tests talk to loopback only), and nodes of concurrent tests found each
 * other through it (all in mesh "default") and linked.
 * test/fixed-ports.test.ts checks that every command line a test writes goes through this or says it.
 * bench/lib-headless.ts has the same function for the benches.
 */
export function chatPortZero(args: readonly string[], lanDiscovery = false): string[] {
  const out = [...args];
  if (args.includes('--no-chat')) return out;
  if (!args.some((a) => a === '--chat-port' || a.startsWith('--chat-port='))) out.push('--chat-port', '0');
  if (!lanDiscovery && !args.includes('--no-discovery')) out.push('--no-discovery');
  return out;
}

export interface CliNode {
  proc: ChildProcessWithoutNullStreams;
  dataDir: string;
  events: JsonEvent[];
  lines: string[];
  stderr: () => string;
  send(line: string): void;
  waitEvent(pred: (e: JsonEvent) => boolean, timeoutMs?: number): Promise<JsonEvent>;
  exited(): Promise<number | null>;
  cleanup(): Promise<void>;
}

export interface CliOptions {
  json?: boolean;
  /** What to run instead of `node dist/src/main.js` (e.g. `npm start --`). */
  command?: string[];
  /** Leave out `--headless` (to see the fallback when stdout is not a terminal). */
  noHeadlessFlag?: boolean;
  /** Reuse this data dir (a restart) instead of a fresh one; cleanup() leaves it. */
  dataDir?: string;
  /** Leave LAN discovery on (only where its datagrams cannot leave: a network namespace). */
  lanDiscovery?: boolean;
}

/** Starts the program headless (chat on port 0 without LAN discovery unless `args` say otherwise: chatPortZero). */
export async function startCli(args: string[], opts: CliOptions = {}): Promise<CliNode> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" (npm test does it first)`);
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'peerdeck-cli-')));
  const json = opts.json ?? true;
  const cmd = opts.command ?? [process.execPath, MAIN];
  const mode = opts.noHeadlessFlag ? [] : ['--headless'];
  const proc = spawn(cmd[0]!, [...cmd.slice(1), ...mode, ...(json ? ['--json'] : []), '--data-dir', dataDir, ...chatPortZero(args, opts.lanDiscovery)], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
  });
  const events: JsonEvent[] = [];
  const lines: string[] = [];
  let err = '';
  let buf = '';
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      lines.push(line);
      if (json && line.startsWith('{')) events.push(JSON.parse(line) as JsonEvent);
    }
  });
  proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exit = new Promise<number | null>((res) => proc.once('exit', (code) => res(code)));
  return {
    proc,
    dataDir,
    events,
    lines,
    stderr: () => err,
    send: (line) => void proc.stdin.write(line + '\n'),
    waitEvent: async (pred, timeoutMs = 15_000) => {
      let found: JsonEvent | undefined;
      await vi.waitFor(
        () => {
          found = events.find(pred);
          if (!found) throw new Error(`event not seen; stderr: ${err.slice(-500)}`);
        },
        { timeout: timeoutMs, interval: 20 },
      );
      return found!;
    },
    exited: () => exit,
    cleanup: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGKILL');
        await exit;
      }
      if (!opts.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function chatPort(n: CliNode): number {
  const ready = n.events.find((e) => e.type === 'ready') as { ports?: Record<string, number> } | undefined;
  const p = ready?.ports?.chat;
  if (typeof p !== 'number') throw new Error('no chat port in ready');
  return p;
}

/**
 * Starts real program processes for the calling test file and cleans every
 * one up after each test. Call it once, at the top of the file, after any
 * afterEach that must run after it (vitest runs afterEach hooks last
 * registered first: a folder the nodes use is removed once they are gone).
 */
export function clisStoppedAfterEach(): (args: string[], opts?: CliOptions) => Promise<CliNode> {
  const started: CliNode[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((n) => n.cleanup()));
  });
  return async (args, opts) => {
    const n = await startCli(args, opts);
    started.push(n);
    return n;
  };
}

/** Runs the program once with stdin closed, to its exit (at most 20 s): its exit code and output (chat on port 0 unless `args` say otherwise). */
export function runMainOnce(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = execFile(process.execPath, [MAIN, ...chatPortZero(args)], { timeout: 20_000 }, (err, stdout, stderr) => {
      res({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
    child.stdin?.end();
  });
}
