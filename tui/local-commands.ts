/**
 * The commands the TUI answers itself: /win, /help, /clear, /peers, /sort and
 * /quit. They change only the UI's state; /help and /peers read the core
 * through the AppApi. A plugin command of the same name is hidden by these.
 */
import type { AppSnapshot, CommandSpec } from '../src/app-api.js';
import { HELP_INDENT, helpRows } from '../src/help-text.js';
import { namesLine } from '../src/presence.js';
import { unlinkedPeersNote } from '../src/peer-table.js';
import { LOCAL_COMMANDS, type LocalCommand } from './input-command.js';
import { plural } from './format.js';
import { plainLine, type Line } from './line-format.js';
import { isSortKey, peersTable } from './tables.js';
import { Activity, type Tab, type UiModel } from './ui-model.js';
import { textCols } from './view.js';

/** What the local commands may touch. */
export interface LocalContext {
  model: UiModel;
  cols: number;
  commands(): Array<{ plugin: string; commands: CommandSpec[] }>;
  /** A fresh snapshot (for /peers). */
  snapshot(): AppSnapshot;
  /** Ends the session; `reason` (`/quit gone fishing`) goes to the other nodes. */
  quit(reason?: string): void;
}

/**
 * /help lines: every command of every owner with its arguments, or the
 * entries named `topic`, in the layout headless mode prints too (src/help-text.ts).
 * A string is an error for the user.
 */
export function helpLines(groups: Array<{ plugin: string; commands: CommandSpec[] }>, topic: string | undefined): Line[] | string {
  const local = new Set<string>(LOCAL_COMMANDS.map((c) => c.name));
  const all = [
    { plugin: 'tui', commands: LOCAL_COMMANDS.map((c) => ({ ...c })) },
    ...groups.map((g) => ({ plugin: g.plugin, commands: g.commands.filter((c) => !local.has(c.name)) })),
  ];
  const rows = helpRows(all, topic);
  if (typeof rows === 'string') return rows;
  const out = rows.map((r) => (r.kind === 'heading' ? plainLine(r.text, { bold: true }) : plainLine(r.text, undefined, topic ? 0 : HELP_INDENT)));
  if (!topic) out.push(plainLine('keys: Alt+1..9, Ctrl-N/P windows; PgUp/PgDn scroll; Ctrl-O table/messages (Results, Transfers); Tab completes; Up/Down history; Ctrl-W/U/K kill, Ctrl-Y yank, Ctrl-T transpose; Ctrl-L repaint; //text sends /text', undefined, 6));
  return out;
}

/** Runs one TUI command in the context of window `tab`. */
export function runLocalCommand(ctx: LocalContext, tab: Tab, name: LocalCommand, args: string[]): void {
  const { model } = ctx;
  switch (name) {
    case 'quit':
      ctx.quit(args.length > 0 ? args.join(' ') : undefined);
      return;
    case 'clear':
      tab.lines.clear();
      tab.anchor = null;
      if (tab.kind === 'results') {
        model.search.clear();
        tab.tableOffset = 0;
      }
      if (tab.kind === 'transfers') {
        const n = model.transferRows.clearFinished();
        tab.tableOffset = 0;
        if (n > 0) model.info(tab, `cleared ${plural(n, 'finished transfer')}`);
      }
      return;
    case 'close': {
      const id = args[0] ?? model.search.latest();
      if (id === undefined || !model.search.close(id)) {
        const open = [...model.search.groups.keys()];
        model.error(tab, open.length > 0 ? `no search ${id ?? ''} open (open: ${open.join(', ')})` : 'no search is open');
        return;
      }
      model.info(model.resultsTab(), `closed search ${id}`);
      return;
    }
    case 'names': {
      const nicks = model.names(tab);
      if (nicks === undefined) model.error(tab, 'this window has no nicks: /names lists those of a chat window');
      else model.info(tab, namesLine(tab.title, nicks));
      return;
    }
    case 'win':
    case 'window': {
      const which = args[0];
      if (which === undefined) {
        model.info(tab, `windows: ${model.tabs.map((t, i) => `${i + 1}:${t.title}`).join('  ')}`);
        return;
      }
      const byName = model.tabs.findIndex((t) => t.title.toLowerCase() === which.toLowerCase() || t.id === which.toLowerCase());
      const n = /^\d+$/.test(which) ? Number(which) - 1 : byName;
      if (n < 0 || !model.setActive(n)) model.error(tab, `no window ${which} (there ${plural(model.tabs.length, 'is', 'are')} ${plural(model.tabs.length, 'window')}; /win lists them)`);
      return;
    }
    case 'help': {
      const lines = helpLines(ctx.commands(), args[0]);
      if (typeof lines === 'string') model.error(tab, lines);
      else for (const l of lines) model.addLine(tab, l, Activity.None);
      return;
    }
    case 'peers': {
      // As wide as the window's text (the nick list takes the right of a wide chat window), less a column before it.
      const { peers, status } = ctx.snapshot();
      for (const r of peersTable(peers, textCols(tab, ctx.cols) - 1, unlinkedPeersNote(status))) model.addLine(tab, { spans: r, indent: 0 }, Activity.None);
      return;
    }
    case 'sort': {
      const key = args[0] ?? 'n';
      if (!isSortKey(key)) {
        model.error(tab, 'usage: /sort <n|name|size|source|speed> [asc|desc]');
        return;
      }
      // Sizes and speeds read best largest first unless asked otherwise.
      model.sort = { key, desc: args[1] === 'desc' || (args[1] === undefined && (key === 'size' || key === 'speed')) };
      const results = model.tabs.findIndex((t) => t.kind === 'results');
      if (results >= 0) model.setActive(results);
      return;
    }
  }
}
