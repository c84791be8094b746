/**
 * "tiny": a small file-sharing protocol for tests, implementing FileProtocol
 * for real: it serves named buffers on a TCP port on 127.0.0.1 (one line with
 * a name in, the bytes out, close) and its search answers from that catalogue
 * with sizes and SHA-1s, so the core can verify what it downloads.
 */
import { createHash } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { PluginStatus } from '../../src/app-api.js';
import { NetError } from '../../src/errors.js';
import type { PluginContext, ProtocolPlugin } from '../../src/plugin.js';
import type { FileHit, FileProtocol } from '../../src/search/file-protocol.js';

export interface TinyRef {
  port: number;
  name: string;
}

export interface TinyPlugin extends ProtocolPlugin {
  /** Queries this protocol was asked, in order. */
  readonly queries: string[];
  /** Sockets that asked for a file. */
  readonly served: string[];
}

/** Builds the tiny plugin serving `files`; `holdSearch` keeps searches open until aborted. */
export function createTinyPlugin(files: Record<string, Buffer>, opts: { name?: string; holdSearch?: boolean; peers?: number } = {}): TinyPlugin {
  let server: Server | undefined;
  let port = 0;
  const sockets = new Set<Socket>();
  const queries: string[] = [];
  const served: string[] = [];
  const files_: FileProtocol = {
    async search(query, sink, signal) {
      queries.push(query.text);
      const words = query.text.toLowerCase().split(/\s+/);
      for (const [name, data] of Object.entries(files)) {
        if (!words.every((w) => name.toLowerCase().includes(w))) continue;
        sink({ name, size: data.length, source: `127.0.0.1:${port}`, sha1: createHash('sha1').update(data).digest('hex'), speed: 100, ref: { port, name } satisfies TinyRef });
      }
      if (opts.holdSearch) {
        await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
      }
      return { peers: opts.peers ?? 1 };
    },
    source(hit: FileHit) {
      const ref = hit.ref as TinyRef;
      return {
        open: (_offset, signal) =>
          new Promise((resolve, reject) => {
            const s = connect(ref.port, '127.0.0.1');
            const onAbort = (): void => void s.destroy();
            signal.addEventListener('abort', onAbort, { once: true });
            s.once('close', () => signal.removeEventListener('abort', onAbort));
            s.once('error', (err) => reject(NetError.socket(err)));
            s.once('connect', () => {
              s.write(ref.name + '\n');
              resolve({ stream: s, start: 0, total: files[ref.name]?.length ?? null });
            });
          }),
      };
    },
  };
  return {
    name: opts.name ?? 'tiny',
    commands: [],
    files: files_,
    queries,
    served,
    async start(_ctx: PluginContext): Promise<void> {
      server = createServer((s) => {
        sockets.add(s);
        s.on('error', () => s.destroy());
        s.once('close', () => sockets.delete(s));
        let buf = '';
        s.on('data', (d: Buffer) => {
          buf += d.toString('utf8');
          const nl = buf.indexOf('\n');
          if (nl < 0) return;
          const name = buf.slice(0, nl);
          served.push(name);
          s.end(files[name] ?? Buffer.alloc(0));
        });
      });
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    },
    async stop(): Promise<void> {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server?.close(r));
    },
    async run(): Promise<string[]> {
      return [];
    },
    status(): PluginStatus {
      return { ports: { [opts.name ?? 'tiny']: port }, peers: 0 };
    },
  };
}
