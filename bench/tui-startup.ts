/**
 * TUI start-up and burst benchmark (issue 3, "Speed"). In-process, on fake
 * streams (no pty): a PassThrough for keys and a discarding 120x40 "TTY"
 * output.
 *   tui.startup_ms          runTui() call -> first frame bytes written (blessed already loaded)
 *   tui.process_to_frame_ms process start -> first frame (includes loading blessed and the TUI)
 *   tui.burst_10k_frames    frames drawn while 10,000 chat lines arrive (100 reads of 100 lines)
 *   tui.burst_ms            time until the burst is fully drawn
 *   tui.burst_max_lag_ms    worst event-loop delay during the burst
 * And as the user starts it, under `script` for a pty (rows of the table):
 *   tui.program_first_frame_ms    `bin/peerdeck.js` (chat on loopback, no discovery): spawn ->
 *                                 first frame on its terminal, median of BENCH_ROUNDS (at least 5)
 *                                 rounds after one unmeasured warm-up, alternating with the
 *                                 reference: `node -e 0` under the same pty wrapper, spawn to exit
 *                                 (what Node and the wrapper cost before any of our code runs)
 *   tui.npm_start_first_frame_ms  the same through `npm start` on an up-to-date build (what the
 *                                 README tells users to run; npm's own start-up included), median
 *                                 of at least 3 rounds
 * Target: first frame < 300 ms (npm start: < 1 s); frames batched at most one per ~16 ms.
 * `TUI_STARTUP_BIN=/path/to/bin/peerdeck.js` measures another build's program (an old one beside
 * this, for a before/after); `TUI_STARTUP_OLD=/path/to/old/bin/peerdeck.js` adds that build as a
 * third contender in the same alternation (ours, old, reference, ours, ...) and prints its row.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance, monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { PassThrough, Writable } from 'node:stream';
import type { AppApi, AppEvent, AppSnapshot, CommandSpec } from '../src/app-api.js';
import { alternate, belowTarget, DEFAULT_ROUNDS, MIN_ROUNDS, report, skip, type Round } from './lib-measure.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = process.env.TUI_STARTUP_BIN || join(ROOT, 'bin', 'peerdeck.js');
const OLD_BIN = process.env.TUI_STARTUP_OLD || undefined;
const ROUNDS = Math.max(5, DEFAULT_ROUNDS);
const TARGET_MS = 300;
const NPM_TARGET_MS = 1_000;
/** A first frame later than this is a failure, not a figure. */
const WAIT_MS = 10_000;
const BURST = 10_000;
const PER_READ = 100;

class BenchApi implements AppApi {
  readonly listeners = new Set<(e: AppEvent) => void>();
  async run(): Promise<string[]> {
    return [];
  }
  resolve(): string | undefined {
    return 'chat';
  }
  commands(): Array<{ plugin: string; commands: CommandSpec[] }> {
    return [{ plugin: 'chat', commands: [{ name: 'say', args: '<text>', help: 'send' }] }];
  }
  subscribe(l: (e: AppEvent) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  emit(e: AppEvent): void {
    for (const l of this.listeners) l(e);
  }
  snapshot(): AppSnapshot {
    return { nick: 'bench', plugins: ['chat'], ports: { chat: 6350 }, status: { chat: { ports: { chat: 6350 }, peers: 3 } }, peers: [] };
  }
  async stop(): Promise<void> {}
}

class NullTty extends Writable {
  readonly isTTY = true;
  columns = 120;
  rows = 40;
  bytes = 0;
  onWrite: ((s: string) => void) | undefined;
  override _write(chunk: unknown, _enc: BufferEncoding, cb: () => void): void {
    const s = typeof chunk === 'string' ? chunk : String(chunk);
    this.bytes += s.length;
    this.onWrite?.(s);
    cb();
  }
}

async function main(): Promise<void> {
  const { runTui } = await import('../tui/index.js');
  type Running = Parameters<NonNullable<Parameters<typeof runTui>[1]['onStart']>>[0];

  const start = async (): Promise<{ tui: Running; api: BenchApi; out: NullTty; done: Promise<void>; firstFrameMs: number; t0: number }> => {
    const api = new BenchApi();
    const out = new NullTty();
    const input = new PassThrough();
    const t0 = performance.now();
    let tui: Running | undefined;
    const firstFrame = new Promise<number>((res) => {
      out.onWrite = (s) => {
        if (s.includes('1:chat')) {
          out.onWrite = undefined;
          res(performance.now());
        }
      };
    });
    const done = runTui(api, { mouse: false, scrollback: 10_000, input, output: out, bell: false, onStart: (t) => (tui = t) });
    const at = await firstFrame;
    if (!tui) throw new Error('TUI did not start');
    return { tui, api, out, done, firstFrameMs: at - t0, t0 };
  };

  // First run: cold (module loading and JIT included), measured from process start.
  const cold = await start();
  const processToFrame = cold.t0 + cold.firstFrameMs;
  cold.tui.quit();
  await cold.done;

  // Warm start-up, median of 5.
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) {
    const r = await start();
    warm.push(r.firstFrameMs);
    r.tui.quit();
    await r.done;
  }
  warm.sort((a, b) => a - b);

  // Burst: 10,000 lines in reads of 100, one read per event-loop turn.
  const r = await start();
  const framesBefore = r.tui.controller.frames.frames;
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  const t0 = performance.now();
  for (let sent = 0; sent < BURST; sent += PER_READ) {
    for (let i = 0; i < PER_READ; i++) {
      const n = sent + i;
      r.api.emit({ type: 'chat.line', protocol: 'chat', kind: 'msg', id: `m${n}`, nick: `peer${n % 17}`, text: `burst line ${n} with some ordinary chat text in it`, origin: 'o', at: Date.now(), hops: 1, self: false });
    }
    await new Promise((res) => setImmediate(res));
  }
  // Wait until the last line is on screen.
  await new Promise<void>((res) => {
    const check = (): void => {
      if (r.tui.controller.frames.frames > framesBefore && lastDrawnContains(r.tui, `burst line ${BURST - 1}`)) res();
      else setTimeout(check, 5);
    };
    check();
  });
  const burstMs = performance.now() - t0;
  lag.disable();
  const frames = r.tui.controller.frames.frames - framesBefore;
  r.tui.quit();
  await r.done;

  console.log(`tui.startup_ms: ${warm[2]?.toFixed(1)}`);
  console.log(`tui.process_to_frame_ms: ${processToFrame.toFixed(1)}`);
  console.log(`tui.burst_10k_frames: ${frames}`);
  console.log(`tui.burst_ms: ${burstMs.toFixed(1)}`);
  console.log(`tui.burst_max_lag_ms: ${(lag.max / 1e6).toFixed(1)}`);
  await programRows();
}

/** The rows of the real program under a pty (see the module comment). */
async function programRows(): Promise<void> {
  const title = 'TUI, program start to first frame under a pty: bin/peerdeck.js';
  const npmTitle = 'TUI, `npm start` to first frame under a pty (up-to-date build)';
  if (!existsSync('/usr/bin/script')) {
    skip('tui.program_first_frame_ms', title, 'no /usr/bin/script for a pty');
    skip('tui.npm_start_first_frame_ms', npmTitle, 'no /usr/bin/script for a pty');
    return;
  }
  const node = process.execPath;
  const args = '--nick bench --chat-port 0 --chat-host 127.0.0.1 --no-discovery';
  const program = (bin: string): Round => () => ptyFirstFrame(`${node} ${bin} ${args}`);
  const reference: Round = () => ptyFirstFrame(`${node} -e 0`, false);
  const contenders = [program(BIN), ...(OLD_BIN ? [program(OLD_BIN)] : []), reference];
  for (const c of contenders) await c(); // warm-up: the page cache, the data dir's first start
  const [ours, ...rest] = await alternate(contenders, ROUNDS);
  const ref = { label: '`node -e 0` under the same pty wrapper, spawn to exit', stats: rest.at(-1)! };
  report({ name: 'tui.program_first_frame_ms', title, unit: 'ms', better: 'lower', ours: ours!, reference: ref, target: belowTarget(TARGET_MS, 'ms', ours!) });
  if (OLD_BIN) {
    report({ name: 'tui.program_first_frame_ms.old', title: `${title}, the build at ${OLD_BIN}`, unit: 'ms', better: 'lower', ours: rest[0]!, reference: ref, target: belowTarget(TARGET_MS, 'ms', rest[0]!) });
  }
  const [viaNpm] = await alternate([() => ptyFirstFrame('npm start --silent -- ' + args)], MIN_ROUNDS);
  report({ name: 'tui.npm_start_first_frame_ms', title: npmTitle, unit: 'ms', better: 'lower', ours: viaNpm!, reference: ref, target: belowTarget(NPM_TARGET_MS, 'ms', viaNpm!) });
}

/**
 * `run` under `script` for a pty of 120x40 (TERM xterm-256color), from the repository's root:
 * milliseconds from spawn to the first frame on its terminal (then Ctrl-C, as a user quits), or
 * to its exit when `frame` is false (the reference). Rejects when neither comes in WAIT_MS.
 */
async function ptyFirstFrame(run: string, frame = true): Promise<number> {
  const cmd = `stty cols 120 rows 40; cd ${ROOT}; exec ${run}${frame ? ` --data-dir ${await dataDir()}` : ''}`;
  const t0 = performance.now();
  const child = spawn('/usr/bin/script', ['-qfec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, TERM: 'xterm-256color' } });
  const exited = new Promise<number>((res) => child.once('exit', () => res(performance.now())));
  const at = await new Promise<number | undefined>((res) => {
    let seen = '';
    const timer = setTimeout(() => res(undefined), WAIT_MS);
    if (frame) {
      child.stdout.on('data', (c: Buffer) => {
        seen += c.toString('utf8');
        if (seen.includes('1:chat')) {
          clearTimeout(timer);
          res(performance.now());
        }
      });
    } else child.stdout.resume();
    void exited.then((t) => {
      clearTimeout(timer);
      res(frame ? undefined : t);
    });
  });
  if (frame) child.stdin.write('\x03'); // Ctrl-C quits
  const kill = setTimeout(() => child.kill('SIGTERM'), 3_000);
  await exited;
  clearTimeout(kill);
  if (at === undefined) throw new Error(`${run}: no ${frame ? 'first frame' : 'exit'} within ${WAIT_MS} ms`);
  return at - t0;
}

/** One data dir for the whole run: each program start after the warm-up is a restart, as users start it. */
let dataDirMade: Promise<string> | undefined;
function dataDir(): Promise<string> {
  return (dataDirMade ??= mkdtemp(join(tmpdir(), 'peerdeck-bench-tui-')));
}

function lastDrawnContains(tui: { controller: { model: { activeTab: { lines: { endSeq: number; get(seq: number): { spans: readonly { text: string }[] } | undefined } } } } }, text: string): boolean {
  const lines = tui.controller.model.activeTab.lines;
  const last = lines.get(lines.endSeq - 1);
  return last !== undefined && last.spans.some((s) => s.text.includes(text));
}

main().then(
  async () => {
    if (dataDirMade) await rm(await dataDirMade, { recursive: true, force: true });
    process.exit(0);
  },
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
