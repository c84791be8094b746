/**
 * Which handler answers which message type once a user is logged in
 * (specs/napster.md §4.1), and which types count toward flood control.
 */
import * as C from '../constants.js';
import * as admin from './handlers-admin.js';
import * as chat from './handlers-chat.js';
import * as share from './handlers-share.js';
import * as transfer from './handlers-transfer.js';
import * as user from './handlers-user.js';
import type { ServerState } from './server-state.js';
import type { Session } from './session.js';

export type Handler = (st: ServerState, s: Session, text: string) => void;
/** A handler that reads the payload bytes itself, for the hottest type (a million 100s at login, §11). */
export type RawHandler = (st: ServerState, s: Session, payload: Buffer) => void;

/** Tried before HANDLERS: these types never become text unless their handler wants it. */
export const RAW_HANDLERS: ReadonlyMap<number, RawHandler> = new Map<number, RawHandler>([[C.MSG_SHARE, share.onShareRaw]]);

export const HANDLERS: ReadonlyMap<number, Handler> = new Map<number, Handler>([
  [C.MSG_VERSION_CHECK, user.onVersionCheck],
  [C.MSG_UNSHARE, share.onUnshare],
  [C.MSG_UNSHARE_ALL, share.onUnshareAll],
  [C.MSG_SHARE_DIR, share.onShareDir],
  [C.MSG_SHARE_GENERIC, share.onShareGeneric],
  [C.MSG_SEARCH, share.onSearch],
  [C.MSG_BROWSE, share.onBrowse],
  [C.MSG_RESUME_SEARCH, share.onResumeSearch],
  [C.MSG_DOWNLOAD, transfer.onDownload],
  [C.MSG_PUSH, transfer.onPush],
  [C.MSG_UPLOAD_ACCEPT, transfer.onUploadAccept],
  [C.MSG_QUEUE_LIMIT, transfer.onQueueLimit],
  [C.MSG_DATA_PORT_ERROR, transfer.onDataPortError],
  [C.MSG_DOWNLOADING, transfer.onTransferCounter('down')],
  [C.MSG_DOWNLOAD_DONE, transfer.onTransferCounter('downDone')],
  [C.MSG_UPLOADING, transfer.onTransferCounter('up')],
  [C.MSG_UPLOAD_DONE, transfer.onTransferCounter('upDone')],
  [C.MSG_DIRECT_BROWSE, transfer.onDirectBrowse],
  [C.MSG_DIRECT_BROWSE_ACCEPT, transfer.onDirectBrowseAccept],
  [C.MSG_DIRECT_BROWSE_ERROR, transfer.onDirectBrowseRefuse],
  [C.MSG_PRIVMSG, chat.onPrivateMessage],
  [C.MSG_JOIN, chat.onJoin],
  [C.MSG_PART, chat.onPart],
  [C.MSG_PUBLIC, chat.onPublic],
  [C.MSG_EMOTE, chat.onEmote],
  [C.MSG_TOPIC, chat.onTopic],
  [C.MSG_NAMES, chat.onNames],
  [C.MSG_CHANNEL_LIST_END, chat.onChannelList],
  [C.MSG_WHOIS, user.onWhois],
  [C.MSG_LINK_SPEED, user.onLinkSpeed],
  [C.MSG_HOTLIST_ADD, user.onHotlistAdd],
  [C.MSG_HOTLIST_ADD_BATCH, user.onHotlistAdd],
  [C.MSG_HOTLIST_REMOVE, user.onHotlistRemove],
  [C.MSG_IGNORE_LIST, user.onIgnoreList],
  [C.MSG_IGNORE_ADD, user.onIgnoreAdd],
  [C.MSG_IGNORE_REMOVE, user.onIgnoreRemove],
  [C.MSG_IGNORE_CLEAR, user.onIgnoreClear],
  [C.MSG_SERVER_PING, user.onServerPing],
  [C.MSG_PING, user.onPing],
  [C.MSG_PONG, user.onPong],
  [C.MSG_CHANGE_SPEED, user.onChangeSpeed],
  [C.MSG_CHANGE_PASSWORD, user.onChangePassword],
  [C.MSG_CHANGE_EMAIL, user.onChangeEmail],
  [C.MSG_CHANGE_DATA_PORT, user.onChangeDataPort],
  [C.MSG_MOTD, user.onMotd],
  [C.MSG_SERVER_STATS, user.onStats],
  [C.MSG_SET_LEVEL, admin.onSetLevel],
  [C.MSG_KILL, admin.onKill],
  [C.MSG_BAN, admin.onBan],
  [C.MSG_UNBAN, admin.onUnban],
  [C.MSG_BAN_LIST, admin.onBanList],
  [C.MSG_MUZZLE, admin.onMuzzle(true)],
  [C.MSG_UNMUZZLE, admin.onMuzzle(false)],
  [C.MSG_ANNOUNCE, admin.onAnnounce],
]);

/** Sharing and hotlist commands are exempt from flood control (§8). */
export const FLOOD_EXEMPT: ReadonlySet<number> = new Set([
  C.MSG_SHARE,
  C.MSG_UNSHARE,
  C.MSG_HOTLIST_ADD,
  C.MSG_HOTLIST_ADD_BATCH,
  C.MSG_SHARE_DIR,
  C.MSG_SHARE_GENERIC,
]);

/** §4.1 admin types we do not implement: `permission denied` (OpenNap's answer to non-staff). */
export function isAdminType(type: number): boolean {
  return (
    type === 606 ||
    (type >= 610 && type <= 615) ||
    (type >= 622 && type <= 625) ||
    type === 627 ||
    type === 628 ||
    type === 652 ||
    type === 753 ||
    (type >= 800 && type <= 831 && type !== C.MSG_EMOTE && type !== C.MSG_NAMES_ENTRY && type !== C.MSG_NAMES) ||
    (type >= 10000 && type < 11000)
  );
}
