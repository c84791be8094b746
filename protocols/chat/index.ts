/**
 * The chat protocol plugin (specs/chat.md): a flood-broadcast line chat over a
 * self-maintaining mesh, with plain-peer (`nc`) interop, mesh name and password,
 * and LAN discovery. `createChatPlugin(opts)` is what src/main.ts registers.
 */
import type { CommandSpec, PeerInfo, PluginStatus } from '../../src/app-api.js';
import { NetError } from '../../src/errors.js';
import type { PluginContext, ProtocolPlugin } from '../../src/plugin.js';
import { ChatService } from './chat-service.js';
import { ephemeralIdentity, loadIdentity } from './identity.js';
import { Contacts } from './contacts.js';
import type { NearMe } from './near-me.js';
import { parseHostPort } from '../../src/net/address.js';
import { chatEndpoint, describeNames, describeResolution, parseRegister } from './names/name-commands.js';
import type { NameService } from './names/name-service.js';
import { parseName } from './names/record.js';
import { resolveOptions, type ChatOptions } from './options.js';
import { nickProblem } from '../../src/nick.js';
import { stripControls } from './text.js';

export type { ChatOptions } from './options.js';
export type { DiscoveryOptions } from './discovery.js';

/** The chat commands, for `/help` and completion (plain input runs `say`). */
export const CHAT_COMMANDS: CommandSpec[] = [
  { name: 'say', args: '<text>', help: 'send a chat line (plain input does this)', text: true },
  { name: 'me', args: '<text>', help: 'send an action line: * nick text', text: true },
  { name: 'nick', args: '<new>', help: 'change your chat nick' },
  { name: 'connect', args: '<host:port|peer-name>', help: 'link to a chat peer' },
  { name: 'identity', args: '', help: 'our authority and key, and signed-line counters' },
  { name: 'register', args: '<classifier> [--unsecured] [--cloud global|linklocal|all]', help: 'publish a peer name for this node' },
  { name: 'unregister', args: '[name]', help: 'withdraw a peer name (all of ours without a name)' },
  { name: 'peernames', args: '', help: 'our peer names, the name cache and its counters' },
  { name: 'resolve', args: '<name>', help: 'resolve a peer name: cache, else the mesh' },
  { name: 'contact', args: 'add <nick|authority> [name]', help: "store a signer's key as a contact (trust on first use)" },
  { name: 'contacts', args: '', help: 'stored contacts and their authorities' },
  { name: 'signin', args: '', help: 'People Near Me: announce yourself on the LAN' },
  { name: 'signout', args: '', help: 'People Near Me: stop announcing yourself' },
  { name: 'near', args: '', help: 'people near me (on the LAN), and open invitations' },
  { name: 'invite', args: '<who> <mesh|pplus2|gnutella|napster> [message]', help: 'invite someone near you', text: true },
  { name: 'accept', args: '<N>', help: 'accept invitation N (a mesh is joined)' },
  { name: 'decline', args: '<N>', help: 'decline invitation N' },
  { name: 'acceptfrom', args: '<anyone|contacts|nobody>', help: 'whose invitations you see' },
  { name: 'clouds', args: '', help: 'the clouds we take part in (Global, LinkLocal), with peers and names' },
];

/**
 * A usage error worded as every other protocol's (`usage: /connect <host:port|peer-name>`), from
 * the command's own synopsis so `/help` and the error agree.
 */
function usage(command: string): NetError {
  const spec = CHAT_COMMANDS.find((c) => c.name === command);
  return NetError.usage(`usage: /${command}${spec?.args ? ` ${spec.args}` : ''}`);
}

function names(s: ChatService): NameService {
  if (!s.names) throw NetError.usage('peer names need the chat extensions (this node is classic)');
  return s.names;
}

function near(s: ChatService): NearMe {
  if (!s.near) throw NetError.usage('People Near Me needs LAN discovery (and is off with --no-near-me)');
  return s.near;
}

/** A chat plugin whose node exposes its id (tests and the peers view use it). */
export interface ChatPlugin extends ProtocolPlugin {
  /** Our node id once started. */
  readonly nodeId: string | undefined;
}

/**
 * Builds the chat plugin (specs/chat.md). Options are validated here (NetError USAGE on a
 * bad mesh name, nick or hop count); nothing opens until `start(ctx)`.
 */
export function createChatPlugin(opts: ChatOptions = {}): ChatPlugin {
  const resolved = resolveOptions(opts);
  let service: ChatService | undefined;
  let now = (): number => Date.now();

  const running = (): ChatService => {
    if (!service) throw NetError.closed('chat is not running');
    return service;
  };

  return {
    name: 'chat',
    commands: CHAT_COMMANDS,
    get nodeId() {
      return service?.nodeId;
    },
    async start(ctx: PluginContext): Promise<void> {
      now = () => ctx.clock.now();
      const hosts = await ctx.hostCache('chat');
      // A classic node stores no key: it has no use for one.
      const identity = resolved.classic ? ephemeralIdentity() : await loadIdentity(ctx.dataDir);
      const contacts = new Contacts(ctx.dataDir);
      if (!resolved.classic) await contacts.load();
      const s = new ChatService(resolved, ctx, hosts, identity, contacts);
      service = s;
      try {
        await s.start();
      } catch (err) {
        await s.stop();
        service = undefined;
        throw err;
      }
    },
    async stop(reason?: string): Promise<void> {
      const s = service;
      if (!s) return;
      service = undefined;
      await s.stop(reason);
    },
    async run(command: string, args: string[]): Promise<string[]> {
      const s = running();
      const rest = args.join(' ');
      switch (command) {
        case 'say':
        case 'me': {
          const text = stripControls(rest);
          if (text.trim() === '') throw usage(command);
          s.say(text, command === 'me');
          return [];
        }
        case 'nick': {
          const nick = args[0];
          if (args.length !== 1 || nick === undefined) throw usage(command);
          const bad = nickProblem(nick);
          if (bad !== undefined) throw NetError.usage(`/nick: ${bad}: ${JSON.stringify(nick)} (README "Nicks")`);
          // Nothing changes, so no NICK line would say so: say it here.
          if (nick === s.nick) return [`your nick is already ${nick}`];
          // Our own NICK line says it (one event, one line): no notice besides.
          s.changeNick(nick);
          return [];
        }
        case 'connect': {
          const addr = args[0];
          if (args.length !== 1 || addr === undefined) throw usage(command);
          if (parseName(addr) && !parseHostPort(addr)) {
            const res = await names(s).resolve(addr);
            return [`${addr} is ${chatEndpoint(res)}`, await s.connect(chatEndpoint(res))];
          }
          return [await s.connect(addr)];
        }
        case 'register': {
          const r = parseRegister(args);
          const name = names(s).register(r.classifier, r.unsecured, r.cloud);
          return [`registered ${name}${r.unsecured ? ' (unsecured: anyone can claim it)' : ''} in ${r.cloud}`];
        }
        case 'unregister': {
          const n = names(s);
          const targets = args.length > 0 ? args : n.registrations().map((r) => r.name);
          // Nothing to withdraw is said (the command answered nothing at all).
          if (targets.length === 0) return ['no names registered (/register <classifier>)'];
          return targets.map((t) => (n.unregister(t) ? `unregistered ${t}` : `${t} is not one of our names`));
        }
        case 'contact': {
          const [sub, who, as, extra] = args;
          if (sub !== 'add' || who === undefined || extra !== undefined) throw usage(command);
          const c = await s.contacts.add(who, as, now());
          return [`contact ${c.name}: authority ${c.authority}`];
        }
        case 'signin':
          near(s).signin();
          return ['signed in: people near you see you'];
        case 'signout':
          near(s).signout();
          return ['signed out'];
        case 'near': {
          const n = near(s);
          const people = n.people().map((p) => `${p.nick} (${p.friendly}) ${p.authority.slice(0, 8)} at ${p.address}: ${p.protocols.join(' ') || '-'}`);
          const inv = n.invitations().filter((i) => i.state === 'open').map((i) => `invitation ${i.n}: ${i.from} (${i.nick}) to ${i.kind} at ${i.endpoint}${i.text ? `: ${i.text}` : ''}`);
          return [`${n.signedIn ? 'signed in' : 'signed out'}; invitations from ${n.acceptFrom}`, ...(people.length ? people : ['nobody near you']), ...inv];
        }
        case 'invite': {
          const [who, what, ...msg] = rest.split(' ');
          if (!who || !what) throw usage(command);
          return [near(s).invite(who, what, msg.join(' '))];
        }
        case 'accept':
        case 'decline': {
          const n = Number(args[0]);
          if (args.length !== 1 || !Number.isInteger(n)) throw usage(command);
          return command === 'accept' ? await near(s).accept(n) : [near(s).decline(n)];
        }
        case 'acceptfrom': {
          const v = args[0];
          if (v !== 'anyone' && v !== 'contacts' && v !== 'nobody') throw usage(command);
          near(s).acceptFrom = v;
          return [`invitations from ${v}`];
        }
        case 'clouds':
          return s.clouds().map((c) => `${c.name} (${c.scope}, scope id ${c.scopeId}): ${c.peers} peer${c.peers === 1 ? '' : 's'}, ${c.names} name${c.names === 1 ? '' : 's'}`);
        case 'contacts': {
          const list = s.contacts.list();
          return list.length === 0 ? ['no contacts (/contact add <nick>)'] : list.map((c) => `${c.name}: ${c.authority}`);
        }
        case 'peernames':
          return describeNames(names(s), now());
        case 'resolve': {
          const name = args[0];
          if (args.length !== 1 || name === undefined) throw usage(command);
          return describeResolution(await names(s).resolve(name), now());
        }
        case 'identity':
          return s.identityLines();
        default:
          throw NetError.notFound(`chat has no command /${command}`);
      }
    },
    status(): PluginStatus {
      return service ? service.status() : { ports: {}, peers: 0 };
    },
    peers(): PeerInfo[] {
      return service ? service.peers() : [];
    },
  };
}
