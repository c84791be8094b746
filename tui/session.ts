/**
 * One run of the TUI: owns the terminal from start() until finish(), and gives
 * it back on every path: quit, a quit signal, the end of input, a crash
 * (uncaughtException / unhandledRejection while it runs) and process exit.
 *
 * Signals: blessed installs process-wide handlers (uncaughtException,
 * SIGTERM, SIGINT, SIGQUIT, exit) that call process.exit() when they are the
 * only listener. While a session runs, ours are installed too, so blessed's
 * stay inert and the caller keeps control of shutdown; ours are removed when
 * the session ends.
 */
import { PassThrough } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { AppApi, AppEvent } from '../src/app-api.js';
import { systemClock, type Clock } from '../src/clock.js';
import { BlessedSurface } from './blessed-surface.js';
import { Controller } from './controller.js';
import { InputSplitter, type InputPiece } from './input-splitter.js';
import type { KeyInfo } from './keymap.js';
import { DEFAULT_SCROLLBACK } from './scrollback.js';

const BRACKETED_PASTE_ON = '\x1b[?2004h';
const BRACKETED_PASTE_OFF = '\x1b[?2004l';
/** How long a lone ESC waits for the rest of a paste marker before it counts as the Escape key. */
const ESC_WAIT_MS = 25;
const QUIT_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'] as const;

function bestEffort(step: () => void): void {
  try {
    step();
  } catch {
    // The terminal is gone; there is nothing left to restore on it.
  }
}

/** TuiOptions with the defaults filled in. */
export interface SessionOptions {
  mouse: boolean;
  scrollback: number;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  bell: boolean;
  clock?: Clock;
  earlier?: readonly AppEvent[];
}

interface RawModeStream {
  isTTY?: boolean;
  isRaw?: boolean;
  setRawMode?: (mode: boolean) => unknown;
}

interface MouseInfo {
  action?: string;
  x?: number;
  y?: number;
}

/** Owns the terminal for one runTui call (see the module comment). */
export class TuiSession {
  readonly surface: BlessedSurface;
  readonly controller: Controller;
  /** Settles when the session ends: resolves on quit, rejects with a crash. */
  readonly ended: Promise<void>;
  readonly #opts: SessionOptions;
  readonly #keys = new PassThrough();
  readonly #splitter = new InputSplitter();
  readonly #decoder = new StringDecoder('utf8');
  readonly #raw: RawModeStream;
  readonly #wasRaw: boolean;
  #escTimer: NodeJS.Timeout | undefined;
  #done = false;
  #resolve: () => void = () => undefined;
  #reject: (err: Error) => void = () => undefined;

  constructor(api: AppApi, opts: SessionOptions) {
    this.#opts = opts;
    this.#raw = opts.input as RawModeStream;
    this.#wasRaw = this.#raw.isRaw === true;
    this.ended = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // blessed reads keys from #keys; we read the terminal and decide what is a paste.
    this.surface = new BlessedSurface({ input: this.#keys, output: opts.output, mouse: opts.mouse });
    try {
      this.controller = new Controller(api, this.surface, {
        scrollback: opts.scrollback > 0 ? opts.scrollback : DEFAULT_SCROLLBACK,
        bell: opts.bell,
        ...(opts.earlier ? { earlier: opts.earlier } : {}),
        clock: opts.clock ?? systemClock,
        onQuit: () => this.finish(),
      });
    } catch (err) {
      this.surface.destroy();
      throw err;
    }
  }

  readonly #onData = (chunk: Buffer | string): void => {
    clearTimeout(this.#escTimer);
    const text = typeof chunk === 'string' ? chunk : this.#decoder.write(chunk);
    this.#deliver(this.#splitter.push(text));
    if (this.#splitter.holding) this.#escTimer = setTimeout(() => this.#deliver(this.#splitter.flush()), ESC_WAIT_MS);
  };
  readonly #onSignal = (): void => this.finish();
  /** The terminal went away (stdin closed): nothing more can be typed. */
  readonly #onEnd = (): void => this.finish();
  readonly #onCrash = (err: unknown): void => this.finish(err instanceof Error ? err : new Error(String(err)));
  readonly #onExit = (): void => this.#restore();

  #deliver(pieces: InputPiece[]): void {
    for (const piece of pieces) {
      if (piece.kind === 'keys') this.#keys.write(piece.data);
      else if (piece.kind === 'text') this.controller.onText(piece.text);
      else this.controller.onPaste(piece.text);
    }
  }

  /** Takes the terminal and draws the first frame. */
  start(): void {
    for (const s of QUIT_SIGNALS) process.on(s, this.#onSignal);
    process.on('uncaughtException', this.#onCrash);
    process.on('unhandledRejection', this.#onCrash);
    process.on('exit', this.#onExit);
    try {
      if (this.#raw.setRawMode && this.#raw.isTTY) this.#raw.setRawMode(true);
      this.#opts.output.write(BRACKETED_PASTE_ON);
      const program = this.surface.screen.program;
      program.on('keypress', (ch: string | undefined, key: KeyInfo) => this.controller.onKey(ch, key));
      this.surface.screen.on('resize', () => this.controller.frames.flush(true));
      if (this.#opts.mouse) program.on('mouse', (m: MouseInfo) => this.#mouse(m));
      this.#opts.input.on('data', this.#onData);
      this.#opts.input.once('end', this.#onEnd);
      // A terminal that goes away fails reads and writes with EIO: that ends the session too.
      this.#opts.input.on('error', this.#onEnd);
      this.#opts.output.on('error', this.#onEnd);
      this.#opts.input.resume();
      this.controller.start();
      this.controller.frames.flush(true);
    } catch (err) {
      this.finish(err instanceof Error ? err : new Error(String(err)));
    }
  }

  #mouse(m: MouseInfo): void {
    if (m.action === 'wheelup') this.controller.scroll('lineUp');
    else if (m.action === 'wheeldown') this.controller.scroll('lineDown');
    else if (m.action === 'mousedown' && m.y === 0 && m.x !== undefined) this.controller.clickTabBar(m.x);
  }

  /** Ends the session (idempotent): restores the terminal, then settles `ended`. */
  finish(err?: Error): void {
    if (this.#done) return;
    this.#done = true;
    this.#restore();
    for (const s of QUIT_SIGNALS) process.removeListener(s, this.#onSignal);
    process.removeListener('uncaughtException', this.#onCrash);
    process.removeListener('unhandledRejection', this.#onCrash);
    process.removeListener('exit', this.#onExit);
    this.#opts.input.pause();
    this.#keys.end();
    if (err) this.#reject(err);
    else this.#resolve();
  }

  #restore(): void {
    clearTimeout(this.#escTimer);
    this.controller.stop();
    this.#opts.input.removeListener('data', this.#onData);
    this.#opts.input.removeListener('end', this.#onEnd);
    // Each step is best-effort: when the terminal is already gone (its window was
    // closed: SIGHUP, EIO on every call) the session must still end, or the node
    // would keep running with nobody to see it.
    bestEffort(() => {
      if (this.#raw.setRawMode && this.#raw.isTTY) this.#raw.setRawMode(this.#wasRaw);
    });
    bestEffort(() => this.surface.destroy());
    bestEffort(() => this.#opts.output.write(BRACKETED_PASTE_OFF));
  }
}
