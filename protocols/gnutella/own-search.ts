import type { Clock } from '../../src/clock.js';
import type { FileHit } from '../../src/search/file-protocol.js';
import type { SearchQuery } from '../../src/search/search-query.js';
import * as C from './constants.js';
import { DQ_OWN_RESULTS } from './dynamic-query.js';
import type { MessageHandler } from './message-handler.js';
import { encodeQuery } from './query.js';
import type { Servent } from './servent.js';
import { newGuid } from './servent-guid.js';

/** TTL of our own queries as a leaf (our ultrapeers run the dynamic query for us). */
export const OUR_QUERY_TTL = C.MAX_TTL - 1;

/**
 * Our own search (FileProtocol.search): as a leaf, one Query to each
 * ultrapeer, flagged leaf-guided (bit 12) so they may ask how many hits we
 * kept; as an ultrapeer, to our leaves whose QRP table matches and to the
 * other ultrapeers by dynamic querying (spec 3.5). Hits are taken until the
 * window closes or the search is cancelled.
 */
export async function ownSearch(s: Servent, m: MessageHandler, clock: Clock, query: SearchQuery, sink: (hit: FileHit) => void, signal: AbortSignal): Promise<{ peers: number }> {
  const targets = s.openLinks();
  if (targets.length === 0) return { peers: 0 };
  const muid = newGuid();
  const leaf = s.role === 'leaf';
  // Bit 14 when firewalled (spec 4.2): firewalled holders then know a push cannot reach us.
  const flags = C.OUR_QUERY_FLAGS | (s.push.firewalled ? C.QUERY_FLAG_FIREWALLED : 0) | (leaf ? C.QUERY_FLAG_LEAF_GUIDED : 0);
  const payload = encodeQuery({ flags, text: query.text });
  s.searches.add(muid, sink);
  if (leaf) {
    for (const l of targets) s.send(l, { muid, type: C.DESCRIPTOR_QUERY, ttl: OUR_QUERY_TTL, hops: 0, payload });
  } else {
    m.seen.check(muid, C.DESCRIPTOR_QUERY, C.MAX_TTL);
    for (const l of m.leavesFor(payload)) s.send(l, { muid, type: C.DESCRIPTOR_QUERY, ttl: 1, hops: 0, payload });
    m.dq.start(muid, payload, 0, 'us', s.opts.dqOwnResults ?? DQ_OWN_RESULTS);
  }
  await new Promise<void>((resolve) => {
    const t = clock.setTimeout(resolve, s.opts.searchMs ?? 20_000);
    signal.addEventListener('abort', () => (t.cancel(), resolve()), { once: true });
  });
  m.dq.cancel(muid);
  s.searches.remove(muid);
  return { peers: targets.length };
}
