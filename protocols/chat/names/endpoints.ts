/**
 * The endpoints a name record publishes (issue 14 "Peer names": every protocol's listening
 * address and port): `tag@host:port` for each listener of each connection group. A wildcard
 * listener is published with this host's first non-internal IPv4 address (else 127.0.0.1).
 */
import { networkInterfaces } from 'node:os';
import { formatHostPort } from '../../../src/net/address.js';
import { MAX_ENDPOINTS } from './record.js';

/** What we read of a connection group. */
export interface ListeningGroup {
  readonly name: string;
  listening(): { tag: string; host: string; port: number }[];
}

/** A dialable address of this host for a wildcard listener. */
export function hostAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/** `tag@host:port` for every listener; `prefer` replaces a wildcard host when given. */
export function listeningEndpoints(groups: Iterable<ListeningGroup>, prefer?: string): string[] {
  const out: string[] = [];
  let wildcard: string | undefined;
  for (const g of groups) {
    for (const l of g.listening()) {
      let host = l.host;
      if (host === '0.0.0.0' || host === '::') host = prefer !== undefined && prefer !== '0.0.0.0' && prefer !== '::' ? prefer : (wildcard ??= hostAddress());
      const tag = (l.tag === 'main' ? g.name : `${g.name}-${l.tag}`).toLowerCase().replace(/[^a-z0-9_-]/g, '').slice(0, 24) || 'x';
      out.push(`${tag}@${formatHostPort(host, l.port)}`);
    }
  }
  return out.slice(0, MAX_ENDPOINTS);
}
