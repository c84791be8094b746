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
import { resolveOptions, type ChatOptions } from './options.js';
import { isNick, stripControls } from './text.js';

export type { ChatOptions } from './options.js';
export type { DiscoveryOptions } from './discovery.js';

/** The chat commands, for `/help` and completion (plain input runs `say`). */
export const CHAT_COMMANDS: CommandSpec[] = [
  { name: 'say', args: '<text>', help: 'send a chat line (plain input does this)', text: true },
  { name: 'me', args: '<text>', help: 'send an action line: * nick text', text: true },
  { name: 'nick', args: '<new>', help: 'change your chat nick' },
  { name: 'connect', args: '<host:port>', help: 'link to a chat peer' },
  { name: 'identity', args: '', help: 'our authority and key, and signed-line counters' },
];

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
      const hosts = await ctx.hostCache('chat');
      // A classic node stores no key: it has no use for one.
      const identity = resolved.classic ? ephemeralIdentity() : await loadIdentity(ctx.dataDir);
      const s = new ChatService(resolved, ctx, hosts, identity);
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
          if (text.trim() === '') throw NetError.usage(`/${command} needs some text`);
          s.say(text, command === 'me');
          return [];
        }
        case 'nick': {
          const nick = args[0];
          if (args.length !== 1 || nick === undefined || !isNick(nick)) {
            throw NetError.usage('/nick <new>: one word, no spaces, at most 48 characters');
          }
          s.changeNick(nick);
          return [`you are now ${nick}`];
        }
        case 'connect': {
          const addr = args[0];
          if (args.length !== 1 || addr === undefined) throw NetError.usage('/connect <host:port>');
          return [await s.connect(addr)];
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
