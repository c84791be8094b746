/**
 * What a submitted input line means: chat text for the window's protocol, a
 * command for whichever plugin owns it, or one of the TUI's own commands.
 * Pure: ownership is looked up through the `resolve` it is given (AppApi.resolve).
 * An unknown command is an error for the user and never goes out as chat.
 */

/** Commands the TUI answers itself, with their synopsis for /help. */
export const LOCAL_COMMANDS = [
  { name: 'win', args: '[n|name]', help: 'switch to window n or the one named so; alone, list the windows (also Alt+n, Ctrl-N, Ctrl-P)' },
  { name: 'window', args: '[n|name]', help: 'the same as /win' },
  { name: 'help', args: '[command]', help: 'list every command, or explain one' },
  { name: 'clear', args: '', help: "clear this window's scrollback (in Results: every search; in Transfers: finished rows too)" },
  { name: 'close', args: '[search]', help: 'close a search in the Results window (default: the newest)' },
  { name: 'names', args: '', help: "list the nicks present in this window's network (with #channel: that Napster channel's members)" },
  { name: 'peers', args: '', help: 'show the live links: address, protocol, direction, nick, uptime, bytes queued to send' },
  { name: 'sort', args: '<n|name|size|source|speed> [asc|desc]', help: 'sort the search results' },
  { name: 'quit', args: '[reason]', help: 'leave peerdeck (also Ctrl-C); the other nodes see the reason' },
] as const;

/** Name of a command the TUI answers itself. */
export type LocalCommand = (typeof LOCAL_COMMANDS)[number]['name'];

/** What a submitted line asks for. */
export type InputAction =
  | { kind: 'none' }
  | { kind: 'say'; plugin: string; text: string }
  | { kind: 'run'; plugin: string; name: string; args: string[] }
  | { kind: 'local'; name: LocalCommand; args: string[] }
  | { kind: 'error'; message: string };

/** The active window as routing sees it. */
export interface InputContext {
  /** The active window's protocol, if it is a protocol window. */
  plugin: string | undefined;
  /** Whether that protocol offers `say` (plain text goes there). */
  canSay: boolean;
  resolve(command: string, preferred?: string): string | undefined;
}

function isLocal(name: string): name is LocalCommand {
  return LOCAL_COMMANDS.some((c) => c.name === name);
}

/**
 * Splits command arguments on blanks; "double quotes" group words (a path
 * with spaces). Unbalanced quotes run to the end of the line.
 */
export function splitArgs(s: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"?|(\S+)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out.push(m[1] ?? m[2] ?? '');
  return out;
}

/** Decides what a submitted line does (see the module comment); pure. */
export function parseInput(line: string, ctx: InputContext): InputAction {
  if (line.trim() === '') return { kind: 'none' };
  if (line.startsWith('/') && !line.startsWith('//')) {
    const body = line.slice(1);
    const m = /^(\S*)\s*([\s\S]*)$/.exec(body);
    const name = (m?.[1] ?? '').toLowerCase();
    const rest = m?.[2] ?? '';
    if (name === '') return { kind: 'error', message: 'empty command (type //text to send a line starting with /)' };
    // `/names` is who is here; `/names #chan` a protocol's own (a Napster channel's members), as in headless mode.
    if (isLocal(name) && !(name === 'names' && rest.trim() !== '')) return { kind: 'local', name, args: splitArgs(rest) };
    const owner = ctx.resolve(name, ctx.plugin);
    if (owner === undefined) return { kind: 'error', message: `unknown command /${name} (try /help)` };
    return { kind: 'run', plugin: owner, name, args: splitArgs(rest) };
  }
  const text = line.startsWith('//') ? line.slice(1) : line;
  if (ctx.plugin === undefined || !ctx.canSay) {
    return { kind: 'error', message: 'nothing to send to in this window; switch to a chat window (/win n) or type a /command' };
  }
  return { kind: 'say', plugin: ctx.plugin, text };
}
