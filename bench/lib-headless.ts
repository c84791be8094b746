/**
 * A real headless peerdeck process for benches (the compiled bin, `--json`),
 * whose events can be awaited and whose stdin takes commands.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The compiled program, as a user runs it. */
export const BIN = fileURLToPath(new URL('../../bin/peerdeck.js', import.meta.url));

const LF = 0x0a;

/** One `--json` event line. */
export type Event = { type: string } & Record<string, unknown>;

/** A running headless child. */
export interface Headless {
  proc: ChildProcessWithoutNullStreams;
  /** The first event (already seen or still to come) that matches, or a rejection after `waitMs`. */
  next(pred: (e: Event) => boolean, waitMs?: number): Promise<Event>;
  /** The first matching event from now on (ignores what was already seen). */
  upcoming(pred: (e: Event) => boolean, waitMs?: number): Promise<Event>;
  /** Sends one stdin line (a command or a chat line). */
  send(line: string): void;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Starts `peerdeck --headless --json ...args`. Events are parsed only while
 * someone waits or `keep` is set, so a bench that floods the child's stdout
 * measures the child, not this parser.
 */
export function headless(args: string[], opts: { keep?: boolean; onLine?: (line: string) => void } = {}): Headless {
  const proc = spawn(process.execPath, [BIN, '--headless', '--json', '--log-level', 'warn', ...args]);
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
  proc.stdout.on('data', (chunk: Buffer) => {
    if (waiters.length === 0 && opts.keep === false && !opts.onLine) {
      const last = chunk.lastIndexOf(LF);
      rest = last === -1 ? (rest ? Buffer.concat([rest, chunk]) : chunk) : chunk.subarray(last + 1);
      return;
    }
    const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(LF); nl !== -1; nl = buf.indexOf(LF, start)) {
      onLine(buf.toString('utf8', start, nl));
      start = nl + 1;
    }
    rest = start < buf.length ? buf.subarray(start) : undefined;
  });
  let stderr = '';
  proc.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const wait = (pred: (e: Event) => boolean, waitMs: number): Promise<Event> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`peerdeck child: event not seen in ${waitMs} ms; stderr: ${stderr}`)), waitMs);
      waiters.push({ pred, resolve: (e) => (clearTimeout(timer), resolve(e)) });
    });
  return {
    proc,
    next: (pred, waitMs = 120_000) => {
      const old = seen.find(pred);
      return old ? Promise.resolve(old) : wait(pred, waitMs);
    },
    upcoming: (pred, waitMs = 120_000) => wait(pred, waitMs),
    send: (line) => proc.stdin.write(line + '\n'),
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
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
