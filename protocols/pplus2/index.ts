import type { CommandSpec, PluginStatus } from '../../src/app-api.js';
import { NetError } from '../../src/errors.js';
import type { PluginContext, ProtocolPlugin } from '../../src/plugin.js';
import type { FileProtocol } from '../../src/search/file-protocol.js';
import { plural } from '../../src/words.js';
import { ADDPEER_USAGE } from './codec.js';
import * as C from './constants.js';
import { Pplus2Service } from './pplus2-service.js';

/** What main.ts passes from `--pplus2-port`, `--pplus2-host` and `--pplus2-peer` (see flags.ts). */
export interface Pplus2PluginOptions {
  /** Base port p (`--pplus2-port`); p, p+1 and p+2 are used. 0 finds three free consecutive ports. */
  port: number;
  /** Bootstrap peers, `ip:p` (`--pplus2-peer`, repeatable). */
  peers: string[];
  /** Listening address (default: all interfaces). */
  host?: string;
  /** The IP we tell peers in our `ip:p` line (default: `host` if specific, else 127.0.0.1; callees use the IP they see anyway). */
  advertiseHost?: string;
  /** Largest file accepted from a peer (P+2 announces no sizes). */
  maxDownloadBytes?: number;
}

const COMMANDS: CommandSpec[] = [
  { name: 'known', args: '', help: 'list the P+2 peers this node knows' },
  { name: 'addpeer', args: '<ip:p>', help: 'add a P+2 peer to ask for peers and search' },
];

/**
 * The P+2 protocol as a plugin (specs/pplus2.md): peer list on p, query on
 * p+1, download on p+2, on the core's connection groups, serving from the
 * share library (`ctx.share`) and moving files through the transfer engine
 * (`ctx.transfers`). `/search` and `/get` reach it through the core's search
 * service, as its FileProtocol.
 */
export function createPplus2Plugin(opts: Pplus2PluginOptions): ProtocolPlugin {
  let svc: Pplus2Service | undefined;
  const running = (): Pplus2Service => {
    if (!svc) throw NetError.closed('P+2 is not running');
    return svc;
  };
  const files: FileProtocol = {
    search: (query, sink, signal) => running().search(query, sink, signal),
    source: (hit) => ({ open: (offset, signal) => running().source(hit).open(offset, signal) }),
    download: { emptyIsMissing: true, maxBytes: opts.maxDownloadBytes ?? C.DEFAULT_MAX_DOWNLOAD_BYTES },
  };
  return {
    name: 'pplus2',
    commands: COMMANDS,
    files,
    async start(ctx: PluginContext): Promise<void> {
      svc = new Pplus2Service(ctx, opts);
      await svc.start();
      ctx.log.info(`P+2 listening on ${svc.port}, ${svc.port + 1}, ${svc.port + 2}; ${plural(svc.peers.size, 'peer')} to start from`);
    },
    async stop(): Promise<void> {
      await svc?.stop();
    },
    async run(command: string, args: string[]): Promise<string[]> {
      const s = running();
      switch (command) {
        case 'known': {
          const keys = s.peers.keys();
          // How a peer gets known, where there is none (it said only `no known P+2 peers`).
          return keys.length === 0 ? ['no known P+2 peers (/addpeer ip:p adds one; a node that asks us for peers is added too)'] : keys;
        }
        case 'addpeer': {
          if (args.length !== 1) throw NetError.usage(`usage: ${ADDPEER_USAGE}`);
          return [s.addPeer(args[0]!)];
        }
        default:
          throw NetError.notFound(`pplus2 has no command /${command}`);
      }
    },
    status(): PluginStatus {
      return { ports: svc ? { pplus2: svc.port } : {}, peers: svc?.peers.size ?? 0, linkless: true };
    },
  };
}
