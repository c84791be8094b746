/**
 * Runs the real TUI (blessed and all) against fake streams: keys go in through
 * a PassThrough, the output is fed into an @xterm/headless terminal, and tests
 * read the virtual screen. The terminal measures characters with our width
 * table (as modern terminals and tmux do: emoji are 2 columns), registered as
 * a custom Unicode version.
 */
import { PassThrough, Writable } from 'node:stream';
import xterm from '@xterm/headless';
import type { AppApi } from '../../src/app-api.js';
import { runTui, type RunningTui, type TuiOptions } from '../../tui/index.js';
import { charWidth } from '../../tui/text-width.js';

const { Terminal } = xterm;
type XTerm = InstanceType<typeof Terminal>;

/** xterm's packed char properties: width in bits 1-2, "join with preceding" in bit 0. */
function charProperties(cp: number, preceding: number): number {
  let width: number = charWidth(cp);
  let join = width === 0 && preceding !== 0;
  if (join) {
    const old = (preceding >> 1) & 0x3;
    if (old === 0) join = false;
    else if (old > width) width = old;
  }
  return ((width & 3) << 1) | (join ? 1 : 0);
}

export class FakeTtyOutput extends Writable {
  columns: number;
  rows: number;
  readonly isTTY = true;
  written = 0;
  constructor(
    private readonly term: XTerm,
    cols: number,
    rows: number,
  ) {
    super({ decodeStrings: false });
    this.columns = cols;
    this.rows = rows;
  }
  override _write(chunk: unknown, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    const s = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
    this.written += s.length;
    this.term.write(s, () => cb());
  }
}

export class VirtualTerminal {
  readonly term: XTerm;
  readonly input = new PassThrough();
  readonly output: FakeTtyOutput;
  tui: RunningTui | undefined;
  done: Promise<void> | undefined;

  constructor(cols = 80, rows = 24) {
    this.term = new Terminal({ cols, rows, allowProposedApi: true, scrollback: 0 });
    this.term.unicode.register({ version: 'peerdeck', wcwidth: (cp) => charWidth(cp), charProperties });
    this.term.unicode.activeVersion = 'peerdeck';
    this.output = new FakeTtyOutput(this.term, cols, rows);
  }

  start(api: AppApi, opts: Partial<TuiOptions> = {}): Promise<RunningTui> {
    return new Promise((resolve) => {
      this.done = runTui(api, {
        mouse: false,
        scrollback: 10_000,
        bell: true,
        ...opts,
        input: this.input,
        output: this.output,
        onStart: (t) => {
          this.tui = t;
          resolve(t);
        },
      });
    });
  }

  /** Types raw bytes (keys, escape sequences, pastes) as one read. */
  type(data: string): void {
    this.input.write(data);
  }

  line(y: number): string {
    return (this.term.buffer.active.getLine(y)?.translateToString(true) ?? '').trimEnd();
  }

  /** The whole screen, one string per row (right-trimmed). */
  screen(): string[] {
    const rows: string[] = [];
    for (let y = 0; y < this.term.rows; y++) rows.push(this.line(y));
    return rows;
  }

  text(): string {
    return this.screen().join('\n');
  }

  get inputLine(): string {
    return this.line(this.term.rows - 1);
  }

  get cursor(): { x: number; y: number } {
    return { x: this.term.buffer.active.cursorX, y: this.term.buffer.active.cursorY };
  }

  resize(cols: number, rows: number): void {
    this.term.resize(cols, rows);
    this.output.columns = cols;
    this.output.rows = rows;
    this.output.emit('resize');
  }

  async quit(): Promise<void> {
    this.tui?.quit();
    await this.done;
    this.term.dispose();
  }
}
