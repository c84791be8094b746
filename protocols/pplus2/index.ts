import type { CommandSpec, PluginStatus } from '../../src/app-api.js';
import { NetError } from '../../src/errors.js';
import type { PluginContext, ProtocolPlugin } from '../../src/plugin.js';
import type { ShareLibrary } from '../../src/share/share-library.js';
import type { TransferEngine } from '../../src/transfer/transfer-engine.js';
import { Pplus2Service } from './pplus2-service.js';

/** What main.ts passes from `--pplus2-port`, `--pplus2-peer` and the shared library/engine. */
export interface Pplus2PluginOptions {
  /** Base port p (`--pplus2-port`); p, p+1 and p+2 are used. 0 finds three free consecutive ports. */
  port: number;
  /** Bootstrap peers, `ip:p` (`--pplus2-peer`, repeatable). */
  peers: string[];
  share: ShareLibrary;
  transfers: TransferEngine;
  /** Listening address (default: all interfaces). */
  host?: string;
  /** The IP we tell peers in our `ip:p` line (default: `host` if specific, else 127.0.0.1; callees use the IP they see anyway). */
  advertiseHost?: string;
  /** Largest file accepted from a peer (P+2 announces no sizes). */
  maxDownloadBytes?: number;
  /** Shared result numbering across protocols (`/get N`); default: this plugin's own counter. */
  hitNumbers?: () => number;
}

const COMMANDS: CommandSpec[] = [
  { name: 'search', args: '<text>', help: 'ask every known P+2 peer for names containing text (case-insensitive)' },
  { name: 'get', args: '<N>', help: 'download search result N from its peer into the download folder' },
  { name: 'known', args: '', help: 'list the P+2 peers this node knows' },
  { name: 'addpeer', args: '<ip:p>', help: 'add a P+2 peer to ask for peers and search' },
];

/**
 * The P+2 protocol as a plugin (specs/pplus2.md): peer list on p, query on
 * p+1, download on p+2, on the core's connection groups, serving from the
 * share library and moving files through the transfer engine.
 */
export function createPplus2Plugin(opts: Pplus2PluginOptions): ProtocolPlugin {
  let svc: Pplus2Service | undefined;
  const running = (): Pplus2Service => {
    if (!svc) throw NetError.closed('P+2 is not running');
    return svc;
  };
  return {
    name: 'pplus2',
    commands: COMMANDS,
    async start(ctx: PluginContext): Promise<void> {
      svc = new Pplus2Service(ctx, opts);
      await svc.start();
      ctx.log.info(`P+2 listening on ${svc.port}, ${svc.port + 1}, ${svc.port + 2}; ${svc.peers.size} peers to start from`);
    },
    async stop(): Promise<void> {
      await svc?.stop();
    },
    async run(command: string, args: string[]): Promise<string[]> {
      const s = running();
      switch (command) {
        case 'search': {
          const text = args.join(' ').trim();
          if (text === '') throw NetError.usage('usage: /search <text>');
          const { id, peers } = s.search(text);
          return [`search ${id}: asking ${peers} P+2 peers for "${text}"`];
        }
        case 'get': {
          const n = Number(args[0]);
          if (args.length !== 1 || !Number.isSafeInteger(n) || n <= 0) throw NetError.usage('usage: /get <N>');
          const { id, hit } = s.get(n);
          return [`downloading "${hit.name}" from ${hit.source} as transfer #${id}`];
        }
        case 'known': {
          const keys = s.peers.keys();
          return keys.length === 0 ? ['no known P+2 peers'] : keys;
        }
        case 'addpeer': {
          if (args.length !== 1) throw NetError.usage('usage: /addpeer <ip:p>');
          return [s.addPeer(args[0]!) ? `added ${args[0]!}` : `${args[0]!} is known already (or the list is full)`];
        }
        default:
          throw NetError.notFound(`pplus2 has no command /${command}`);
      }
    },
    status(): PluginStatus {
      return { ports: svc ? { pplus2: svc.port } : {}, peers: svc?.peers.size ?? 0 };
    },
  };
}
