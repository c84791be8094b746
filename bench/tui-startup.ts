/**
 * TUI start-up and burst benchmark (issue 3, "Speed"). In-process, on fake
 * streams (no pty): a PassThrough for keys and a discarding 120x40 "TTY"
 * output.
 *   tui.startup_ms          runTui() call -> first frame bytes written (blessed already loaded)
 *   tui.process_to_frame_ms process start -> first frame (includes loading blessed and the TUI)
 *   tui.burst_10k_frames    frames drawn while 10,000 chat lines arrive (100 reads of 100 lines)
 *   tui.burst_ms            time until the burst is fully drawn
 *   tui.burst_max_lag_ms    worst event-loop delay during the burst
 *   tui.program_first_frame_ms  the real program under `script` (a pty): spawn -> first frame
 *   tui.npm_start_first_frame_ms  the same through `npm start` on an up-to-date build (what the
 *                                 README tells users to run; npm's own start-up included), median of 3
 * Target: first frame < 300 ms; frames batched at most one per ~16 ms.
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

  const program = await programFirstFrame();
  console.log(`tui.startup_ms: ${warm[2]?.toFixed(1)}`);
  if (program !== undefined) console.log(`tui.program_first_frame_ms: ${program.toFixed(1)}`);
  const viaNpm: number[] = [];
  for (let i = 0; i < 3; i++) {
    const ms = await programFirstFrame('npm start --silent --');
    if (ms !== undefined) viaNpm.push(ms);
  }
  viaNpm.sort((a, b) => a - b);
  const mid = viaNpm[Math.floor(viaNpm.length / 2)];
  if (mid !== undefined) console.log(`tui.npm_start_first_frame_ms: ${mid.toFixed(0)} (min ${viaNpm[0]!.toFixed(0)}, max ${viaNpm.at(-1)!.toFixed(0)}, ${viaNpm.length} rounds; target < 1000)`);
  console.log(`tui.process_to_frame_ms: ${processToFrame.toFixed(1)}`);
  console.log(`tui.burst_10k_frames: ${frames}`);
  console.log(`tui.burst_ms: ${burstMs.toFixed(1)}`);
  console.log(`tui.burst_max_lag_ms: ${(lag.max / 1e6).toFixed(1)}`);
}

/**
 * The real program (dist/src/main.js, or `launcher` such as `npm start --silent --`; chat on
 * 127.0.0.1, no discovery) under `script` for a pty: spawn -> first frame on its terminal.
 * Undefined when `script` or the build is missing.
 */
async function programFirstFrame(launcher?: string): Promise<number | undefined> {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const main = join(root, 'dist', 'src', 'main.js');
  if (!existsSync(main) || !existsSync('/usr/bin/script')) return undefined;
  const dir = await mkdtemp(join(tmpdir(), 'peerdeck-bench-'));
  try {
    const run = launcher ?? `${process.execPath} ${main}`;
    const cmd = `stty cols 120 rows 40; cd ${root}; exec ${run} --nick bench --chat-port 0 --chat-host 127.0.0.1 --no-discovery --data-dir ${dir}`;
    const t0 = performance.now();
    const child = spawn('/usr/bin/script', ['-qfec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, TERM: 'xterm-256color' } });
    const at = await new Promise<number | undefined>((res) => {
      let seen = '';
      const timer = setTimeout(() => res(undefined), 10_000);
      child.stdout.on('data', (c: Buffer) => {
        seen += c.toString('utf8');
        if (seen.includes('1:chat')) {
          clearTimeout(timer);
          res(performance.now());
        }
      });
      child.once('exit', () => res(undefined));
    });
    child.stdin.write('\x03'); // Ctrl-C quits
    await new Promise<void>((res) => {
      const kill = setTimeout(() => child.kill('SIGTERM'), 3_000);
      child.once('exit', () => {
        clearTimeout(kill);
        res();
      });
    });
    return at === undefined ? undefined : at - t0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function lastDrawnContains(tui: { controller: { model: { activeTab: { lines: { endSeq: number; get(seq: number): { spans: readonly { text: string }[] } | undefined } } } } }, text: string): boolean {
  const lines = tui.controller.model.activeTab.lines;
  const last = lines.get(lines.endSeq - 1);
  return last !== undefined && last.spans.some((s) => s.text.includes(text));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
