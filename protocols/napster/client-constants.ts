/**
 * Wire constants the Napster client uses (napster.md §3-§6), named so no
 * magic number appears in the client. Message types are the OpenNap numbers.
 */

// §3.2 login and registration
export const NAP_ERROR = 0;
export const NAP_LOGIN = 2;
export const NAP_LOGIN_ACK = 3;
export const NAP_NEW_USER_LOGIN = 6;
export const NAP_NICK_CHECK = 7;
export const NAP_NICK_FREE = 8;
export const NAP_NICK_REGISTERED = 9;
export const NAP_NICK_INVALID = 10;
export const NAP_GHOST = 748;
export const NAP_DISCONNECTING = 316;
export const NAP_MOTD = 621;
export const NAP_STATS = 214;

// §4.1 sharing
export const NAP_SHARE = 100;
export const NAP_UNSHARE = 102;
export const NAP_UNSHARE_ALL = 110;

// §5 search and browse
export const NAP_SEARCH = 200;
export const NAP_SEARCH_RESULT = 201;
export const NAP_SEARCH_END = 202;
export const NAP_BROWSE = 211;
export const NAP_BROWSE_RESULT = 212;
export const NAP_BROWSE_END = 213;

// §6 transfers
export const NAP_DOWNLOAD_REQUEST = 203;
export const NAP_DOWNLOAD_ACK = 204;
export const NAP_DOWNLOAD_ERROR = 206;
export const NAP_PUSH_REQUEST = 500;
export const NAP_PUSH_ACK = 501;
export const NAP_UPLOAD_REQUEST = 607;
export const NAP_UPLOAD_ACCEPT = 608;
export const NAP_QUEUE_LIMIT = 619;
export const NAP_QUEUE_LIMIT_REPLY = 620;
export const NAP_DATA_PORT_ERROR = 626;
export const NAP_DOWNLOADING = 218;
export const NAP_DOWNLOAD_DONE = 219;
export const NAP_UPLOADING = 220;
export const NAP_UPLOAD_DONE = 221;
export const NAP_CHANGE_DATA_PORT = 703;

// §4.1 messages, chat and queries
export const NAP_PRIVMSG = 205;
export const NAP_HOTLIST_ADD = 207;
export const NAP_HOTLIST_SIGNON = 209;
export const NAP_HOTLIST_SIGNOFF = 210;
export const NAP_HOTLIST_ACK = 301;
export const NAP_HOTLIST_ERROR = 302;
export const NAP_HOTLIST_REMOVE = 303;
export const NAP_JOIN = 400;
export const NAP_PART = 401;
export const NAP_PUBLIC = 402;
export const NAP_PUBLIC_MSG = 403;
export const NAP_NOTICE = 404;
export const NAP_JOIN_ACK = 405;
export const NAP_CHANNEL_JOIN = 406;
export const NAP_CHANNEL_PART = 407;
export const NAP_CHANNEL_USER = 408;
export const NAP_CHANNEL_USER_END = 409;
export const NAP_TOPIC = 410;
export const NAP_WHOIS = 603;
export const NAP_WHOIS_ONLINE = 604;
export const NAP_WHOIS_OFFLINE = 605;
export const NAP_LIST_CHANNELS = 617;
export const NAP_CHANNEL_ENTRY = 618;
export const NAP_EMOTE = 824;
export const NAP_NAMES_ENTRY = 825;
export const NAP_NAMES = 830;
export const NAP_PING_SERVER = 750;
export const NAP_PING = 751;
export const NAP_PONG = 752;

// §3.1 field values
/** Link speed we report when the user sets none (0 = unknown). */
export const DEFAULT_LINK_SPEED = 0;
/** Highest valid link speed code (T3+). */
export const MAX_LINK_SPEED = 10;
/** What we send as the client-info field. */
export const CLIENT_INFO = 'peerdeck 0.1';
/** md5 placeholder when a file is not hashed yet (TekNap sends the same). */
export const NO_MD5 = 'NOMD5COMPUTED';
/** §4.1: the server refuses shares past this many per user. */
export const MAX_SHARES = 5000;
/** §5: servers cap results at 100; we ask for that many by default. */
export const DEFAULT_MAX_RESULTS = 100;

// §6.2 data-port protocol
/** The byte a data-port listener sends right after accepting ('1'). */
export const DATA_HELLO = 0x31;
export const DATA_GET = 'GET';
export const DATA_SEND = 'SEND';
export const DATA_GETLIST = 'GETLIST';
/** Longest data-port request header we read (`<nick> "<path>" <number>`). */
export const MAX_DATA_HEADER_BYTES = 1100;
/** Longest error text an uploader may send instead of a size. */
export const MAX_DATA_ERROR_BYTES = 256;
/** Most digits of a size or offset (u64 fits in 20). */
export const MAX_NUMBER_DIGITS = 20;
/** Quiet time after the last digit of a request before it counts as complete (the protocol has no terminator). */
export const NUMBER_SETTLE_MS = 40;

// timeouts (the server never tells us a request died, §6.1)
export const LOGIN_TIMEOUT_MS = 20_000;
export const CONNECT_TIMEOUT_MS = 10_000;
/** How long a 203/500 may wait for its 204/501/206 before failing. */
export const TRANSFER_REQUEST_TIMEOUT_MS = 30_000;
/** How long a push may wait for the holder to connect to us. */
export const PUSH_WAIT_MS = 30_000;
/** How long a search waits for the 202 that always ends it. */
export const SEARCH_TIMEOUT_MS = 30_000;
/** How long whois/browse/list answers may take. */
export const QUERY_TIMEOUT_MS = 15_000;
/** A 607 we accepted waits this long for the downloader's GET. */
export const UPLOAD_GRANT_TTL_MS = 60_000;
/** Data-port handshake (hello, request header) must finish within this. */
export const DATA_HANDSHAKE_MS = 15_000;
/** Reconnect backoff: first wait, cap. */
export const RECONNECT_MIN_MS = 2_000;
export const RECONNECT_MAX_MS = 120_000;

// caps on tables that grow with remote input
export const MAX_HITS_PER_SEARCH = 1000;
export const MAX_PENDING_GRANTS = 256;
export const MAX_PENDING_REQUESTS = 256;
export const MAX_BROWSE_ENTRIES = 2000;
export const MAX_LIST_ENTRIES = 2000;
export const MAX_HOTLIST = 32;
export const MAX_CHANNELS = 5;

/** Every timeout of the client in one place (tests shorten them; the defaults are above). */
export interface ClientTimeouts {
  loginMs: number;
  requestMs: number;
  pushMs: number;
  searchMs: number;
  queryMs: number;
  grantMs: number;
  dataHandshakeMs: number;
}

export const DEFAULT_TIMEOUTS: ClientTimeouts = {
  loginMs: LOGIN_TIMEOUT_MS,
  requestMs: TRANSFER_REQUEST_TIMEOUT_MS,
  pushMs: PUSH_WAIT_MS,
  searchMs: SEARCH_TIMEOUT_MS,
  queryMs: QUERY_TIMEOUT_MS,
  grantMs: UPLOAD_GRANT_TTL_MS,
  dataHandshakeMs: DATA_HANDSHAKE_MS,
};
