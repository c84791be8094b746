/**
 * A small in-memory AppApi for TUI tests: records every `run` call, lets the
 * test push events, and offers a `say` command per plugin that echoes the line
 * back as our own `chat.line`, as the chat plugin does.
 */
import type { AppApi, AppEvent, AppSnapshot, CommandSpec, PeerInfo } from '../../src/app-api.js';
import { NetError } from '../../src/errors.js';

export interface RunCall {
  plugin: string;
  command: string;
  args: string[];
}

export class FakeApi implements AppApi {
  readonly calls: RunCall[] = [];
  readonly listeners = new Set<(e: AppEvent) => void>();
  peers: PeerInfo[] = [];
  stopped = false;
  nick: string;
  /** Per-command answers; default: say echoes, others resolve []. */
  handlers = new Map<string, (args: string[]) => Promise<string[]> | string[]>();
  private seq = 0;

  constructor(
    nick = 'me',
    readonly groups: Array<{ plugin: string; commands: CommandSpec[] }> = [
      { plugin: 'core', commands: [{ name: 'peers', args: '', help: 'list links' }] },
      {
        plugin: 'chat',
        commands: [
          { name: 'say', args: '<text>', help: 'send a line' },
          { name: 'me', args: '<action>', help: 'send an action' },
          { name: 'connect', args: '<host:port>', help: 'dial a peer' },
        ],
      },
    ],
  ) {
    this.nick = nick;
  }

  get plugins(): string[] {
    return this.groups.map((g) => g.plugin).filter((p) => p !== 'core');
  }

  async run(plugin: string, command: string, args: string[]): Promise<string[]> {
    this.calls.push({ plugin, command, args });
    const h = this.handlers.get(`${plugin}.${command}`);
    if (h) return h(args);
    if (!this.groups.some((g) => g.plugin === plugin && g.commands.some((c) => c.name === command))) {
      throw NetError.notFound(`no command ${command} in ${plugin}`);
    }
    if (command === 'say' || command === 'me') {
      this.emit({
        type: 'chat.line',
        protocol: plugin,
        kind: command === 'say' ? 'msg' : 'action',
        id: `own-${++this.seq}`,
        nick: this.nick,
        text: args.join(' '),
        origin: 'self',
        at: Date.now(),
        hops: 0,
        self: true,
      });
    }
    return [];
  }

  resolve(command: string, preferred?: string): string | undefined {
    const owners = this.groups.filter((g) => g.commands.some((c) => c.name === command)).map((g) => g.plugin);
    if (preferred && owners.includes(preferred)) return preferred;
    return owners[0];
  }

  commands(): Array<{ plugin: string; commands: CommandSpec[] }> {
    return this.groups;
  }

  subscribe(listener: (event: AppEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(e: AppEvent): void {
    for (const l of [...this.listeners]) l(e);
  }

  /** A chat line from someone else. */
  chat(nick: string, text: string, protocol = 'chat', at = Date.now()): void {
    this.emit({ type: 'chat.line', protocol, kind: 'msg', id: `in-${++this.seq}`, nick, text, origin: nick, at, hops: 1, self: false });
  }

  snapshot(): AppSnapshot {
    return {
      nick: this.nick,
      plugins: this.plugins,
      ports: { chat: 6350 },
      status: { chat: { ports: { chat: 6350 }, peers: this.peers.length } },
      peers: this.peers,
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }
}
