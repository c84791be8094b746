/**
 * The Napster plugin (specs/napster.md): for now the OpenNap-compatible
 * server (`--napster-server`); the client (issue 13) joins it here.
 */
import type { CommandSpec, PluginStatus } from '../../src/app-api.js';
import { NetError, type NetErrorCode } from '../../src/errors.js';
import { LINK_NAMES, onlineFor } from './client-whois.js';
import { LEVELS } from './constants.js';
import type { PluginContext, ProtocolPlugin } from '../../src/plugin.js';
import { withNapsterClient } from './client-plugin.js';
import type { NapsterClientOptions } from './client-service.js';
import type { NapsterServerOptions } from './options.js';
import { clusterStatusLines } from './server/cluster/cluster-status.js';
import { NapsterServer, type ServerRunOptions } from './server/napster-server.js';

export interface NapsterPluginOptions {
  /** Run the server with these settings (see options.ts). */
  server?: NapsterServerOptions & Pick<ServerRunOptions, 'hashCost' | 'slowReaderGraceMs'>;
  /** Run the client (issue 13) with these settings (see client-options.ts). */
  client?: NapsterClientOptions;
}

const COMMANDS: CommandSpec[] = [
  { name: 'napster-stats', args: '', help: 'the Napster server: users, files, searches per second' },
  { name: 'napster-users', args: '', help: 'the users logged in to the Napster server' },
  { name: 'nstatus', args: '', help: "the Napster server's cluster: servers, users and files" },
];

const CUT_OFF_WORDS: Partial<Record<NetErrorCode, string>> = {
  FRAME_TOO_LARGE: 'frame over 2048 bytes or garbage',
  BAD_MESSAGE: 'malformed',
  PROTOCOL: 'protocol error',
  SLOW_CONSUMER: 'not reading',
  FLOOD: 'flood control',
  LIMIT: 'over a limit',
  HANDSHAKE_TIMEOUT: 'no login in time',
};

/** `/napster-stats`: who the server cut off since start, and why, in words. */
function cutOffLine(counts: ReadonlyMap<NetErrorCode, number>): string {
  let total = 0;
  const parts: string[] = [];
  for (const [code, n] of counts) {
    total += n;
    parts.push(`${CUT_OFF_WORDS[code] ?? code.toLowerCase()} ${n}`);
  }
  return total === 0 ? 'no connection cut off since start' : `connections cut off since start: ${total} (${parts.join(', ')})`;
}

/** Creates the Napster plugin. */
export function createNapsterPlugin(opts: NapsterPluginOptions): ProtocolPlugin {
  const plugin = createServerPlugin(opts);
  return opts.client ? withNapsterClient(plugin, opts.client) : plugin;
}

function createServerPlugin(opts: NapsterPluginOptions): ProtocolPlugin {
  let server: NapsterServer | undefined;
  const running = (): NapsterServer => {
    if (!server) throw NetError.closed('the Napster server is not running');
    return server;
  };
  return {
    name: 'napster',
    commands: COMMANDS,
    async start(ctx: PluginContext): Promise<void> {
      if (!opts.server) return;
      server = new NapsterServer(ctx, opts.server);
      await server.start();
      ctx.log.info(`Napster server "${server.state.cfg.name}" listening on port ${server.port}`);
      ctx.emit({ type: 'notice', protocol: 'napster', text: `server: listening on port ${server.port} as ${server.state.cfg.name}` });
    },
    async stop(): Promise<void> {
      await server?.stop();
    },
    async run(command: string): Promise<string[]> {
      const s = running();
      const st = s.state;
      switch (command) {
        case 'napster-stats':
          return [
            `Napster server ${st.cfg.name} on port ${s.port}: ${st.users.size} users, ${st.index.size} files ` +
              `(${st.index.words} words), ${st.channels.size} channels, ${s.searchRate} searches/s, ${st.accounts.size} accounts`,
            cutOffLine(s.cutOff),
          ];
        case 'napster-users': {
          const now = st.clock.now();
          const lines = [...st.users.values()].map(
            (u) =>
              `${u.nick} ${u.ip} port ${u.port} speed ${u.speed} (${LINK_NAMES[u.speed] ?? '?'}), ${LEVELS[u.level] ?? '?'}, ` +
              `client "${u.client}", online ${onlineFor(Math.floor((now - u.loginAt) / 1000))}, ${u.shared} files`,
          );
          return lines.length ? lines : ['nobody is logged in'];
        }
        case 'nstatus':
          return clusterStatusLines(s);
        default:
          throw NetError.notFound(`napster has no command /${command}`);
      }
    },
    status(): PluginStatus {
      return { ports: server ? { napster: server.port } : {}, peers: server?.state.users.size ?? 0 };
    },
  };
}
