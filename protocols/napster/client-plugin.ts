import type { CommandSpec, PluginStatus } from '../../src/app-api.js';
import { NetError, toNetError } from '../../src/errors.js';
import type { PluginContext, ProtocolPlugin } from '../../src/plugin.js';
import * as C from './client-constants.js';
import type { NapsterHit } from './client-files.js';
import { parseNsearch } from './client-search-query.js';
import { NapsterClient, type NapsterClientOptions } from './client-service.js';

/** Client commands (issue 13); /search and /get N come through the core's files service where it runs. */
export const CLIENT_COMMANDS: CommandSpec[] = [
  { name: 'nlogin', args: '<host:port> [nick]', help: 'log in to a Napster (OpenNap) server; registers the nick on first use' },
  { name: 'nlogout', args: '[host:port]', help: 'log out of one Napster server (or all)' },
  { name: 'nservers', args: '', help: 'the Napster servers and their state' },
  { name: 'nsearch', args: '<words> [size>=N] [bitrate>=N] [type:audio] ...', help: 'search the Napster servers, with Napster clauses' },
  { name: 'nget', args: '<N>', help: 'download Napster result N' },
  { name: 'nbrowse', args: '<nick>', help: "list a Napster user's shared files (as results for /nget)" },
  { name: 'whois', args: '<nick>', help: 'ask the Napster server about a user' },
  { name: 'msg', args: '<nick> <text>', help: 'private message to a Napster user' },
  { name: 'join', args: '<#channel>', help: 'join a Napster channel' },
  { name: 'part', args: '[#channel]', help: 'leave a Napster channel' },
  { name: 'topic', args: '[#channel] [text]', help: "show or set a channel's topic" },
  { name: 'list', args: '', help: 'list the channels on the Napster server' },
  { name: 'names', args: '<#channel>', help: "list a channel's members" },
  { name: 'say', args: '<text>', help: 'say something in the current Napster channel (plain input does this)' },
  { name: 'me', args: '<text>', help: 'an action line in the current Napster channel' },
  { name: 'hotlist', args: 'add|del|list [nick]', help: 'be told when a user signs on or off' },
];

/** What the plugin needs beyond the client options. */
export interface NapsterClientPluginOptions extends NapsterClientOptions {
  /** Shared result numbering across protocols (`/get N`). */
  hitNumbers?: () => number;
}

/** Results remembered for /nget. */
const MAX_REMEMBERED_HITS = 10_000;

/**
 * The Napster client as a plugin of its own (name `napster`): commands in,
 * events out. The Napster server plugin, when it runs in the same process,
 * can host a NapsterClient the same way.
 */
export function createNapsterClientPlugin(opts: NapsterClientPluginOptions): ProtocolPlugin {
  let client: NapsterClient | undefined;
  let ctx: PluginContext | undefined;
  let searchSeq = 0;
  let hitSeq = 0;
  const hits = new Map<number, NapsterHit>();
  const running = (): NapsterClient => {
    if (!client || !ctx) throw NetError.closed('the Napster client is not running');
    return client;
  };
  const remember = (search: string, hit: NapsterHit): void => {
    const n = opts.hitNumbers?.() ?? ++hitSeq;
    hits.set(n, hit);
    if (hits.size > MAX_REMEMBERED_HITS) hits.delete(hits.keys().next().value!);
    ctx?.emit({ type: 'search.hit', search, n, name: hit.name, size: hit.size, source: hit.source, protocol: 'napster', speed: hit.speed });
  };
  const finish = (search: string, run: Promise<number>): void => {
    void run.then(
      (n) => ctx?.emit({ type: 'search.done', search, protocol: 'napster', hits: n }),
      (err: unknown) => ctx?.emit({ type: 'error', protocol: 'napster', message: `${search}: ${toNetError(err).message}` }),
    );
  };
  return {
    name: 'napster',
    commands: CLIENT_COMMANDS,
    async start(c: PluginContext): Promise<void> {
      ctx = c;
      client = new NapsterClient(c, opts);
      await client.start();
    },
    async stop(): Promise<void> {
      await client?.stop();
    },
    async run(command: string, args: string[]): Promise<string[]> {
      const cl = running();
      switch (command) {
        case 'nlogin': {
          if (args.length < 1 || args.length > 2) throw NetError.usage('usage: /nlogin <host:port> [nick]');
          const link = cl.login(args[0]!, args[1]);
          return [`logging in to ${link.key} as ${cl.nick}`];
        }
        case 'nlogout':
          return cl.logout(args[0]);
        case 'nservers': {
          const lines = cl.links.map((l) => `${l.key}: ${l.state}${l.online ? ` (${l.stats.users} users, ${l.stats.files} files)` : l.lastError ? ` (${l.lastError})` : ''}`);
          return lines.length ? lines : ['no Napster servers (/nlogin host:port)'];
        }
        case 'nsearch': {
          const spec = parseNsearch(args);
          const id = `napster-${++searchSeq}`;
          const ac = new AbortController();
          let n = 0;
          finish(
            id,
            cl.search(spec, (h) => (n++, remember(id, h)), ac.signal).then(() => n),
          );
          return [`search ${id}: asking ${cl.links.filter((l) => l.online).length} Napster servers for "${spec.words.join(' ')}"`];
        }
        case 'nget': {
          const n = Number(args[0]);
          if (args.length !== 1 || !Number.isSafeInteger(n) || n <= 0) throw NetError.usage('usage: /nget <N>');
          const hit = hits.get(n);
          if (!hit) throw NetError.notFound(`no Napster result #${n}`);
          const id = opts.transfers.download({ name: hit.name, peer: hit.source, protocol: 'napster', size: hit.size, source: cl.source(hit.ref) });
          return [`downloading "${hit.name}" from ${hit.source} as transfer #${id}`];
        }
        case 'nbrowse': {
          if (args.length !== 1) throw NetError.usage('usage: /nbrowse <nick>');
          const id = `napster-browse-${++searchSeq}`;
          let n = 0;
          finish(id, cl.files.browse(cl.current(), args[0]!, (h) => (n++, remember(id, h))).then(() => n));
          return [`${id}: asking for ${args[0]!}'s files`];
        }
        case 'whois':
          if (args.length !== 1) throw NetError.usage('usage: /whois <nick>');
          cl.current().send(C.NAP_WHOIS, args[0]!);
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
          cl.current().send(C.NAP_LIST_CHANNELS, '');
          return [];
        case 'names':
          if (args.length !== 1) throw NetError.usage('usage: /names <#channel>');
          cl.current().send(C.NAP_NAMES, args[0]!);
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
        default:
          throw NetError.notFound(`napster has no command /${command}`);
      }
    },
    status(): PluginStatus {
      const online = client?.links.filter((l) => l.online).length ?? 0;
      return { ports: client?.dataPort ? { napster: client.dataPort } : {}, peers: online, firewalled: client ? client.dataPort === 0 : undefined };
    },
  };
}
