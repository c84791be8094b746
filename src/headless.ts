import type { AppApi, AppEvent, CommandSpec } from './app-api.js';
import { CommandLineSplitter, type CommandLineItem } from './command-lines.js';
import { NetError } from './errors.js';
import { EventOutbox } from './event-outbox.js';
import { writeEventJson } from './event-bytes.js';
import { eventJsonLine } from './event-json.js';
import { formatEvent } from './event-text.js';
import { FILES_PLUGIN } from './search/files-plugin.js';
import { helpRows } from './help-text.js';
import { namesLine, Presence } from './presence.js';

export interface HeadlessOptions {
  json: boolean;
  /** Print `log` events too. */
  logEvents: boolean;
  /** Ignore stdin (an always-on node under a service manager). */
  daemon: boolean;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** The protocol plain lines and unqualified commands go to first. */
  defaultPlugin: string | undefined;
  /**
   * Settles when the node has started (false or a rejection: it did not): input waits
   * for it, so `ready` is printed first even when stdin is already closed.
   */
  started?: Promise<unknown>;
}

/** Splits a command line into the command and its words (`/connect a:1` -> ['connect', ['a:1']]). */
export function parseCommandLine(line: string): { command: string; args: string[] } {
  // `/ quit` names no command (as in the TUI): it is not /quit.
  const body = line.slice(1).trimEnd();
  const sp = body.search(/\s/);
  const command = (sp === -1 ? body : body.slice(0, sp)).toLowerCase();
  const rest = sp === -1 ? '' : body.slice(sp + 1).trim();
  return { command, args: rest ? rest.split(/\s+/) : [] };
}

/** Whether `plugin`'s `command` takes free text (CommandSpec.text). */
function takesText(api: AppApi, plugin: string, command: string): boolean {
  return api.commands().some((g) => g.plugin === plugin && g.commands.some((c) => c.name === command && c.text === true));
}

/**
 * Files commands whose answer says what one of their events says (`said`: text mode prints the
 * answer only), and events that come before the answer but read after it (`after`: held until
 * the answer is out; a warm cache's `share.hashed` comes before `/rescan` answers).
 */
const ANSWERED: ReadonlyMap<string, { said: AppEvent['type']; after?: AppEvent['type'] }> = new Map([
  ['rescan', { said: 'share.ready', after: 'share.hashed' }],
  ['get', { said: 'transfer.queued' }],
  ['retry', { said: 'transfer.queued' }],
]);
/** Events held for an answer at most (past it they are printed as they come). */
const MAX_HELD = 16;
/** Transfers `/cancel` stopped whose cancel event is still to come, at most (the oldest forgotten first). */
const MAX_CANCELLING = 1000;

/**
 * The commands headless mode answers itself, as the TUI answers its own: `/names` is who is here
 * in the chat, from the events seen (src/presence.ts, the TUI's rule); with an argument
 * (`/names #chan`) it is the plugin's command (a Napster channel's members).
 */
export const HEADLESS_COMMANDS: CommandSpec[] = [{ name: 'names', args: '', help: 'list the nicks present in the chat (with #channel: that Napster channel\'s members)' }];
/** Protocols whose presence is kept, at most (there are a handful). */
const MAX_PRESENCE_PROTOCOLS = 16;

/** Input lines read ahead of the one being handled before stdin is paused. */
const MAX_WAITING_LINES = 256;

/**
 * Headless mode: stdin lines are commands (`/cmd args`) or chat text; events go
 * to stdout one per line through a bounded queue (EventOutbox). Resolves when stdin
 * ends (unless daemon) or `/quit`.
 */
export function runHeadless(api: AppApi, opts: HeadlessOptions, quit: Promise<void>): Promise<void> {
  // process.stdout (a pipe, a socket, a terminal or a file) is done with a chunk once its write's callback runs.
  const reuseBatches = opts.output === process.stdout;
  const outbox = opts.json
    ? new EventOutbox(opts.output, eventJsonLine, { encode: writeEventJson, reuseBatches })
    : new EventOutbox(opts.output, (e) => formatEvent(e) + '\n', { reuseBatches });
  // The event a command under way answers with too, in text mode printed once (its answer):
  // `/rescan`'s share.ready, `/get`'s transfer.queued. Commands run one at a time.
  let saidByAnswer: AppEvent['type'] | undefined;
  let afterAnswer: AppEvent['type'] | undefined;
  const held: AppEvent[] = [];
  // `/cancel N` answers `cancelled #N: name`; the cancel event comes once the transfer has
  // stopped, maybe after the answer, and is not a second line saying it.
  const cancelling = new Set<number>();
  // Who is here, per protocol, for /names (the TUI keeps the same per window).
  let myNick = api.snapshot().nick;
  const present = new Map<string, Presence>();
  const presenceOf = (protocol: string): Presence | undefined => {
    let p = present.get(protocol);
    if (!p && present.size < MAX_PRESENCE_PROTOCOLS) present.set(protocol, (p = new Presence()));
    return p;
  };
  const track = (e: AppEvent): void => {
    if (e.type === 'chat.line') presenceOf(e.protocol)?.line(e, myNick);
    else if (e.type === 'peer.up' && e.nick !== undefined) presenceOf(e.protocol)?.arrive(e.nick, myNick);
    else if (e.type === 'peer.down') present.get(e.protocol)?.leave(e.address);
    else if (e.type === 'nick') myNick = e.nick;
  };
  const write = (e: AppEvent): void => {
    track(e);
    if (e.type === 'log' && !opts.logEvents) return;
    // Nothing shared (a chat-only node): "sharing 0 files" said it all; a script on --json still gets the event.
    if (!opts.json && e.type === 'share.hashed' && e.files === 0) return;
    // Our nick changed: our own chat line (`--- bob is now known as robert`) said it already.
    if (!opts.json && e.type === 'nick') return;
    // The /search answer says it (`search s1: asking pplus2 for "song -type audio"`): not twice.
    if (!opts.json && e.type === 'search.started') return;
    // The /rescan answer says what the scan found (`sharing 3 files (12 KiB)`), the /get answer
    // which download it made and its place in the queue: their events are not a second line.
    if (!opts.json && e.type === saidByAnswer) return;
    if (!opts.json && e.type === 'transfer.failed' && e.state === 'cancelled' && cancelling.delete(e.id)) return;
    if (!opts.json && e.type === afterAnswer && held.length < MAX_HELD) {
      held.push(e);
      return;
    }
    outbox.push(e);
    // Nobody can type a hidden line here: say how to give it instead (the line above) and decline.
    if (e.type === 'prompt.secret') {
      void api.run(e.plugin, e.command, []).then(
        (lines) => lines.forEach((text) => outbox.push({ type: 'notice', protocol: e.plugin, text })),
        () => undefined,
      );
    }
  };
  // The --json printer takes chat lines as their received bytes (src/wire-chat-line.ts).
  const unsubscribe = api.subscribe(write, { wireLines: opts.json });

  const say = (text: string): void => write({ type: 'notice', protocol: 'core', text });
  const handle = async (item: CommandLineItem): Promise<boolean> => {
    if (item.kind === 'too-long') {
      write({ type: 'error', message: `input line longer than ${item.limit} bytes: ignored (a command or chat line is at most 64 KiB)` });
      return true;
    }
    const line = item.line;
    if (line.trim() === '') return true;
    let plugin: string | undefined;
    let command: string;
    let args: string[];
    if (line.startsWith('//')) {
      plugin = opts.defaultPlugin;
      command = 'say';
      args = [line.slice(1)];
    } else if (line.startsWith('/')) {
      ({ command, args } = parseCommandLine(line));
      if (command === 'quit') {
        // The reason (`/quit gone fishing`) goes to the other nodes with our PART.
        await api.run('core', 'quit', args).catch(() => undefined);
        return false;
      }
      if (command === '') {
        write({ type: 'error', message: 'empty command (type //text to send a line starting with /)' });
        return true;
      }
      if (command === 'names' && args.length === 0) {
        const chat = opts.defaultPlugin;
        if (chat === undefined) write({ type: 'error', message: 'no chat is running: /names lists the nicks present in the chat' });
        else say(namesLine(chat, (present.get(chat) ?? new Presence()).names(myNick)));
        return true;
      }
      if (command === 'help') {
        // The TUI's layout, with the commands headless mode answers itself (as the TUI lists its own).
        const rows = helpRows([...api.commands(), { plugin: 'headless', commands: HEADLESS_COMMANDS }], args[0]);
        if (typeof rows === 'string') write({ type: 'error', message: rows, protocol: 'core' });
        else for (const r of rows) say(r.text);
        return true;
      }
      plugin = api.resolve(command, opts.defaultPlugin);
      if (!plugin) {
        write({ type: 'error', message: `unknown command /${command} (try /help)` });
        return true;
      }
      if (takesText(api, plugin, command)) {
        // Free text: one argument, spaces kept.
        const text = line.slice(1).trim().slice(command.length).trim();
        args = text ? [text] : [];
      }
    } else {
      plugin = opts.defaultPlugin;
      command = 'say';
      args = [line];
    }
    if (!plugin) {
      write({ type: 'error', message: 'no running protocol takes plain text (type a /command)' });
      return true;
    }
    const answered = plugin === FILES_PLUGIN ? ANSWERED.get(command) : undefined;
    saidByAnswer = answered?.said;
    afterAnswer = answered?.after;
    const cancelled = plugin === FILES_PLUGIN && command === 'cancel' ? Number(args[0]) : undefined;
    if (cancelled !== undefined) {
      cancelling.add(cancelled);
      if (cancelling.size > MAX_CANCELLING) cancelling.delete(cancelling.values().next().value!);
    }
    try {
      const lines = await api.run(plugin, command, args);
      for (const text of lines) write({ type: 'notice', protocol: plugin, text });
    } catch (err) {
      if (cancelled !== undefined) cancelling.delete(cancelled);
      write({ type: 'error', message: err instanceof NetError || err instanceof Error ? err.message : String(err), protocol: plugin });
    } finally {
      saidByAnswer = undefined;
      afterAnswer = undefined;
      for (const e of held.splice(0)) write(e);
    }
    return true;
  };

  return new Promise<void>((resolve) => {
    let done = false;
    const input = opts.input;
    const finish = (): void => {
      if (done) return;
      done = true;
      unsubscribe();
      outbox.close();
      stopReading();
      resolve();
    };
    let stopReading = (): void => undefined;
    void quit.then(finish);
    if (opts.daemon) return;
    const splitter = new CommandLineSplitter();
    // Lines are handled strictly in order, each after the previous command, and none
    // before the node has started (so `ready` comes first).
    let chain: Promise<boolean> = (opts.started ?? Promise.resolve()).then(
      (ok) => ok !== false,
      () => false,
    );
    // Lines waiting for their turn are bounded too: past a few hundred, stop reading stdin.
    let waiting = 0;
    const enqueue = (items: CommandLineItem[]): void => {
      for (const item of items) {
        waiting++;
        chain = chain.then(async (go) => {
          waiting--;
          if (waiting === MAX_WAITING_LINES / 4 && !done) input.resume();
          if (!go || done) return false;
          const more = await handle(item);
          if (!more) finish();
          return more;
        });
      }
      if (waiting >= MAX_WAITING_LINES) input.pause();
    };
    const onData = (chunk: Buffer | string): void => enqueue(splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
    const onEnd = (): void => {
      enqueue(splitter.end());
      void chain.then(finish);
    };
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', onEnd);
    stopReading = () => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onEnd);
    };
  });
}
