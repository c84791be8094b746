/**
 * Napster / OpenNap wire constants (specs/napster.md §2-§4, §7, §8). Shared by
 * the server and the client: message types, limits, level words and the
 * bitrate/frequency tables OpenNap quantises to.
 */

/** Bytes in every frame header: u16le payload length, u16le type (§2). */
export const HEADER_BYTES = 4;
/** The largest payload OpenNap accepts (`max_command_length`); more closes the link silently (§2). */
export const MAX_PAYLOAD = 2048;
/** Default server port (OpenNap's). */
export const DEFAULT_SERVER_PORT = 8888;

// §3.2 login and registration
export const MSG_ERROR = 0;
export const MSG_LOGIN = 2;
export const MSG_LOGIN_ACK = 3;
export const MSG_VERSION_CHECK = 4;
export const MSG_NEW_USER_LOGIN = 6;
export const MSG_NICK_CHECK = 7;
export const MSG_NICK_FREE = 8;
export const MSG_NICK_REGISTERED = 9;
export const MSG_NICK_INVALID = 10;
export const MSG_CLIENT_11 = 11;
export const MSG_SERVER_300 = 300;
export const MSG_SERVER_920 = 920;
/** Server-link types accepted before login by OpenNap (we do not link servers). */
export const MSG_SERVER_LOGIN = 10010;
export const MSG_SERVER_LOGIN_ACK = 10011;

// §4.1 sharing
export const MSG_SHARE = 100;
export const MSG_UNSHARE = 102;
export const MSG_UNSHARE_ALL = 110;
export const MSG_SHARE_DIR = 870;
export const MSG_SHARE_GENERIC = 10300;

// searching and browsing
export const MSG_SEARCH = 200;
export const MSG_SEARCH_RESULT = 201;
export const MSG_SEARCH_END = 202;
export const MSG_BROWSE = 211;
export const MSG_BROWSE_RESULT = 212;
export const MSG_BROWSE_END = 213;
export const MSG_DIRECT_BROWSE = 640;
export const MSG_DIRECT_BROWSE_ACCEPT = 641;
export const MSG_DIRECT_BROWSE_ERROR = 642;

// transfers
export const MSG_DOWNLOAD = 203;
export const MSG_DOWNLOAD_ACK = 204;
export const MSG_PRIVMSG = 205;
export const MSG_GET_ERROR = 206;
export const MSG_PUSH = 500;
export const MSG_PUSH_ACK = 501;
export const MSG_UPLOAD_REQUEST = 607;
export const MSG_UPLOAD_ACCEPT = 608;
export const MSG_QUEUE_LIMIT = 619;
export const MSG_QUEUE_LIMIT_NOTICE = 620;
export const MSG_DATA_PORT_ERROR = 626;
export const MSG_DOWNLOADING = 218;
export const MSG_DOWNLOAD_DONE = 219;
export const MSG_UPLOADING = 220;
export const MSG_UPLOAD_DONE = 221;
export const MSG_RESUME_SEARCH = 215;
export const MSG_RESUME_RESULT = 216;
export const MSG_RESUME_END = 217;

// hotlist and ignore list
export const MSG_HOTLIST_ADD = 207;
export const MSG_HOTLIST_ADD_BATCH = 208;
export const MSG_HOTLIST_SIGNON = 209;
export const MSG_HOTLIST_SIGNOFF = 210;
export const MSG_HOTLIST_ACK = 301;
export const MSG_HOTLIST_ERROR = 302;
export const MSG_HOTLIST_REMOVE = 303;
export const MSG_DISCONNECTING = 316;
export const MSG_IGNORE_LIST = 320;
export const MSG_IGNORE_ENTRY = 321;
export const MSG_IGNORE_ADD = 322;
export const MSG_IGNORE_REMOVE = 323;
export const MSG_IGNORE_NOT = 324;
export const MSG_IGNORE_ALREADY = 325;
export const MSG_IGNORE_CLEAR = 326;

// channels
export const MSG_JOIN = 400;
export const MSG_PART = 401;
export const MSG_PUBLIC = 402;
export const MSG_PUBLIC_MSG = 403;
export const MSG_NOTICE = 404;
export const MSG_JOIN_ACK = 405;
export const MSG_JOIN_NOTICE = 406;
export const MSG_PART_NOTICE = 407;
export const MSG_CHANNEL_USER = 408;
export const MSG_CHANNEL_USERS_END = 409;
export const MSG_TOPIC = 410;
export const MSG_CHANNEL_LIST_END = 617;
export const MSG_CHANNEL_LIST_ENTRY = 618;
export const MSG_EMOTE = 824;
export const MSG_NAMES_ENTRY = 825;
export const MSG_NAMES = 830;

// queries, misc
export const MSG_LINK_SPEED = 600;
export const MSG_LINK_SPEED_REPLY = 601;
export const MSG_WHOIS = 603;
export const MSG_WHOIS_REPLY = 604;
export const MSG_WHOWAS = 605;
export const MSG_SET_LEVEL = 606;
export const MSG_KILL = 610;
export const MSG_NUKE = 611;
export const MSG_BAN = 612;
export const MSG_SET_PORT = 613;
export const MSG_UNBAN = 614;
export const MSG_BAN_LIST = 615;
export const MSG_BAN_LIST_ENTRY = 616;
export const MSG_MOTD = 621;
export const MSG_MUZZLE = 622;
export const MSG_UNMUZZLE = 623;
export const MSG_ANNOUNCE = 628;
export const MSG_CHANGE_SPEED = 700;
export const MSG_CHANGE_PASSWORD = 701;
export const MSG_CHANGE_EMAIL = 702;
export const MSG_CHANGE_DATA_PORT = 703;
export const MSG_GHOST = 748;
export const MSG_SERVER_PING = 750;
export const MSG_PING = 751;
export const MSG_PONG = 752;
export const MSG_SERVER_STATS = 214;

// §8 limits
export const MAX_SHARES = 5000;
export const MAX_RESULTS = 100;
export const MAX_BROWSE = 500;
export const MAX_HOTLIST = 32;
export const MAX_IGNORE = 32;
export const MAX_CHANNELS = 5;
/** 205 and 402 bodies are cut to this many bytes (counted from the target / channel). */
export const MAX_CHAT_BYTES = 180;
export const MAX_TOPIC_BYTES = 64;
export const MAX_CLIENT_INFO = 32;
export const MAX_NICK_LENGTH = 19;
export const MAX_CHANNEL_NAME = 32;
/** Longest shared path we index (OpenNap's `filename too long`). */
export const MAX_PATH_BYTES = 255;
export const LOGIN_TIMEOUT_MS = 60_000;
export const STATS_INTERVAL_MS = 60_000;
export const DEFAULT_MAX_CONNECTIONS = 1024;
export const DEFAULT_MAX_CLONES = 32;
/** Per-user command budget: this many non-exempt commands per window, else flood control. */
export const DEFAULT_FLOOD_COMMANDS = 200;
export const DEFAULT_FLOOD_WINDOW_MS = 10_000;
/** OpenNap's user output queue limit (`client_queue_length`) before a reader is dropped. */
export const CLIENT_QUEUE_BYTES = 102_400;

/** §3.3 level words, indexed by level. */
export const LEVELS = ['Leech', 'User', 'Moderator', 'Admin', 'Elite'] as const;
export type Level = (typeof LEVELS)[number];
export const LEVEL_LEECH = 0;
export const LEVEL_USER = 1;
export const LEVEL_MODERATOR = 2;
export const LEVEL_ADMIN = 3;
export const LEVEL_ELITE = 4;

/** §3.1 quantisation tables: a value is reported as the first entry >= it. */
export const BITRATES = [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 192, 224, 256, 320] as const;
export const FREQUENCIES = [16000, 24000, 22050, 32000, 44100, 48000] as const;

/** The md5 a stock opennap 0.44 reports for every file (it stores none, §3.1). */
export const ZERO_MD5 = '00000000000000000000000000000000';

/** §4.1 content types of a 10300 share (index 0 = mp3, shared with 100/870). */
export const FILE_TYPES = ['mp3', 'audio', 'video', 'application', 'image', 'text'] as const;
export type FileType = (typeof FILE_TYPES)[number];

/** Nicks no user may take (§3.2 rule 2). */
export const RESERVED_NICKS = ['operserv', 'chanserv', 'operator', 'nickserv'] as const;

// §3.1 / §3.2 values a client sends
/** Highest valid link speed code (T3+); the server refuses a login above it (§3.2 rule 3). */
export const MAX_LINK_SPEED = 10;
/** md5 placeholder for a file not hashed yet (TekNap sends the same, §3.1). */
export const NO_MD5 = 'NOMD5COMPUTED';

// §6.2 data-port protocol (client <-> client, raw TCP, no framing)
/** The byte a data-port listener sends right after accepting ('1'). */
export const DATA_HELLO = 0x31;
export const DATA_GET = 'GET';
export const DATA_SEND = 'SEND';
export const DATA_GETLIST = 'GETLIST';
/** TekNap's prefix line before a browse list, and the firewalled browsee's opening word (§6.2 direct browse). */
export const DATA_SENDLIST = 'SENDLIST';
