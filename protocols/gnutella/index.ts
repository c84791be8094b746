import type { CommandSpec, PeerInfo, PluginStatus } from '../../src/app-api.js';
import { NetError } from '../../src/errors.js';
import { parseHostPort } from '../../src/net/address.js';
import type { PluginContext, ProtocolPlugin } from '../../src/plugin.js';
import type { FileProtocol } from '../../src/search/file-protocol.js';
import { parseGnutellaRef } from './http-download.js';
import { Servent, type ServentOptions } from './servent.js';
import { dropLine, statusLines } from './status.js';

export type { GnutellaOptions } from './flags.js';

const COMMANDS: CommandSpec[] = [
  { name: 'gstatus', args: '', help: 'Gnutella: mode, firewalled state, links (role, vendor, compression, counters), hits and drops' },
  { name: 'gconnect', args: '<host:port>', help: 'Gnutella: dial this servent first (kept in the host cache)' },
  { name: 'ghostiles', args: '[reload]', help: 'Gnutella: hostile addresses and spam SHA-1s in use and what they stopped; reload re-reads --gnutella-hostiles and --gnutella-spam-sha1' },
];

/**
 * Gnutella 0.6 as a plugin (specs/gnutella.md, issue 10): a leaf (or a minimal
 * ultrapeer for test networks) on one port that also serves HTTP uploads,
 * searching and downloading through the core's search service as its
 * FileProtocol.
 */
export function createGnutellaPlugin(opts: ServentOptions): ProtocolPlugin {
  let servent: Servent | undefined;
  let ctxRef: PluginContext | undefined;
  const running = (): Servent => {
    if (!servent) throw NetError.closed('Gnutella is not running');
    return servent;
  };
  /** `X-Node` for our downloads (spec 5.1): our address and port, only while we accept incoming connections. */
  const ourNode = (): string | undefined => {
    const listen = servent?.push.firewalled === false ? servent.local.listen : undefined;
    return listen ? `${listen.ip}:${listen.port}` : undefined;
  };
  const files: FileProtocol = {
    // Our hits teach the alternate-location mesh where files are (spec 5.2).
    search: (query, sink, signal) => running().search(query, (hit) => (servent?.altLocs.heardHit(hit), sink(hit)), signal),
    source: (hit) => {
      const ref = parseGnutellaRef(hit.ref);
      if (!ref) return { open: () => Promise.reject(NetError.badMessage('not a Gnutella download reference')) };
      return ref.firewalled ? running().push.source(ref) : running().altLocs.source(ref, { clock: ctxRef?.clock, node: ourNode });
    },
  };
  return {
    name: 'gnutella',
    commands: COMMANDS,
    files,
    async start(ctx: PluginContext): Promise<void> {
      ctxRef = ctx;
      servent = new Servent(ctx, opts);
      await servent.start();
      ctx.log.info(`Gnutella ${servent.role} (mode ${opts.mode}) listening on ${servent.port}`);
    },
    async stop(): Promise<void> {
      await servent?.stop();
    },
    async run(command: string, args: string[]): Promise<string[]> {
      const s = running();
      if (command === 'gstatus') return statusLines(s, s.messages, ctxRef!.clock.now());
      if (command === 'gconnect') {
        // Marked good, the address is the first the next dial round picks (a People Near Me invitation uses this).
        const addr = args[0];
        if (args.length !== 1 || addr === undefined || !parseHostPort(addr) || !s.hosts?.add(addr)) throw NetError.usage('/gconnect <host:port>');
        s.hosts.good(addr);
        // Named by the user, as a --gnutella-peer is: an ultrapeer (which dials known ultrapeers only) dials it too.
        s.knownUltrapeers.add(addr);
        s.maintain();
        return [`gnutella: dialling ${addr} (when a link slot is free; see /gstatus)`];
      }
      if (command === 'ghostiles') {
        const now = ctxRef!.clock.now();
        if (args.length === 0) return [s.filters.statusLine(s.bans.count(now)), dropLine(s.messages.drops)];
        if (args.length !== 1 || args[0] !== 'reload') throw NetError.usage('/ghostiles [reload]');
        const lines = await s.filters.load(now);
        return [...(lines.length > 0 ? lines : ['no --gnutella-hostiles or --gnutella-spam-sha1 file to reload']), s.filters.statusLine(s.bans.count(now))];
      }
      throw NetError.notFound(`gnutella has no command /${command}`);
    },
    status(): PluginStatus {
      if (!servent) return { ports: {}, peers: 0 };
      return { ports: { gnutella: servent.port }, peers: servent.openLinks().length, firewalled: servent.push.firewalled, role: servent.role === 'ultrapeer' ? 'UP' : 'leaf' };
    },
    peers(): PeerInfo[] {
      if (!servent || !ctxRef) return [];
      const now = ctxRef.clock.now();
      return servent.openLinks().map((l) => ({
        protocol: 'gnutella',
        address: l.conn.address,
        direction: l.conn.direction,
        nick: `${l.role ?? '?'} ${l.peer?.userAgent ?? ''}`.trim(),
        uptimeMs: now - l.openedAt,
        queuedBytes: l.conn.queuedBytes,
      }));
    },
  };
}
