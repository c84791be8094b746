/**
 * `/help` in one layout for the TUI and headless mode (README "Commands"): the commands grouped
 * by owner under a heading (`chat:`), each with its arguments and what it does; `/help cmd`
 * gives that command on one line with its owner. Headless mode printed one flat list
 * (`/say <text>  - send a chat line [chat]`), the TUI these groups.
 */
import type { CommandSpec } from './app-api.js';

/** Columns the command and its arguments take before the description. */
export const HELP_SYNOPSIS_WIDTH = 28;
/** Where a description's continuation lines start (under the description). */
export const HELP_INDENT = HELP_SYNOPSIS_WIDTH + 4;

/** One `/help` line: a group's heading, or a command. */
export type HelpRow = { kind: 'heading'; text: string } | { kind: 'command'; text: string };

/** `/get <N> [again]`. */
function synopsis(c: CommandSpec): string {
  return `/${c.name} ${c.args}`.trimEnd();
}

/**
 * The lines of `/help` over `groups` (owner and its commands, in order; an empty group is left
 * out), or of `/help topic`: every command of that name, one line each with its owner. A string
 * is the error for a topic nobody has.
 */
export function helpRows(groups: ReadonlyArray<{ plugin: string; commands: readonly CommandSpec[] }>, topic?: string): HelpRow[] | string {
  const out: HelpRow[] = [];
  if (topic !== undefined && topic !== '') {
    const want = topic.replace(/^\//, '').toLowerCase();
    for (const g of groups) for (const c of g.commands) if (c.name === want) out.push({ kind: 'command', text: `${synopsis(c)}  (${g.plugin}) ${c.help}` });
    return out.length > 0 ? out : `unknown command /${want} (try /help)`;
  }
  for (const g of groups) {
    if (g.commands.length === 0) continue;
    out.push({ kind: 'heading', text: `${g.plugin}:` });
    for (const c of g.commands) out.push({ kind: 'command', text: `  ${synopsis(c).padEnd(HELP_SYNOPSIS_WIDTH + 1)} ${c.help}` });
  }
  return out;
}
