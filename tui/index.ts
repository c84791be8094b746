/**
 * The terminal UI's entry point. `runTui` owns the terminal until the user
 * quits (/quit, Ctrl-C, SIGTERM/SIGINT/SIGHUP) and always gives it back: on
 * quit, on a crash (uncaughtException / unhandledRejection while it runs) and
 * on process exit. The caller then stops the node (`api.stop()`).
 *
 * Signals: blessed installs process-wide handlers (uncaughtException,
 * SIGTERM, SIGINT, SIGQUIT, exit) that call process.exit() when they are the
 * only listener. While runTui runs, our own handlers for those events are
 * installed, so blessed's stay inert and the caller keeps control of shutdown;
 * ours are removed when runTui settles. A crash makes runTui reject with the
 * error after the terminal is restored.
 */
import { PassThrough } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { AppApi } from '../src/app-api.js';
import { systemClock, type Clock } from '../src/clock.js';
import { BlessedSurface } from './blessed-surface.js';
import { Controller } from './controller.js';
import { InputSplitter, type InputPiece } from './input-splitter.js';
import { DEFAULT_SCROLLBACK } from './scrollback.js';

export interface TuiOptions {
  /** Capture the mouse (wheel scrolls, click on a window name switches). Off: text stays selectable. */
  mouse: boolean;
  /** Lines kept per window (default 10,000). */
  scrollback: number;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** Ring the terminal bell when our nick is mentioned (default true). */
  bell?: boolean;
  /** Tests and benchmarks: inject time, watch the running TUI. */
  clock?: Clock;
  onStart?: (tui: RunningTui) => void;
}

/** What a test or benchmark can reach of a running TUI. */
export interface RunningTui {
  readonly controller: Controller;
  readonly surface: BlessedSurface;
  quit(): void;
}

const BRACKETED_PASTE_ON = '\x1b[?2004h';
const BRACKETED_PASTE_OFF = '\x1b[?2004l';
/** How long a lone ESC waits for the rest of a paste marker before it counts as the Escape key. */
const ESC_WAIT_MS = 25;
const QUIT_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'] as const;

/** Whether the TUI can run on this output: it needs a terminal (else main.ts goes headless). */
export function canRunTui(stdout: NodeJS.WritableStream & { isTTY?: boolean }): boolean {
  return stdout.isTTY === true;
}

interface RawModeStream {
  isTTY?: boolean;
  isRaw?: boolean;
  setRawMode?: (mode: boolean) => unknown;
}

export function runTui(api: AppApi, opts: TuiOptions): Promise<void> {
  const input = opts.input ?? process.stdin;
  const output = opts.output ?? process.stdout;
  const raw = input as NodeJS.ReadableStream & RawModeStream;
  const wasRaw = raw.isRaw === true;

  return new Promise<void>((resolve, reject) => {
    // blessed reads keys from `keys`; we read the terminal and decide what is a paste.
    const keys = new PassThrough();
    const surface = new BlessedSurface({ input: keys, output, mouse: opts.mouse });
    const controller = new Controller(api, surface, {
      scrollback: opts.scrollback > 0 ? opts.scrollback : DEFAULT_SCROLLBACK,
      bell: opts.bell !== false,
      clock: opts.clock ?? systemClock,
      onQuit: () => finish(),
    });
    const splitter = new InputSplitter();
    const decoder = new StringDecoder('utf8');
    let done = false;

    let escTimer: NodeJS.Timeout | undefined;
    const deliver = (pieces: InputPiece[]): void => {
      for (const piece of pieces) {
        if (piece.kind === 'keys') keys.write(piece.data);
        else if (piece.kind === 'text') controller.onText(piece.text);
        else controller.onPaste(piece.text);
      }
    };
    const onData = (chunk: Buffer | string): void => {
      clearTimeout(escTimer);
      const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
      deliver(splitter.push(text));
      if (splitter.holding) escTimer = setTimeout(() => deliver(splitter.flush()), ESC_WAIT_MS);
    };
    const onSignal = (): void => finish();
    const onCrash = (err: unknown): void => finish(err instanceof Error ? err : new Error(String(err)));
    const onExit = (): void => restore();

    function restore(): void {
      clearTimeout(escTimer);
      controller.stop();
      input.removeListener('data', onData);
      if (raw.setRawMode && raw.isTTY) raw.setRawMode(wasRaw);
      surface.destroy();
      output.write(BRACKETED_PASTE_OFF);
    }

    function finish(err?: Error): void {
      if (done) return;
      done = true;
      restore();
      for (const s of QUIT_SIGNALS) process.removeListener(s, onSignal);
      process.removeListener('uncaughtException', onCrash);
      process.removeListener('unhandledRejection', onCrash);
      process.removeListener('exit', onExit);
      input.pause();
      keys.end();
      if (err) reject(err);
      else resolve();
    }

    for (const s of QUIT_SIGNALS) process.on(s, onSignal);
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    process.on('exit', onExit);

    try {
      if (raw.setRawMode && raw.isTTY) raw.setRawMode(true);
      output.write(BRACKETED_PASTE_ON);
      surface.screen.program.on('keypress', (ch: string | undefined, key: { full?: string; name?: string; ctrl?: boolean; meta?: boolean; shift?: boolean }) => controller.onKey(ch, key));
      surface.screen.on('resize', () => controller.frames.flush(true));
      if (opts.mouse) {
        surface.screen.program.on('mouse', (m: { action?: string; x?: number; y?: number }) => {
          if (m.action === 'wheelup') controller.scroll('lineUp');
          else if (m.action === 'wheeldown') controller.scroll('lineDown');
        });
      }
      input.on('data', onData);
      input.resume();
      controller.start();
      controller.frames.flush(true);
      opts.onStart?.({ controller, surface, quit: () => finish() });
    } catch (err) {
      finish(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

export type { Controller } from './controller.js';
