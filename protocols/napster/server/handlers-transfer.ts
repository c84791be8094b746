/**
 * Download and push brokerage (specs/napster.md §4.1 transfers, §6.1): the
 * 607/608 gate before 204, the immediate 204 with port 0 for a firewalled
 * uploader, `firewallerror` when both sides are firewalled, 206 for unknown
 * files, and direct browse 640/641/642. Relays carry the sender's nick.
 */
import {
  MSG_DATA_PORT_ERROR,
  MSG_DIRECT_BROWSE,
  MSG_DIRECT_BROWSE_ACCEPT,
  MSG_DIRECT_BROWSE_ERROR,
  MAX_CHAT_BYTES,
  MSG_DOWNLOAD_ACK,
  MSG_GET_ERROR,
  MSG_PUSH_ACK,
  MSG_QUEUE_LIMIT_NOTICE,
  MSG_UPLOAD_REQUEST,
  ZERO_MD5,
} from '../constants.js';
import { splitFields } from '../messages.js';
import { ERR_NOT_ONLINE, ERR_UNPARSABLE, type ServerState } from './server-state.js';
import type { Session } from './session.js';

function nickPath(st: ServerState, s: Session, text: string): [string, string] | undefined {
  const f = splitFields(text);
  if (!f || f.length !== 2) {
    st.notice(s, ERR_UNPARSABLE);
    return undefined;
  }
  return [f[0]!, f[1]!];
}

/** 203 `<nick> "<path>"`: 607 to a reachable uploader, 204 port 0 at once for a firewalled one, else 206. */
export function onDownload(st: ServerState, s: Session, text: string): void {
  const np = nickPath(st, s, text);
  if (!np) return;
  const [nick, path] = np;
  const up = st.online(nick);
  if (!up || !up.files?.has(path)) return s.send(MSG_GET_ERROR, `${nick} "${path}"`);
  if (up.ignoring(s.key)) return st.notice(s, `${up.nick} is ignoring you`);
  if (up.firewalled) return s.send(MSG_DOWNLOAD_ACK, `${up.nick} ${up.ipNum} 0 "${path}" ${ZERO_MD5} ${up.speed}`);
  up.send(MSG_UPLOAD_REQUEST, `${s.nick} "${path}"`);
}

/** 500 `<nick> "<path>"`: push request to a firewalled uploader (607), or the matching error. */
export function onPush(st: ServerState, s: Session, text: string): void {
  const np = nickPath(st, s, text);
  if (!np) return;
  const [nick, path] = np;
  const up = st.online(nick);
  if (!up) return st.notice(s, ERR_NOT_ONLINE);
  if (!up.firewalled) return st.notice(s, `${up.nick} is not firewalled`);
  if (!up.files?.has(path)) return s.send(MSG_GET_ERROR, `${nick} "${path}"`);
  if (s.firewalled) return s.send(MSG_DOWNLOAD_ACK, `${up.nick} ${up.ipNum} 0 "${path}" firewallerror ${up.speed}`);
  if (up.ignoring(s.key)) return st.notice(s, `${up.nick} is ignoring you`);
  up.send(MSG_UPLOAD_REQUEST, `${s.nick} "${path}"`);
}

/**
 * 608 `<downloader> "<path>"` from the uploader: a reachable uploader makes the
 * downloader get 204; a firewalled one gets 501 with the downloader's address.
 */
export function onUploadAccept(st: ServerState, s: Session, text: string): void {
  const np = nickPath(st, s, text);
  if (!np) return;
  const [nick, path] = np;
  const down = st.online(nick);
  if (!down) return st.notice(s, ERR_NOT_ONLINE);
  if (!s.files?.has(path)) return st.notice(s, 'Not sharing that file');
  if (s.firewalled) {
    down.firewalled
      ? s.send(MSG_DOWNLOAD_ACK, `${down.nick} ${down.ipNum} 0 "${path}" firewallerror ${down.speed}`)
      : s.send(MSG_PUSH_ACK, `${down.nick} ${down.ipNum} ${down.port} "${path}" ${ZERO_MD5} ${down.speed}`);
    return;
  }
  down.send(MSG_DOWNLOAD_ACK, `${s.nick} ${s.ipNum} ${s.port} "${path}" ${ZERO_MD5} ${s.speed}`);
}

/** 619 `<downloader> "<path>" <limit>`: the downloader gets 620 `<uploader> "<path>" <size> <limit>`. */
export function onQueueLimit(st: ServerState, s: Session, text: string): void {
  const f = splitFields(text);
  if (!f || f.length !== 3) return st.notice(s, ERR_UNPARSABLE);
  const down = st.online(f[0]!);
  if (!down) return st.notice(s, ERR_NOT_ONLINE);
  const slot = s.files?.get(f[1]!);
  const size = slot === undefined ? 0 : (st.index.get(slot)?.size ?? 0);
  down.send(MSG_QUEUE_LIMIT_NOTICE, `${s.nick} "${f[1]!}" ${size} ${f[2]!}`);
}

/** 626 `<uploader>`: the uploader gets 626 `<downloader>`. */
export function onDataPortError(st: ServerState, s: Session, text: string): void {
  const up = st.online(text.trim());
  if (!up) return st.notice(s, ERR_NOT_ONLINE);
  up.send(MSG_DATA_PORT_ERROR, s.nick);
}

/** 218/219/220/221: transfer counters, shown in whois. No reply. */
export function onTransferCounter(kind: 'down' | 'downDone' | 'up' | 'upDone'): (st: ServerState, s: Session) => void {
  return (_st, s) => {
    if (kind === 'down') s.downloads++;
    else if (kind === 'downDone') s.downloads = Math.max(0, s.downloads - 1);
    else if (kind === 'up') s.uploads++;
    else s.uploads = Math.max(0, s.uploads - 1);
  };
}

/** 640 `<nick>`: relayed as 640 `<requester>` (+ ip port when the target is firewalled); 642 if both are. */
export function onDirectBrowse(st: ServerState, s: Session, text: string): void {
  const nick = text.trim();
  const target = st.online(nick);
  if (!target) return st.notice(s, ERR_NOT_ONLINE);
  if (target.firewalled && s.firewalled) {
    return s.send(
      MSG_DIRECT_BROWSE_ERROR,
      `${target.nick} "Both you and ${target.nick} are firewalled; you cannot browse or download from them."`,
    );
  }
  if (target.ignoring(s.key)) return st.notice(s, `${target.nick} is ignoring you`);
  target.send(MSG_DIRECT_BROWSE, target.firewalled ? `${s.nick} ${s.ipNum} ${s.port}` : s.nick);
}

/**
 * 642 `<requester> ["<reason>"]` from a browsee that refuses (a peerdeck
 * extension: napster.txt has 642 sent by servers only, and opennap answers a
 * client's 642 `Unknown command code 642`). The requester gets the 642 a
 * server sends for a browse that cannot happen, `<browsee> "<reason>"`, at
 * once instead of waiting out its own timer. Anyone may send it, as anyone
 * may send a 205: it can only end a browse of the sender itself.
 */
export function onDirectBrowseRefuse(st: ServerState, s: Session, text: string): void {
  const f = splitFields(text);
  if (!f || f.length < 1 || f.length > 2 || f[0] === '') return st.notice(s, ERR_UNPARSABLE);
  const req = st.online(f[0]!);
  if (!req) return st.notice(s, ERR_NOT_ONLINE);
  if (req.ignoring(s.key)) return;
  const reason = (f[1] || `${s.nick} does not allow direct browsing`).slice(0, MAX_CHAT_BYTES);
  req.send(MSG_DIRECT_BROWSE_ERROR, `${s.nick} "${reason}"`);
}

/** 641 `<requester>` from the browsee: the requester gets 641 `<browsee> <ip> <port>`. */
export function onDirectBrowseAccept(st: ServerState, s: Session, text: string): void {
  const req = st.online(text.trim());
  if (!req) return st.notice(s, ERR_NOT_ONLINE);
  req.send(MSG_DIRECT_BROWSE_ACCEPT, `${s.nick} ${s.ipNum} ${s.port}`);
}
