import type { CommandSpec, PluginStatus } from '../../src/app-api.js';
import { NetError } from '../../src/errors.js';
import type { PluginContext, ProtocolPlugin } from '../../src/plugin.js';
import type { FileHit, FileProtocol } from '../../src/search/file-protocol.js';
import type { SearchQuery } from '../../src/search/search-query.js';
import * as W from './constants.js';
import type { NapsterHit, NapsterRef } from './client-files.js';
import { describeLink } from './client-link-words.js';
import { parseNsearch, plainSearch, type NapSearchSpec } from './client-search-query.js';
import { NapsterClient, type NapsterClientOptions } from './client-service.js';

/** Client commands (issue 13); `/search` and `/get N` reach the client through the core's files service. */
export const CLIENT_COMMANDS: CommandSpec[] = [
  { name: 'nlogin', args: '<host:port> [nick]', help: 'log in to a Napster (OpenNap) server; registers the nick on first use' },
  { name: 'nlogout', args: '[host:port]', help: 'log out of one Napster server (or all)' },
  { name: 'nservers', args: '', help: 'the Napster servers and their state' },
  { name: 'nsearch', args: '<words> [size>=N] [bitrate>=N] [freq=N] [linespeed>=N] [duration<=N] [type:T] [max:N]', help: 'search the Napster servers with Napster clauses (/get N downloads)' },
  { name: 'nbrowse', args: '<nick>', help: "a Napster user's shared files, as results for /get N" },
  { name: 'ndbrowse', args: '<nick>', help: "a Napster user's shared files straight from their client (direct browse), as results for /get N" },
  { name: 'whois', args: '<nick>', help: 'ask the Napster server about a user' },
  { name: 'msg', args: '<nick> <text>', help: 'private message to a Napster user' },
  { name: 'join', args: '<#channel>', help: 'join a Napster channel' },
  { name: 'part', args: '[#channel]', help: 'leave a Napster channel' },
  { name: 'topic', args: '[#channel] [text]', help: "show or set a channel's topic" },
  { name: 'list', args: '', help: 'list the channels on the Napster server' },
  { name: 'names', args: '<#channel>', help: "list a channel's members" },
  { name: 'say', args: '<text>', help: 'say something in the current Napster channel (plain input does this)', text: true },
  { name: 'me', args: '<text>', help: 'an action line in the current Napster channel', text: true },
  { name: 'hotlist', args: 'add|del|list [nick]', help: 'be told when a user signs on or off' },
  { name: 'ignore', args: 'add|del|list|clear [nick]', help: "ignore a Napster user: the servers refuse their messages and hide their channel lines" },
  { name: 'npassword', args: '', help: 'the Napster password, when asked for (the TUI reads it from a hidden line; never type it on a visible one)' },
];

/** Approximate kbit/s of the §3.1 link-speed codes, for the hit's `speed`. */
const LINK_KBPS = [0, 14, 28, 33, 56, 64, 128, 1000, 768, 1544, 45000];

/** What a search run does instead of a plain word search (`/nsearch` clauses, `/nbrowse`). */
type Override = { kind: 'search'; spec: NapSearchSpec } | { kind: 'browse'; nick: string; direct: boolean };

/** The words and size filters of a core query as a Napster search (§5); type filters are left to the core. */
export function specOfQuery(q: SearchQuery): NapSearchSpec {
  const spec = plainSearch(q.text);
  if (q.minSize !== undefined) spec.size = { cmp: 'AT LEAST', value: q.minSize };
  if (q.maxSize !== undefined) spec.sizeAtBest = q.maxSize;
  return spec;
}

/** A persisted ref back into a NapsterRef; anything else is refused (it came from disk or a hit table). */
export function refOf(hit: FileHit): NapsterRef {
  const r = hit.ref as Partial<NapsterRef> | null;
  if (!r || typeof r.server !== 'string' || typeof r.nick !== 'string' || typeof r.wirePath !== 'string' || !Number.isSafeInteger(r.size)) {
    throw NetError.badMessage('not a Napster download reference');
  }
  return { server: r.server, nick: r.nick, wirePath: r.wirePath, size: r.size! };
}

/**
 * The Napster client's part of the `napster` plugin: its commands, its
 * FileProtocol, start/stop. `withNapsterClient` joins it to the plugin the
 * server already is (one Napster tab for both).
 */
export class NapsterClientPart {
  readonly #opts: NapsterClientOptions;
  readonly #overrides = new WeakMap<SearchQuery, Override>();
  #client: NapsterClient | undefined;
  #ctx: PluginContext | undefined;

  constructor(opts: NapsterClientOptions) {
    this.#opts = opts;
  }

  readonly files: FileProtocol = {
    search: (query, sink, signal) => {
      const client = this.#running();
      const o = this.#overrides.get(query) ?? { kind: 'search', spec: specOfQuery(query) };
      const toFile = (h: NapsterHit): void => sink({ name: h.name, size: h.size, source: h.source, speed: LINK_KBPS[h.speed] ?? 0, ref: h.ref });
      if (o.kind === 'browse' && o.direct) return client.directBrowse(o.nick, toFile, signal).then(() => ({ peers: 1 }));
      if (o.kind === 'browse') return client.files.browse(client.current(), o.nick, toFile, signal).then(() => ({ peers: 1 }));
      return client.search(o.spec, toFile, signal);
    },
    source: (hit) => this.#running().source(refOf(hit)),
  };

  get client(): NapsterClient | undefined {
    return this.#client;
  }

  async start(ctx: PluginContext): Promise<void> {
    this.#ctx = ctx;
    this.#client = new NapsterClient(ctx, this.#opts);
    await this.#client.start();
  }

  async stop(): Promise<void> {
    await this.#client?.stop();
    this.#client = undefined;
  }

  status(): Partial<PluginStatus> {
    const c = this.#client;
    if (!c) return {};
    return { ports: c.dataPort ? { 'napster-data': c.dataPort } : {}, peers: c.links.filter((l) => l.online).length, firewalled: c.dataPort === 0 };
  }

  #running(): NapsterClient {
    if (!this.#client) throw NetError.closed('the Napster client is not running');
    return this.#client;
  }

  /** Starts a core search that this client answers its own way (Napster clauses, a browse). */
  #search(text: string, o: Override): string[] {
    const ctx = this.#ctx;
    if (!ctx) throw NetError.closed('the Napster client is not running');
    const query: SearchQuery = { text };
    this.#overrides.set(query, o);
    const { id } = ctx.search.start(query, 'napster');
    return [`search ${id}: ${o.kind === 'browse' ? `asking for ${o.nick}'s files` : `asking the Napster servers for "${text}"`}`];
  }

  async run(command: string, args: string[]): Promise<string[]> {
    const cl = this.#running();
    switch (command) {
      case 'nlogin': {
        if (args.length < 1 || args.length > 2) throw NetError.usage('usage: /nlogin <host:port> [nick]');
        const link = cl.login(args[0]!, args[1]);
        return [`logging in to ${link.key} as ${cl.nick}`];
      }
      case 'npassword':
        return cl.setPassword(args.length === 1 ? args[0] : undefined);
      case 'nlogout':
        return cl.logout(args[0]);
      case 'nservers': {
        const lines = cl.links.map((l) => describeLink(l.view()));
        return lines.length ? lines : ['no Napster servers (/nlogin host:port)'];
      }
      case 'nsearch': {
        const spec = parseNsearch(args);
        return this.#search(spec.words.join(' '), { kind: 'search', spec });
      }
      case 'nbrowse':
        if (args.length !== 1) throw NetError.usage('usage: /nbrowse <nick>');
        cl.current();
        return this.#search(`browse ${args[0]!}`, { kind: 'browse', nick: args[0]!, direct: false });
      case 'ndbrowse':
        if (args.length !== 1) throw NetError.usage('usage: /ndbrowse <nick>');
        cl.current();
        return this.#search(`browse ${args[0]!}`, { kind: 'browse', nick: args[0]!, direct: true });
      case 'whois':
        if (args.length !== 1) throw NetError.usage('usage: /whois <nick>');
        cl.current().send(W.MSG_WHOIS, args[0]!);
        return [];
      case 'msg':
        cl.chat.msg(cl.current(), args[0] ?? '', args.slice(1).join(' '));
        return [];
      case 'join':
        if (args.length !== 1) throw NetError.usage('usage: /join <#channel>');
        cl.chat.join(cl.current(), args[0]!);
        return [];
      case 'part':
        return [`leaving ${cl.chat.part(cl.current(), args[0])}`];
      case 'topic': {
        const ch = args[0]?.startsWith('#') || args[0]?.startsWith('&') ? args[0] : undefined;
        cl.chat.topic(cl.current(), ch, args.slice(ch ? 1 : 0).join(' '));
        return [];
      }
      case 'list':
        cl.current().send(W.MSG_CHANNEL_LIST_END, '');
        return [];
      case 'names':
        if (args.length !== 1) throw NetError.usage('usage: /names <#channel>');
        cl.current().send(W.MSG_NAMES, args[0]!);
        return [];
      case 'say':
      case 'me':
        cl.chat.say(cl.current(), args.join(' '), command === 'me');
        return [];
      case 'hotlist': {
        const [sub, nick] = args;
        const link = cl.links.find((l) => l.online);
        if (sub === 'list' || sub === undefined) return cl.chat.hotlist.length ? cl.chat.hotlist : ['the hotlist is empty'];
        if (!nick) throw NetError.usage('usage: /hotlist add|del <nick>');
        if (sub === 'add') {
          cl.chat.hotlistAdd(link, nick);
          return [`watching ${nick}`];
        }
        if (sub === 'del') return [cl.chat.hotlistRemove(link, nick) ? `no longer watching ${nick}` : `${nick} was not on the hotlist`];
        throw NetError.usage('usage: /hotlist add|del|list [nick]');
      }
      case 'ignore': {
        const [sub, nick] = args;
        const online = cl.links.filter((l) => l.online);
        if (sub === 'list' || sub === undefined) return cl.chat.ignored.length ? cl.chat.ignored.map((n) => `ignoring ${n}`) : ['nobody is ignored'];
        if (sub === 'clear') {
          cl.chat.ignoreClear(online);
          return ['the ignore list is empty'];
        }
        if (!nick) throw NetError.usage('usage: /ignore add|del <nick>');
        if (sub === 'add') {
          cl.chat.ignoreAdd(online, nick);
          return [`ignoring ${nick}`];
        }
        if (sub === 'del') return [cl.chat.ignoreRemove(online, nick) ? `no longer ignoring ${nick}` : `${nick} was not ignored`];
        throw NetError.usage('usage: /ignore add|del|list|clear [nick]');
      }
      default:
        throw NetError.notFound(`napster has no command /${command}`);
    }
  }
}

/**
 * The `napster` plugin with the client joined in: the base plugin's commands
 * and the client's, started base first and stopped client first, one status.
 */
export function withNapsterClient(base: ProtocolPlugin, opts: NapsterClientOptions): ProtocolPlugin {
  const part = new NapsterClientPart(opts);
  const mine = new Set(CLIENT_COMMANDS.map((c) => c.name));
  return {
    name: base.name,
    commands: [...base.commands, ...CLIENT_COMMANDS],
    files: part.files,
    async start(ctx: PluginContext): Promise<void> {
      await base.start(ctx);
      await part.start(ctx);
    },
    async stop(): Promise<void> {
      await part.stop();
      await base.stop();
    },
    run: (command, args) => (mine.has(command) ? part.run(command, args) : base.run(command, args)),
    status(): PluginStatus {
      const b = base.status();
      const c = part.status();
      return { ports: { ...b.ports, ...c.ports }, peers: b.peers + (c.peers ?? 0), ...(c.firewalled !== undefined ? { firewalled: c.firewalled } : {}) };
    },
    ...(base.peers ? { peers: base.peers.bind(base) } : {}),
  };
}
