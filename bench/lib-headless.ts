/**
 * A real headless peerdeck process for benches (the compiled bin, `--json`),
 * whose events can be awaited and whose stdin takes commands.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** The compiled program, as a user runs it. */
export const BIN = fileURLToPath(new URL('../../bin/peerdeck.js', import.meta.url));

const LF = 0x0a;

/** One `--json` event line. */
export type Event = { type: string } & Record<string, unknown>;

/** A running headless child. */
export interface Headless {
  /** The child; its stdout is null when the bench reads it through its own socket (`headlessReadCheaply`). */
  proc: ChildProcessByStdio<Writable, Readable | null, Readable>;
  /** The first event (already seen or still to come) that matches, or a rejection after `waitMs`. */
  next(pred: (e: Event) => boolean, waitMs?: number): Promise<Event>;
  /** The first matching event from now on (ignores what was already seen). */
  upcoming(pred: (e: Event) => boolean, waitMs?: number): Promise<Event>;
  /** Sends one stdin line (a command or a chat line). */
  send(line: string): void;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
  /** Bytes read from the child's stdout so far. */
  readonly stdoutBytes: number;
}

/**
 * The program's arguments with `--chat-port 0` added unless they already say how chat listens
 * (`--chat-port P`, `--chat-port=P`, `--no-chat`): a bench that left it out listened on the fixed
 * port 6350 and failed whenever another process held it; and with chat running, `--no-discovery`
 * unless `lanDiscovery` (LAN discovery multicasts on the LAN) (test/fixed-ports.test.ts checks
 * every command line; test/cli/cli-process.ts has the same function for the tests).
 */
export function chatPortZero(args: readonly string[], lanDiscovery = false): string[] {
  const out = [...args];
  if (args.includes('--no-chat')) return out;
  if (!args.some((a) => a === '--chat-port' || a.startsWith('--chat-port='))) out.push('--chat-port', '0');
  if (!lanDiscovery && !args.includes('--no-discovery')) out.push('--no-discovery');
  return out;
}

type HeadlessOptions = { keep?: boolean; onLine?: (line: string) => void };

/**
 * Starts `peerdeck --headless --json ...args` (chat on port 0 unless `args` say otherwise:
 * chatPortZero). Events are parsed only while
 * someone waits or `keep` is set, so a bench that floods the child's stdout
 * measures the child, not this parser.
 */
export function headless(args: string[], opts: HeadlessOptions = {}): Headless {
  const proc = spawn(process.execPath, [BIN, '--headless', '--json', '--log-level', 'warn', ...chatPortZero(args)]);
  const h = reader(proc, opts);
  proc.stdout.on('data', (chunk: Buffer) => h.feed(chunk, false));
  return h.node;
}

/**
 * The same, with the child's stdout read into one reused 64 KiB buffer (`onread`) instead of
 * a fresh allocation per read: a relay under test prints a line per relayed message, and
 * reading three of them through Node's stream reads cost the bench about 0.6 µs of CPU a line
 * on the two cores the relays need (issue 9). The child's stdout is still a connected
 * AF_UNIX stream socket, as it is with `stdio: 'pipe'` (libuv makes a socketpair), and every
 * byte of it is read.
 */
export async function headlessReadCheaply(args: string[], opts: HeadlessOptions = {}): Promise<Headless> {
  const dir = await mkdtemp(join(tmpdir(), 'peerdeck-bench-out-'));
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(join(dir, 'stdout.sock'), resolve);
    });
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    const buffer = Buffer.allocUnsafe(64 * 1024);
    let h: ReturnType<typeof reader> | undefined;
    const ours = connect({ path: join(dir, 'stdout.sock'), onread: { buffer, callback: (n: number, b: Uint8Array) => (h?.feed(Buffer.from(b.buffer, b.byteOffset, n), true), true) } });
    ours.on('error', () => undefined);
    const theirs = await accepted;
    const proc = spawn(process.execPath, [BIN, '--headless', '--json', '--log-level', 'warn', ...chatPortZero(args)], { stdio: ['pipe', theirs, 'pipe'] });
    theirs.destroy(); // the child has its own copy
    // Stopped once the child has exited and its last bytes are read (or a while after the exit).
    const eof = new Promise<void>((resolve) => {
      ours.once('close', () => resolve());
      proc.once('exit', () => setTimeout(() => (ours.destroy(), resolve()), 5_000).unref());
    });
    h = reader(proc, opts, eof);
    return h.node;
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * What both readers share: the line splitter (run only while someone looks at lines), the
 * waiters, stdin and stop (which also waits for `eof`, the end of what stdout had).
 * `feed(chunk, reused)`: `reused` when the chunk's memory is read into again, so what is
 * kept of it must be copied.
 */
function reader(proc: ChildProcessByStdio<Writable, Readable | null, Readable>, opts: HeadlessOptions, eof?: Promise<void>): { node: Headless; feed(chunk: Buffer, reused: boolean): void } {
  const waiters: Array<{ pred: (e: Event) => boolean; resolve(e: Event): void }> = [];
  const seen: Event[] = [];
  const onLine = (line: string): void => {
    opts.onLine?.(line);
    if (waiters.length === 0 && opts.keep === false) return;
    let e: Event;
    try {
      e = JSON.parse(line) as Event;
    } catch {
      return;
    }
    if (opts.keep !== false) seen.push(e);
    for (const w of [...waiters]) if (w.pred(e)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(e));
  };
  // Lines are split out only while someone looks at them: a relay under test prints a line
  // per relayed message, and this reader must cost the machine little next to it (issue 9).
  let rest: Buffer | undefined;
  let stdoutBytes = 0;
  const feed = (chunk: Buffer, reused: boolean): void => {
    stdoutBytes += chunk.length;
    if (waiters.length === 0 && opts.keep === false && !opts.onLine) {
      const last = chunk.lastIndexOf(LF);
      const tail = last === -1 ? (rest ? Buffer.concat([rest, chunk]) : chunk) : chunk.subarray(last + 1);
      rest = reused && tail.buffer === chunk.buffer ? Buffer.from(tail) : tail;
      return;
    }
    const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(LF); nl !== -1; nl = buf.indexOf(LF, start)) {
      onLine(buf.toString('utf8', start, nl));
      start = nl + 1;
    }
    rest = start < buf.length ? (reused && buf.buffer === chunk.buffer ? Buffer.from(buf.subarray(start)) : buf.subarray(start)) : undefined;
  };
  let stderr = '';
  proc.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const wait = (pred: (e: Event) => boolean, waitMs: number): Promise<Event> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`peerdeck child: event not seen in ${waitMs} ms; stderr: ${stderr}`)), waitMs);
      waiters.push({ pred, resolve: (e) => (clearTimeout(timer), resolve(e)) });
    });
  const node: Headless = {
    proc,
    next: (pred, waitMs = 120_000) => {
      const old = seen.find(pred);
      return old ? Promise.resolve(old) : wait(pred, waitMs);
    },
    upcoming: (pred, waitMs = 120_000) => wait(pred, waitMs),
    send: (line) => proc.stdin.write(line + '\n'),
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      await eof;
    },
    get stdoutBytes() {
      return stdoutBytes;
    },
  };
  return { node, feed };
}

/** Asks `/shares` until the library has hashed everything (so no hashing competes with a measurement). */
export async function untilHashed(node: Headless, waitMs = 300_000): Promise<void> {
  const t0 = performance.now();
  for (;;) {
    const answer = node.upcoming((ev) => ev.type === 'notice' && / still to hash/.test(String(ev.text)), waitMs);
    node.send('/shares');
    const e = await answer;
    if (/ 0 still to hash/.test(String(e.text))) return;
    if (performance.now() - t0 > waitMs) throw new Error(`still hashing after ${waitMs} ms: ${String(e.text)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
