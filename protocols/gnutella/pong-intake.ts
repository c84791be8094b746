import type { HostCache } from '../../src/peers/host-cache.js';
import * as C from './constants.js';
import type { Descriptor } from './descriptor.js';
import { ggepGet } from './ggep.js';
import type { Hostiles } from './hostiles.js';
import { unpackHosts } from './ipv4.js';
import type { LinkId } from './router.js';
import type { PongCache } from './pong-cache.js';
import type { Pong } from './pong.js';

/** What a pong for us feeds. */
export interface PongSinks {
  hosts: HostCache | undefined;
  knownUltrapeers: { add(addr: string): unknown };
  pongs: PongCache;
  hostiles: Pick<Hostiles, 'has' | 'counts'>;
}

/**
 * What we learn from a pong addressed to us (spec 2.6): its host (and GGEP `IPP`
 * hosts) into the host cache, an ultrapeer's (GGEP `UP`) into the known
 * ultrapeers, and the pong into the pong cache we answer pings from. A hostile
 * host (hostiles.ts) goes nowhere: neither cached nor handed on in our pongs.
 * Returns false when the `IPP` list is malformed.
 */
export function learnFromPong(m: Pong, d: Descriptor, from: LinkId, to: PongSinks): boolean {
  if (m.port > 0 && m.ip !== '0.0.0.0') {
    if (to.hostiles.has(m.ip)) {
      to.hostiles.counts.notCached++;
    } else {
      to.hosts?.add(`${m.ip}:${m.port}`);
      // An ultrapeer's pong: GGEP UP or the power-of-two size mark (spec 2.6).
      if (ggepGet(m.ggep, C.GGEP_UP) !== undefined) to.knownUltrapeers.add(`${m.ip}:${m.port}`);
      to.pongs.add({ host: `${m.ip}:${m.port}`, payload: d.payload, hops: d.hops, from });
    }
  }
  const ipp = ggepGet(m.ggep, C.GGEP_IPP);
  if (!ipp) return true;
  try {
    for (const h of unpackHosts(ipp, 30)) {
      if (to.hostiles.has(h.ip)) {
        to.hostiles.counts.notCached++;
        continue;
      }
      to.hosts?.add(`${h.ip}:${h.port}`);
      to.knownUltrapeers.add(`${h.ip}:${h.port}`);
    }
  } catch {
    return false;
  }
  return true;
}
