/**
 * Runs the real TUI (blessed and all) against fake streams: keys go in through
 * a PassThrough, the output is fed into an @xterm/headless terminal, and tests
 * read the virtual screen. The terminal measures text the way modern
 * terminals do (kitty, WezTerm, foot, VTE): by grapheme cluster, a flag or a
 * ZWJ emoji sequence being one 2-column cell, registered as a custom Unicode
 * version. The clustering rules below are written out independently of
 * tui/text-width.ts (which uses Intl.Segmenter), so the two check each other.
 */
import { PassThrough, Writable } from 'node:stream';
import xterm from '@xterm/headless';
import type { AppApi } from '../../src/app-api.js';
import { runTui, type RunningTui, type TuiOptions } from '../../tui/index.js';
import { charWidth } from '../../tui/text-width.js';

const { Terminal } = xterm;
type XTerm = InstanceType<typeof Terminal>;

/** What the previous code point left open, kept in bits 3+ of xterm's char properties. */
const State = { Other: 0, LoneRegional: 1, AfterZwj: 2, Pictographic: 3 } as const;
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
/** Emoji-capable (digits and # included: VS16 turns them into 2-column keycaps). */
const EMOJI = /\p{Emoji}/u;
const EXTEND = /^[\p{Mn}\p{Me}\p{Cf}]$/u;

function isRegional(cp: number): boolean {
  return cp >= 0x1f1e6 && cp <= 0x1f1ff;
}

/**
 * xterm's packed char properties: "join with preceding" in bit 0, width in
 * bits 1-2, our cluster state above. Joins (UAX #29, the parts terminals
 * implement): a second regional indicator (a flag, 2 columns), marks, ZWJ and
 * what follows a ZWJ after an emoji, emoji modifiers, and VS16 (which makes
 * an emoji 2 columns).
 */
function charProperties(cp: number, preceding: number): number {
  const pack = (width: number, join: boolean, state: number): number => (state << 3) | ((width & 3) << 1) | (join ? 1 : 0);
  const oldWidth = (preceding >> 1) & 0x3;
  const oldState = preceding >> 3;
  const ch = String.fromCodePoint(cp);
  if (preceding !== 0 && oldWidth > 0) {
    if (isRegional(cp) && oldState === State.LoneRegional) return pack(2, true, State.Other);
    if (cp === 0xfe0f) return pack(oldState === State.Pictographic ? 2 : oldWidth, true, oldState);
    if (cp === 0x200d) return pack(oldWidth, true, oldState === State.Pictographic ? State.AfterZwj : oldState);
    if (oldState === State.AfterZwj && PICTOGRAPHIC.test(ch)) return pack(2, true, State.Pictographic);
    if ((cp >= 0x1f3fb && cp <= 0x1f3ff) || (cp >= 0xe0020 && cp <= 0xe007f) || EXTEND.test(ch) || charWidth(cp) === 0) {
      return pack(oldWidth, true, oldState);
    }
  }
  const width = isRegional(cp) ? 1 : charWidth(cp);
  const state = isRegional(cp) ? State.LoneRegional : EMOJI.test(ch) ? State.Pictographic : State.Other;
  return pack(width, false, state);
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
