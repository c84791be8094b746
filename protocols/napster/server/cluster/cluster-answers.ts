/**
 * What this server answers for the users of other servers (issue 15), each run
 * by the ordinary handler through a ProxySession so the bytes are the ones a
 * local user would get: its own part of a scattered search (202 included), and
 * a 619 queue-limit notice carrying the size the sender's server sent.
 */
import * as C from '../../constants.js';
import { splitFields } from '../../messages.js';
import { HANDLERS } from '../dispatch.js';
import { ERR_NOT_ONLINE, ERR_UNPARSABLE, type ServerState } from '../server-state.js';
import { ProxySession } from './proxy-session.js';

/**
 * This server's answer to a search, as framed replies ending in 202. `self` is the
 * asker's own slot on this server (-1 for another server's user: nobody to leave out);
 * a firewalled asker is shown no firewalled holder, as handlers-share.ts does for a local one.
 */
export function localSearch(st: ServerState, serverId: string, text: string, self: number, firewalled: boolean): Buffer {
  const probe = new ProxySession({ server: serverId, nick: '', ip: '127.0.0.1', port: firewalled ? 0 : 1, speed: 0, level: 0, shares: [], size: 0 });
  probe.slot = self;
  HANDLERS.get(C.MSG_SEARCH)!(st, probe, text);
  return probe.replies();
}

/** 619 from a user of another server: as handlers-transfer.ts does, with the size its server sent. */
export function queueLimit(st: ServerState, s: ProxySession, size: number, text: string): void {
  const f = splitFields(text);
  if (!f || f.length !== 3) return st.notice(s, ERR_UNPARSABLE);
  const down = st.online(f[0]!);
  if (!down) return st.notice(s, ERR_NOT_ONLINE);
  down.send(C.MSG_QUEUE_LIMIT_NOTICE, `${s.nick} "${f[1]!}" ${s.files?.has(f[1]!) ? size : 0} ${f[2]!}`);
}
