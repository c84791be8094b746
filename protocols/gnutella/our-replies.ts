/**
 * What the servent says about itself and its files: its pong (spec 2.6), its
 * QueryHits for a query (spec 2.7, 2.8) and its browse-host body (spec 5.5),
 * built from the share library's in-memory index and totals (no disk) and the
 * servent's address, GUID and firewall state.
 */
import type { ShareEntry } from '../../src/share/share-entry.js';
import type { ShareLibrary } from '../../src/share/share-library.js';
import { answerQuery, answersQuerier } from './answer.js';
import { browseBody } from './browse-host.js';
import * as C from './constants.js';
import { encodePong, leafKbytes, ultrapeerKbytes } from './pong.js';
import { encodeQueryHit } from './query-hit.js';
import type { Query } from './query.js';
import type { Servent } from './servent.js';

/** Speed we state in our hits, kbit/s. */
const OUR_SPEED = 10_000;

/**
 * Our own pong: port, IP, files and KiB; an ultrapeer marks its size as a power of two
 * and adds GGEP UP (version 0, free leaf slots, free ultrapeer slots). The totals are the
 * library's (kept per scan), not a walk over every shared file: pings come as fast as a
 * peer likes, and each used to cost a pass over the whole share.
 */
export function ourPong(s: Servent, share: ShareLibrary): Buffer {
  const kb = Math.min(0xffff_ffff, Math.floor(share.bytes / 1024));
  const up = s.role === 'ultrapeer';
  const slots = (n: number): number => Math.max(0, Math.min(255, n));
  const ggep = up ? [{ id: C.GGEP_UP, data: Buffer.from([C.GGEP_UP_VERSION, slots(s.freeLeafSlots()), slots(s.freeUltrapeerSlots())]) }] : [];
  return encodePong({ port: s.port, ip: s.local.listen?.ip ?? '127.0.0.1', files: Math.min(share.files, 0xffff_ffff), kbytes: up ? ultrapeerKbytes(kb) : leafKbytes(kb), ggep });
}

/**
 * Our QueryHit payloads for a query (none for a firewalled querier while we are firewalled
 * too); `newest`: our newest files, for a What's New query (whats-new.ts).
 */
export function ourHits(s: Servent, share: ShareLibrary, m: Query, newest: () => readonly ShareEntry[]): Buffer[] {
  if (!answersQuerier(m.flags, s.push.firewalled)) return [];
  const hits = answerQuery(m, share, undefined, newest);
  if (hits.length === 0) return [];
  const ip = s.local.listen?.ip ?? '127.0.0.1';
  const fw = s.push.hitFields();
  return hits.map((results) =>
    encodeQueryHit({
      port: s.port,
      ip,
      speed: OUR_SPEED,
      results,
      vendor: C.OUR_VENDOR,
      push: fw.push,
      busy: false,
      uploaded: false,
      ggep: [{ id: C.GGEP_BH, data: Buffer.alloc(0) }, ...fw.ggep],
      serventGuid: s.guid,
    }),
  );
}

/** Our shared files as QueryHit descriptors, for browse host. */
export function ourBrowseBody(s: Servent, share: ShareLibrary): Buffer {
  return browseBody(share.entries(), { port: s.port, ip: s.local.listen?.ip ?? '127.0.0.1', speed: OUR_SPEED, vendor: C.OUR_VENDOR, push: s.push.firewalled, busy: false, uploaded: false, serventGuid: s.guid });
}
