import type { CommandSpec, PluginStatus } from '../app-api.js';
import { NetError } from '../errors.js';
import type { PluginContext, ProtocolPlugin } from '../plugin.js';
import type { ShareLibrary } from '../share/share-library.js';
import { formatBytes, formatTransfer } from './format.js';
import type { TransferEngine } from './transfer-engine.js';

/** The pseudo-plugin's name: commands route to it like any protocol's. */
export const TRANSFERS_PLUGIN = 'transfers';

const COMMANDS: CommandSpec[] = [
  { name: 'downloads', args: '', help: 'list transfers: id, direction, progress, rate, state, file, peer' },
  { name: 'cancel', args: '<N>', help: 'stop transfer N (its .part file stays for /retry)' },
  { name: 'retry', args: '<N>', help: 'restart failed or cancelled download N, resuming its .part file' },
  { name: 'rescan', args: '', help: 'scan the shared folders again' },
  { name: 'shares', args: '', help: 'shared folders, file count, bytes, files still being hashed' },
];

/** The library and engine the node built (main.ts). */
export interface TransfersPluginOptions {
  share: ShareLibrary;
  transfers: TransferEngine;
}

function idArg(args: string[], command: string): number {
  const n = Number(args[0]);
  if (args.length !== 1 || !Number.isSafeInteger(n) || n <= 0) throw NetError.usage(`usage: /${command} <N>`);
  return n;
}

/**
 * Puts the share library and the transfer engine on the node like a protocol
 * (started first, stopped last) so their events reach the UI through
 * `ctx.emit` and `/downloads`, `/cancel N`, `/retry N`, `/rescan` route through
 * `AppApi.run('transfers', ...)` without the node knowing about files.
 */
export function createTransfersPlugin(opts: TransfersPluginOptions): ProtocolPlugin {
  const { share, transfers } = opts;
  const unsubscribe: Array<() => void> = [];
  return {
    name: TRANSFERS_PLUGIN,
    commands: COMMANDS,
    service: true,
    async start(ctx: PluginContext): Promise<void> {
      unsubscribe.push(share.subscribe((e) => ctx.emit(e)), transfers.subscribe((e) => ctx.emit(e)));
      await share.start();
    },
    async stop(): Promise<void> {
      await transfers.stop();
      await share.stop();
      for (const u of unsubscribe.splice(0)) u();
    },
    async run(command: string, args: string[]): Promise<string[]> {
      switch (command) {
        case 'downloads': {
          const rows = transfers.list();
          return rows.length === 0 ? ['no transfers'] : rows.map(formatTransfer);
        }
        case 'cancel': {
          const id = idArg(args, command);
          if (!transfers.cancel(id)) throw NetError.notFound(`no queued or running transfer #${id}`);
          return [`cancelled #${id}`];
        }
        case 'retry': {
          const id = idArg(args, command);
          if (!transfers.retry(id)) throw NetError.notFound(`no failed or cancelled download #${id}`);
          return [`retrying #${id}`];
        }
        case 'rescan':
          await share.rescan();
          return [`sharing ${share.files} files, ${formatBytes(share.bytes)}`];
        case 'shares':
          return [
            ...share.roots.map((r) => `shared: ${r}`),
            `${share.files} files, ${formatBytes(share.bytes)}, ${share.pendingHashes} still to hash; downloads go to ${transfers.downloadDir}`,
          ];
        default:
          throw NetError.notFound(`transfers has no command /${command}`);
      }
    },
    status(): PluginStatus {
      return { ports: {}, peers: 0 };
    },
  };
}
