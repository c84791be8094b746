/**
 * The blessed side of the TUI: one screen whose cell buffer we paint
 * ourselves (cell-paint.ts). blessed gives us the terminal lifecycle (alternate
 * screen, keypad mode, cursor, mouse, resize, key parsing, restoring the
 * terminal on destroy) and its diffing draw; we do layout with our own width
 * table so wide characters stay aligned.
 */
import type blessed from 'blessed';
import { createRequire } from 'node:module';
import { patchBlessedTput } from './blessed-tput.js';
import { patchBlessedWidth } from './blessed-width.js';
import { paintLine, type CellLine } from './cell-paint.js';
import type { Surface } from './controller.js';
import type { Frame } from './view.js';

const require = createRequire(import.meta.url);

type ScreenFactory = (options: blessed.Widgets.IScreenOptions) => blessed.Widgets.Screen;

/**
 * Loads only blessed's Screen (and what it needs), not its ~40 widgets:
 * `require('blessed')` costs about twice as long at start-up.
 */
function loadScreen(): ScreenFactory {
  const mod: unknown = require('blessed/lib/widgets/screen');
  if (typeof mod !== 'function') throw new Error('blessed/lib/widgets/screen did not export a constructor');
  return mod as ScreenFactory;
}

/** blessed's screen fields we use that its type declarations leave out. */
interface ScreenInternals {
  lines: CellLine[];
  program: {
    cup(y: number, x: number): void;
    showCursor(): void;
    bell(): void;
    cols: number;
    rows: number;
  };
}

/** Streams for blessed: `input` carries only key bytes (pastes are taken out before), `output` is the terminal. */
export interface BlessedSurfaceOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  mouse: boolean;
}

/** The production Surface: paints frames into a blessed screen and rings its bell. */
export class BlessedSurface implements Surface {
  readonly screen: blessed.Widgets.Screen;
  #destroyed = false;

  constructor(opts: BlessedSurfaceOptions) {
    patchBlessedWidth();
    patchBlessedTput();
    this.screen = loadScreen()({
      input: opts.input,
      output: opts.output,
      // Always xterm-256color: every terminal peerdeck targets (xterm, tmux,
      // screen, VTE, iTerm2, Windows Terminal) speaks it, and blessed 0.1.81
      // cannot parse some newer terminfo entries.
      terminal: 'xterm-256color',
      fullUnicode: true,
      forceUnicode: true,
      smartCSR: true,
      warnings: false,
      autoPadding: false,
      resizeTimeout: 30,
      title: 'peerdeck',
    } as unknown as blessed.Widgets.IScreenOptions);
    if (opts.mouse) this.screen.enableMouse();
  }

  get #internals(): ScreenInternals {
    return this.screen as unknown as ScreenInternals;
  }

  get cols(): number {
    return Math.max(1, this.#internals.program.cols);
  }

  get rows(): number {
    return Math.max(1, this.#internals.program.rows);
  }

  paint(frame: Frame): void {
    if (this.#destroyed) return;
    const lines = this.#internals.lines;
    const rows = [frame.tabBar, ...frame.body, frame.status, frame.input];
    // The body fills whatever rows are left between the bars.
    for (let y = 0; y < lines.length; y++) {
      const line = lines[y];
      if (!line) continue;
      const row = y === 0 ? frame.tabBar : y === lines.length - 1 ? frame.input : y === lines.length - 2 ? frame.status : rows[y];
      paintLine(line, row ?? []);
    }
    this.screen.render();
    const program = this.#internals.program;
    program.cup(Math.max(0, lines.length - 1), Math.min(this.cols - 1, frame.cursorCol));
    program.showCursor();
  }

  /**
   * Ctrl-L: forgets what blessed believes is on the terminal, clears the
   * terminal and lets the next paint send every cell again, so whatever
   * another program (or a terminal that disagreed about a width) left behind
   * is gone.
   */
  repaint(): void {
    if (this.#destroyed) return;
    this.screen.realloc();
  }

  bell(): void {
    if (!this.#destroyed) this.#internals.program.bell();
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.screen.destroy();
  }
}
