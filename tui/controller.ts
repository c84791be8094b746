/**
 * The TUI's controller: AppEvents into the model, keys and pastes into the
 * input line, submitted lines into AppApi.run, and a batched redraw after
 * each change. It draws through a `Surface` (the blessed screen in
 * production), so nothing here touches the terminal directly.
 */
import type { AppApi, AppEvent, AppSnapshot } from '../src/app-api.js';
import type { Clock, Timer } from '../src/clock.js';
import { errorWords } from '../src/error-words.js';
import { NetError } from '../src/errors.js';
import { completionCandidates } from './completion.js';
import { plural } from './format.js';
import { FrameScheduler } from './frame-scheduler.js';
import { parseInput, LOCAL_COMMANDS, type InputAction } from './input-command.js';
import { pasteLines } from './input-splitter.js';
import { keyCommand, typedChar, type KeyInfo } from './keymap.js';
import { edit, editorText, pasteInto, submit, type EditAction } from './line-editor.js';
import { scrollBottom, scrollDown, scrollTop, scrollUp } from './scroll.js';
import { runLocalCommand } from './local-commands.js';
import { SecretPrompt } from './secret-prompt.js';
import { isTableKind, UiModel, type Tab } from './ui-model.js';
import { composeFrame, tabAt, textCols, type Frame } from './view.js';

/** Pasted lines sent without asking; more asks for confirmation first. */
export const PASTE_CONFIRM_OVER = 5;
/** At most one bell per this many ms, however many mentions arrive. */
export const BELL_INTERVAL_MS = 1_000;
/** The status bar (clock, peers) refreshes at least this often. */
export const STATUS_REFRESH_MS = 1_000;
/** Longest a pasted line waits for the previous line's command before it is sent anyway. */
export const PASTE_STEP_WAIT_MS = 10_000;
/** Recent notice texts remembered to avoid showing a command's output twice. */
const NOTICE_MEMORY = 200;

/** Where frames go: the blessed screen in production (blessed-surface.ts). */
export interface Surface {
  readonly cols: number;
  readonly rows: number;
  paint(frame: Frame): void;
  /** Clears the terminal and forgets what is on it: the next paint sends every cell (Ctrl-L). */
  repaint(): void;
  bell(): void;
}

/** Scrollback size, bell on/off, the clock for frames and timers, and what quitting does. */
export interface ControllerOptions {
  scrollback: number;
  bell: boolean;
  /** Events from before the TUI started (the node's start-up), shown first. */
  earlier?: readonly AppEvent[];
  clock: Clock;
  onQuit: () => void;
}

/** Wires AppEvents, keys and pastes to the model and the AppApi; redraws through a FrameScheduler. */
export class Controller {
  readonly model: UiModel;
  readonly frames: FrameScheduler;
  #snapshot: AppSnapshot;
  #snapshotAt = 0;
  #unsubscribe: (() => void) | undefined;
  #tick: Timer | undefined;
  #lastBell = Number.NEGATIVE_INFINITY;
  #pendingPaste: { tab: Tab; lines: string[] } | undefined;
  #highSurrogate = '';
  #recentNotices: string[] = [];
  /** A hidden line a plugin asked for (prompt.secret); while set, keys and pastes go only there. */
  #secret: SecretPrompt | undefined;

  constructor(
    private readonly api: AppApi,
    private readonly surface: Surface,
    private readonly opts: ControllerOptions,
  ) {
    this.#snapshot = api.snapshot();
    this.model = new UiModel(this.#snapshot.nick, this.#snapshot.plugins, opts.scrollback, () => opts.clock.now());
    this.frames = new FrameScheduler(() => this.draw(), opts.clock);
  }

  start(): void {
    this.model.info(this.model.activeTab, 'peerdeck: type /help for commands, Alt+1..9 or Ctrl-N/Ctrl-P to switch windows, Ctrl-C to quit');
    // The node's `ready` (replayed below) says where it listens; say it here only when it did not come.
    if (!(this.opts.earlier ?? []).some((e) => e.type === 'ready')) this.model.listening(this.#snapshot.ports);
    for (const e of this.opts.earlier ?? []) this.onEvent(e);
    this.#unsubscribe = this.api.subscribe((e) => this.onEvent(e));
    this.#tick = this.opts.clock.setInterval(() => this.frames.request(), STATUS_REFRESH_MS);
    this.frames.request();
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#tick?.cancel();
    this.frames.stop();
  }

  draw(): void {
    const now = this.opts.clock.now();
    if (now - this.#snapshotAt >= STATUS_REFRESH_MS) this.#refreshSnapshot();
    const question = this.#secret ? this.#secret.question : this.#pendingPaste ? `Send ${plural(this.#pendingPaste.lines.length, 'pasted line')} to [${this.#pendingPaste.tab.title}]? (y/n) ` : undefined;
    const frame = composeFrame({ model: this.model, cols: this.surface.cols, rows: this.surface.rows, snapshot: this.#snapshot, now, ...(question ? { question } : {}) });
    this.surface.paint(frame);
  }

  /** `/quit [reason]`: the core keeps the reason for the PART the node sends when it stops. */
  #quit(reason: string | undefined): void {
    if (reason !== undefined) void this.api.run('core', 'quit', [reason]).catch(() => undefined);
    this.opts.onQuit();
  }

  #refreshSnapshot(): AppSnapshot {
    this.#snapshot = this.api.snapshot();
    this.#snapshotAt = this.opts.clock.now();
    return this.#snapshot;
  }

  onEvent(e: AppEvent): void {
    if (e.type === 'notice') {
      this.#recentNotices.push(e.text);
      if (this.#recentNotices.length > NOTICE_MEMORY) this.#recentNotices.shift();
    }
    if (e.type === 'peer.up' || e.type === 'peer.down' || e.type === 'ready' || e.type === 'nick') this.#snapshotAt = 0;
    if (e.type === 'prompt.secret' && !this.#secret) this.#secret = new SecretPrompt(e);
    const { bell } = this.model.apply(e);
    if (bell && this.opts.bell) {
      const now = this.opts.clock.now();
      if (now - this.#lastBell >= BELL_INTERVAL_MS) {
        this.#lastBell = now;
        this.surface.bell();
      }
    }
    this.frames.request();
  }

  /** Text typed or committed by an IME: inserted as-is. */
  onText(text: string): void {
    if (this.#secret) {
      this.#secret.type(text);
      return;
    }
    if (this.#pendingPaste) {
      this.#answerPaste(text.toLowerCase().startsWith('y'));
      return;
    }
    this.#edit({ type: 'insert', text });
  }

  onPaste(text: string): void {
    if (this.#secret) {
      this.#secret.type(text);
      return;
    }
    if (this.#pendingPaste) return;
    const parts = pasteLines(text);
    const tab = this.model.activeTab;
    if (parts.length === 1) {
      this.#edit({ type: 'insert', text: parts[0] ?? '' });
      return;
    }
    const { state, lines } = pasteInto(tab.editor, parts);
    tab.editor = state;
    if (lines.length > PASTE_CONFIRM_OVER) this.#pendingPaste = { tab, lines };
    else this.#sendLines(tab, lines);
    this.frames.request();
  }

  onKey(ch: string | undefined, key: KeyInfo): void {
    if (this.#secret) {
      this.#secretKey(this.#secret, ch, key);
      return;
    }
    if (this.#pendingPaste) {
      if (key.full === 'C-c') this.opts.onQuit();
      else this.#answerPaste(ch === 'y' || ch === 'Y');
      return;
    }
    const typed = typedChar(ch, key);
    if (typed !== undefined) {
      this.#typeChar(typed);
      return;
    }
    const cmd = keyCommand(key);
    const tab = this.model.activeTab;
    switch (cmd.kind) {
      case 'edit':
        this.#edit(cmd.action);
        return;
      case 'complete':
        this.#edit({ type: 'complete', source: (q) => completionCandidates(q, this.#completionData(tab)) });
        return;
      case 'submit':
        this.#submit(tab);
        break;
      case 'window':
        this.model.setActive(cmd.index);
        break;
      case 'windowStep': {
        const n = this.model.tabs.length;
        this.model.setActive((this.model.active + cmd.delta + n) % n);
        break;
      }
      case 'scroll':
        this.scroll(cmd.to);
        break;
      case 'homeEnd':
        if (tab.editor.chars.length === 0) this.scroll(cmd.which === 'home' ? 'top' : 'bottom');
        else this.#edit({ type: cmd.which });
        return;
      case 'pane':
        if (isTableKind(tab.kind)) {
          tab.pane = tab.pane === 'table' ? 'messages' : 'table';
          scrollBottom(tab);
        }
        break;
      case 'quit':
        this.opts.onQuit();
        return;
      case 'redraw':
        this.surface.repaint();
        this.frames.flush(true);
        return;
      case 'none':
        break;
    }
    this.frames.request();
  }

  /** A click on the window bar (mouse mode) switches to the window under it. */
  clickTabBar(x: number): void {
    const i = tabAt(this.model, x);
    if (i !== undefined && this.model.setActive(i)) this.frames.request();
  }

  /** Scrolls the active window; tables scroll by rows, text windows by wrapped rows. */
  scroll(to: 'pageUp' | 'pageDown' | 'top' | 'bottom' | 'lineUp' | 'lineDown'): void {
    const tab = this.model.activeTab;
    // A table window's messages pane gives its top row to the pane's title bar.
    const table = isTableKind(tab.kind);
    const height = Math.max(1, this.surface.rows - 3 - (table && tab.pane === 'messages' ? 1 : 0));
    const page = Math.max(1, height - 1);
    const cols = textCols(tab, this.surface.cols);
    if (table && tab.pane === 'table') {
      const step = { pageUp: -page, pageDown: page, top: -Infinity, bottom: Infinity, lineUp: -3, lineDown: 3 }[to];
      tab.tableOffset = Math.max(0, Number.isFinite(tab.tableOffset + step) ? tab.tableOffset + step : step > 0 ? Number.MAX_SAFE_INTEGER : 0);
    } else if (to === 'pageUp' || to === 'lineUp') scrollUp(tab, cols, height, to === 'pageUp' ? page : 3);
    else if (to === 'pageDown' || to === 'lineDown') scrollDown(tab, cols, to === 'pageDown' ? page : 3);
    else if (to === 'top') scrollTop(tab, cols, height);
    else scrollBottom(tab);
    this.frames.request();
  }

  #typeChar(ch: string): void {
    // blessed's key parser splits surrogate pairs; join them back.
    const c = ch.charCodeAt(0);
    if (c >= 0xd800 && c <= 0xdbff) {
      this.#highSurrogate = ch;
      return;
    }
    const text = c >= 0xdc00 && c <= 0xdfff ? (this.#highSurrogate ? this.#highSurrogate + ch : '') : ch;
    this.#highSurrogate = '';
    if (text) this.#edit({ type: 'insert', text });
  }

  #edit(action: EditAction): void {
    const tab = this.model.activeTab;
    tab.editor = edit(tab.editor, action);
    this.frames.request();
  }

  #completionData(tab: Tab): { commands: string[]; nicks: string[]; resultNumbers: number[] } {
    const commands = [...LOCAL_COMMANDS.map((c) => c.name), ...this.api.commands().flatMap((g) => g.commands.map((c) => c.name))];
    return { commands, nicks: tab.nicks, resultNumbers: this.model.results.map((r) => r.n) };
  }

  #submit(tab: Tab): void {
    const { state, line } = submit(tab.editor);
    tab.editor = state;
    scrollBottom(tab);
    this.#sendLines(tab, [line]);
  }

  /** Keys while a hidden line is asked for: characters go into it (never on screen), Enter sends, Esc or Ctrl-C declines. */
  #secretKey(p: SecretPrompt, ch: string | undefined, key: KeyInfo): void {
    const full = key.full ?? key.name ?? '';
    const typed = typedChar(ch, key);
    if (typed !== undefined) p.type(typed);
    else if (full === 'backspace' || full === 'C-h') p.backspace();
    else if (full === 'return' || full === 'enter' || full === 'escape' || full === 'C-c') {
      this.#secret = undefined;
      const secret = full === 'return' || full === 'enter' ? p.take() : (p.take(), '');
      const { plugin, command } = p.request;
      void this.api.run(plugin, command, secret ? [secret] : []).then(
        (lines) => {
          for (const l of lines) this.model.info(this.model.activeTab, l);
          this.frames.request();
        },
        (err: unknown) => {
          this.model.error(this.model.activeTab, err instanceof Error ? err.message : String(err));
          this.frames.request();
        },
      );
      this.frames.request();
    }
  }

  #answerPaste(yes: boolean): void {
    const pending = this.#pendingPaste;
    this.#pendingPaste = undefined;
    if (!pending) return;
    if (yes) this.#sendLines(pending.tab, pending.lines);
    else this.model.info(pending.tab, `paste of ${plural(pending.lines.length, 'line')} cancelled`);
    this.frames.request();
  }

  /**
   * Sends lines. Pasted lines go in order, each waiting for the previous command
   * (at most PASTE_STEP_WAIT_MS, so one hung command cannot hold the rest back).
   */
  #sendLines(tab: Tab, lines: string[]): void {
    let chain: Promise<void> = Promise.resolve();
    for (const line of lines) {
      const action = parseInput(line, { plugin: tab.plugin, canSay: this.#canSay(tab), resolve: (c, p) => this.api.resolve(c, p) });
      chain = chain.then(() => this.#withinWait(this.#perform(tab, action)));
    }
  }

  #withinWait(p: Promise<void>): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = this.opts.clock.setTimeout(resolve, PASTE_STEP_WAIT_MS);
      void p.finally(() => {
        timer.cancel();
        resolve();
      });
    });
  }

  #canSay(tab: Tab): boolean {
    if (tab.plugin === undefined) return false;
    return this.api.commands().some((g) => g.plugin === tab.plugin && g.commands.some((c) => c.name === 'say'));
  }

  async #perform(tab: Tab, action: InputAction): Promise<void> {
    switch (action.kind) {
      case 'none':
        return;
      case 'error':
        this.model.error(tab, action.message);
        break;
      case 'say':
        await this.#run(tab, action.plugin, 'say', [action.text]);
        return;
      case 'run':
        await this.#run(tab, action.plugin, action.name, action.args);
        return;
      case 'local':
        runLocalCommand(
          { model: this.model, cols: this.surface.cols, commands: () => this.api.commands(), snapshot: () => this.#refreshSnapshot(), quit: (reason) => this.#quit(reason) },
          tab,
          action.name,
          action.args,
        );
        break;
    }
    this.frames.request();
  }

  async #run(tab: Tab, plugin: string, name: string, args: string[]): Promise<void> {
    try {
      const lines = await this.api.run(plugin, name, args);
      let shown = 0;
      for (const l of lines) {
        const i = this.#recentNotices.indexOf(l);
        if (i >= 0) this.#recentNotices.splice(i, 1); // already shown as a notice event
        else {
          this.model.info(tab, l);
          shown++;
        }
      }
      // Output longer than a table window's strip (the whole /downloads listing) opens its messages pane.
      if (isTableKind(tab.kind) && shown > Math.max(1, Math.floor((this.surface.rows - 3) / 4))) {
        tab.pane = 'messages';
        scrollBottom(tab);
      }
    } catch (err) {
      // A usage error or unknown name reads fine as it is; a network error gets words.
      const plain = err instanceof NetError && (err.code === 'USAGE' || err.code === 'NOT_FOUND');
      const target = name === 'connect' ? args[0] : undefined;
      this.model.error(tab, plain ? err.message : errorWords(err, target ? `the node at ${target}` : undefined));
    }
    this.frames.request();
  }

  /** The active window's input text (tests, diagnostics). */
  get inputText(): string {
    return editorText(this.model.activeTab.editor);
  }
}
