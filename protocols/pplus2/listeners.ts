import type { ConnectionGroup, Listener } from '../../src/net/connection-group.js';
import { NetError } from '../../src/errors.js';
import { DOWNLOAD_OFFSET, MAX_BASE_PORT, PEER_LIST_OFFSET, QUERY_OFFSET, TAG_DOWNLOAD, TAG_PEERS, TAG_QUERY } from './constants.js';

/** Attempts at finding three free consecutive ports when asked for port 0. */
const FREE_PORT_ATTEMPTS = 20;

/**
 * Opens the three P+2 listeners on p, p+1, p+2 (pplus2.md, the table). With
 * port 0 it lets the OS pick p and retries until p+1 and p+2 are free too,
 * so tests and benches can run many peers on one machine.
 */
export async function listenTriple(group: ConnectionGroup<string>, port: number, host: string | undefined): Promise<{ port: number; listeners: Listener[] }> {
  if (port !== 0) return { port, listeners: await tryTriple(group, port, host) };
  let last: unknown;
  for (let i = 0; i < FREE_PORT_ATTEMPTS; i++) {
    const first = await group.listen(0, { host, tag: TAG_PEERS });
    if (first.port > MAX_BASE_PORT) {
      await first.close();
      continue;
    }
    try {
      const rest = await tryRest(group, first.port, host);
      return { port: first.port, listeners: [first, ...rest] };
    } catch (err) {
      last = err;
      await first.close();
    }
  }
  throw NetError.limit(`no three free consecutive ports found: ${String(last)}`);
}

async function tryTriple(group: ConnectionGroup<string>, p: number, host: string | undefined): Promise<Listener[]> {
  if (!Number.isInteger(p) || p < 1 || p > MAX_BASE_PORT) throw NetError.usage(`P+2 port must be 1..${MAX_BASE_PORT}`);
  const first = await group.listen(p + PEER_LIST_OFFSET, { host, tag: TAG_PEERS });
  try {
    return [first, ...(await tryRest(group, p, host))];
  } catch (err) {
    await first.close();
    throw err;
  }
}

async function tryRest(group: ConnectionGroup<string>, p: number, host: string | undefined): Promise<Listener[]> {
  const query = await group.listen(p + QUERY_OFFSET, { host, tag: TAG_QUERY });
  try {
    return [query, await group.listen(p + DOWNLOAD_OFFSET, { host, tag: TAG_DOWNLOAD })];
  } catch (err) {
    await query.close();
    throw err;
  }
}
