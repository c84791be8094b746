import type { Stats } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { CommandSpec, PluginStatus } from '../app-api.js';
import { NetError } from '../errors.js';
import type { PluginContext, ProtocolPlugin } from '../plugin.js';
import { formatTransfer } from '../transfer/format.js';
import type { ShareLibrary } from '../share/share-library.js';
import type { TransferInfo } from '../transfer/transfer-types.js';
import type { SearchService } from './search-service.js';
import { formatQuery, parseSearchArgs, SEARCH_SYNOPSIS } from './search-query.js';
import { formatSize, NOTHING_SHARED, plural, sharingWords } from '../words.js';

/** The files service's plugin name: its commands route like any protocol's. */
export const FILES_PLUGIN = 'files';

const COMMANDS: CommandSpec[] = [
  { name: 'search', args: SEARCH_SYNOPSIS, help: 'search every running file-sharing protocol (or only -p protocol); filters: size range, type, extension', text: true },
  { name: 'get', args: '<N> [again]', help: 'download search result N through the protocol that found it (a file you have already: says where; again: fetch another copy)' },
  { name: 'downloads', args: '', help: 'list transfers, downloads and uploads: id, direction, progress, rate, state, file, peer' },
  { name: 'uploads', args: '', help: 'list uploads only: id, progress, rate, state, file, who gets it' },
  { name: 'cancel', args: '<N>', help: 'stop queued or running transfer N (its .part file stays for /retry)' },
  { name: 'retry', args: '<N>', help: 'restart failed or cancelled download N, resuming its .part file' },
  { name: 'rescan', args: '', help: 'scan the shared folders again' },
  { name: 'shares', args: '', help: 'shared folders, file count, bytes, files still being hashed' },
];

/** `/get N` or `/get N again`. */
function getArgs(args: string[]): { n: number; again: boolean } {
  const again = args.length === 2 && args[1]!.toLowerCase() === 'again';
  const n = Number(args[0]);
  if ((args.length !== 1 && !again) || !Number.isSafeInteger(n) || n <= 0) throw NetError.usage('usage: /get <N> [again]');
  return { n, again };
}

/** A file at least this big is said to be read before `/get` answers (it takes a while). */
export const HASHING_NOTICE_BYTES = 16 * 1024 * 1024;

/**
 * The SHA-1 the share library has for a file in the download folder as `st` finds it now (the
 * folder, or one it is in, is shared), so `/get` does not read it again: undefined otherwise.
 */
function sharedSha1(share: ShareLibrary, path: string, st: Stats, wantSha1: string | undefined): string | undefined {
  for (const e of [wantSha1 === undefined ? undefined : share.bySha1(wantSha1), share.byName(basename(path))]) {
    if (e?.sha1 === undefined || resolve(e.path) !== resolve(path)) continue;
    if (e.size === st.size && e.mtimeMs === st.mtimeMs && (e.ctimeMs === undefined || e.ctimeMs === st.ctimeMs)) return e.sha1;
  }
  return undefined;
}

/**
 * What `/get N` says of a file this node has already (README "Downloads"), or undefined when
 * it has not: where it is, why it is taken for the same file, and how to fetch it anyway. A
 * file of the size asked for is compared by SHA-1: the share library's or one read before this
 * session when it has not changed since; else it is read, and a big one is said to be read first.
 */
async function alreadyHere(ctx: PluginContext, n: number): Promise<string | undefined> {
  const { search, transfers, share } = ctx;
  const hit = search.hit(n);
  if (!hit) return undefined; // download() says why
  let have;
  try {
    have = await transfers.localCopy(search.request(hit.protocol, hit.hit), {
      sha1Of: (path, st) => sharedSha1(share, path, st, hit.hit.sha1),
      onHashing: (path, size) => {
        if (size < HASHING_NOTICE_BYTES) return;
        const text = `/get ${n}: reading ${path} (${formatSize(size)}) for its SHA-1, to see whether it is "${hit.hit.name}" already`;
        ctx.emit({ type: 'notice', protocol: FILES_PLUGIN, text });
      },
    });
  } catch {
    return undefined; // the protocol stopped: download() says so
  }
  if (!have) return undefined;
  const name = hit.hit.name;
  if (have.how === 'same') return `already have "${name}": ${have.path} (the same ${have.by}; /get ${n} again fetches another copy)`;
  return `already have a file named "${name}": ${have.path} (its source did not say its size, so they cannot be compared; /get ${n} again fetches it anyway)`;
}

/**
 * What `/get` says of a file that is downloading already from that source: where it stands, and
 * that it came back from the last run when it did (after a restart, `/get` of a download that
 * `transfers.json` had brought back was refused as `DUPLICATE: already downloading`, an error,
 * with nothing to say that the restart had resumed it).
 */
export function alreadyDownloading(t: TransferInfo): string {
  const from = t.resumed ? ', resumed from the last run' : '';
  const where = t.state === 'queued' ? 'queued' : `${formatSize(t.bytes)}${t.total !== null ? ` of ${formatSize(t.total)}` : ''} so far`;
  return `"${t.name}" is already downloading as transfer #${t.id}${from} (${where}; /downloads lists it)`;
}

function idArg(args: string[], command: string): number {
  const n = Number(args[0]);
  if (args.length !== 1 || !Number.isSafeInteger(n) || n <= 0) throw NetError.usage(`usage: /${command} <N>`);
  return n;
}

/**
 * Why `/cancel N` or `/retry N` did nothing, said of transfer N as it stands (both said only
 * `no queued or running transfer #1` of a transfer that was done).
 */
function whyNot(t: TransferInfo | undefined, id: number, command: 'cancel' | 'retry'): string {
  if (!t) return `no transfer #${id} (/downloads lists them)`;
  const state = t.state === 'active' ? 'running' : t.state;
  if (command === 'cancel') return `transfer #${id} is ${state === 'done' ? 'done' : `already ${state}`}: nothing to cancel`;
  if (t.direction === 'up') return `transfer #${id} is an upload: only downloads can be retried`;
  if (state === 'done') return `transfer #${id} is done: nothing to retry`;
  return `transfer #${id} is ${state === 'queued' ? 'queued' : 'running'} already: nothing to retry`;
}

/**
 * The files service (issue 7): `/search`, `/get N`, `/downloads`, `/uploads`, `/cancel`,
 * `/retry`, `/rescan` and `/shares` in one place, over the share library,
 * transfer engine and search service every plugin reaches through its
 * context. Placed first in the plugin list, it starts the library before
 * any protocol serves from it and stops the engine and library last; the
 * node gives it no tab or status-bar entry (`service`).
 */
export function createFilesPlugin(): ProtocolPlugin {
  let ctx: PluginContext | undefined;
  const unsubscribe: Array<() => void> = [];
  const running = (): PluginContext => {
    if (!ctx) throw NetError.closed('the files service is not running');
    return ctx;
  };
  return {
    name: FILES_PLUGIN,
    commands: COMMANDS,
    service: true,
    async start(c: PluginContext): Promise<void> {
      ctx = c;
      // share.ready says how many folders are shared: a node without --share says so in words.
      const folders = c.share.roots.length;
      unsubscribe.push(
        c.share.subscribe((e) => c.emit(e.type === 'share.ready' ? { ...e, folders } : e)),
        c.transfers.subscribe((e) => c.emit(e)),
      );
      await c.share.start();
    },
    async stop(): Promise<void> {
      if (!ctx) return;
      await ctx.search.stop();
      await ctx.transfers.stop();
      await ctx.share.stop();
      for (const u of unsubscribe.splice(0)) u();
      ctx = undefined;
    },
    async run(command: string, args: string[]): Promise<string[]> {
      const { share, transfers, search } = running();
      switch (command) {
        case 'search': {
          const { query, protocol } = parseSearchArgs(args);
          const { id, protocols } = search.start(query, protocol);
          // The query as read back, filters too (`song -min 1024 -type audio`), as search.started has it.
          return [`search ${id}: asking ${protocols.join(', ')} for "${formatQuery(query)}"`];
        }
        case 'get': {
          const { n, again } = getArgs(args);
          // A file downloaded before is said to be here, not fetched again as `name (1).ext`.
          const here = again ? undefined : await alreadyHere(running(), n);
          if (here !== undefined) return [here];
          const { id, hit, joined, already } = search.download(n);
          if (already) return [alreadyDownloading(already)];
          if (joined) return [`"${hit.hit.name}" is already downloading as transfer #${id}; ${hit.hit.source} [${hit.protocol}] added as another source`];
          const sameAs = transfers.get(id)?.sameAs;
          if (sameAs !== undefined) {
            return [
              `"${hit.hit.name}" has the same content as transfer #${sameAs}: saved as a copy of it once it is done, as transfer #${id} (${hit.hit.source} [${hit.protocol}] helps fetch it)`,
            ];
          }
          // Waiting for a slot is said here: headless text prints this answer, not the queued event beside it.
          const position = transfers.queuePosition(id);
          const waits = position > 0 ? `, #${position} in the queue` : '';
          return [`downloading "${hit.hit.name}" from ${hit.hit.source} [${hit.protocol}] as transfer #${id}${waits}`];
        }
        case 'downloads': {
          const rows = transfers.list();
          return rows.length === 0 ? ['no transfers'] : rows.map(formatTransfer);
        }
        case 'uploads': {
          // What this node serves, apart from what it fetches (a busy uploader's /downloads is mostly `up` rows).
          const rows = transfers.list().filter((t) => t.direction === 'up');
          return rows.length === 0 ? ['no uploads'] : rows.map(formatTransfer);
        }
        case 'cancel': {
          const id = idArg(args, command);
          if (!transfers.cancel(id)) throw NetError.notFound(whyNot(transfers.get(id), id, 'cancel'));
          // Which file (headless prints this answer, not the cancel event beside it).
          const t = transfers.get(id);
          return [`cancelled #${id}${t ? `: ${t.name}` : ''}${t?.direction === 'down' ? ' (its .part stays for /retry)' : ''}`];
        }
        case 'retry': {
          const id = idArg(args, command);
          if (!transfers.retry(id)) throw NetError.notFound(whyNot(transfers.get(id), id, 'retry'));
          // Which file from where, and its place in the queue (headless prints this, not the queued event).
          const t = transfers.get(id);
          const position = transfers.queuePosition(id);
          const from = t ? `: ${t.name} from ${t.peer} [${t.protocol}]` : '';
          return [`retrying #${id}${from}${position > 0 ? `, #${position} in the queue` : ''}`];
        }
        case 'rescan':
          // Nothing to scan is said as such (it read `sharing 0 files, 0 B`, as if a folder had emptied).
          if (share.roots.length === 0) return [NOTHING_SHARED];
          await share.rescan();
          return [sharingWords(share.files, share.bytes)];
        case 'shares':
          if (share.roots.length === 0) return [`${NOTHING_SHARED}; downloads go to ${transfers.downloadDir}`];
          return [
            ...share.roots.map((r) => `shared: ${r}`),
            `${plural(share.files, 'file')}, ${formatSize(share.bytes)}, ${share.pendingHashes} still to hash; downloads go to ${transfers.downloadDir}`,
          ];
        default:
          throw NetError.notFound(`files has no command /${command}`);
      }
    },
    status(): PluginStatus {
      return { ports: {}, peers: 0 };
    },
  };
}
