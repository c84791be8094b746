/**
 * The terminal UI's entry point (issue 3). `runTui` owns the terminal until the
 * user quits (/quit, Ctrl-C, SIGTERM/SIGINT/SIGHUP/SIGQUIT) and always gives it
 * back, also when the process crashes while it runs (then runTui rejects with
 * the error, after restoring the terminal). The caller then stops the node
 * (`api.stop()`). See session.ts for how blessed's process-wide signal
 * handlers are kept inert.
 */
import type { AppApi, AppEvent } from '../src/app-api.js';
import type { Clock } from '../src/clock.js';
import type { BlessedSurface } from './blessed-surface.js';
import type { Controller } from './controller.js';
import { TuiSession } from './session.js';

/** How main.ts (and tests) start the TUI: `--mouse` and `--scrollback N` map to `mouse` and `scrollback`. */
export interface TuiOptions {
  /** Capture the mouse (wheel scrolls, a click on a window name switches). Off: text stays selectable. */
  mouse: boolean;
  /** Lines kept per window (default 10,000 when 0). */
  scrollback: number;
  /** Default process.stdin / process.stdout. */
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** Ring the terminal bell when our nick is mentioned (default true). */
  bell?: boolean;
  /**
   * Events that happened before the TUI started (what the node said while it
   * started: `ready`, links dialled by `--connect`, ...); shown first, in order.
   */
  earlier?: readonly AppEvent[];
  /** Tests and benchmarks: inject time, reach the running TUI. */
  clock?: Clock;
  onStart?: (tui: RunningTui) => void;
}

/** What a test or benchmark can reach of a running TUI. */
export interface RunningTui {
  readonly controller: Controller;
  readonly surface: BlessedSurface;
  quit(): void;
}

/** Whether the TUI can run on this output: it needs a terminal (else main.ts goes headless). */
export function canRunTui(stdout: NodeJS.WritableStream & { isTTY?: boolean }): boolean {
  return stdout.isTTY === true;
}

/**
 * Runs the TUI on `api` until the user quits; resolves then (the caller stops
 * the node), rejects with the error if the process crashed while it ran. The
 * terminal is restored either way.
 */
export async function runTui(api: AppApi, opts: TuiOptions): Promise<void> {
  const session = new TuiSession(api, {
    mouse: opts.mouse,
    scrollback: opts.scrollback,
    input: opts.input ?? process.stdin,
    output: opts.output ?? process.stdout,
    bell: opts.bell !== false,
    ...(opts.earlier ? { earlier: opts.earlier } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  session.start();
  opts.onStart?.({ controller: session.controller, surface: session.surface, quit: () => session.finish() });
  return session.ended;
}
