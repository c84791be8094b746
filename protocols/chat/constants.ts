/**
 * Named wire constants and defaults of the chat protocol (specs/chat.md).
 * Where the spec is silent the value chosen here is documented in README.md.
 */

/** Protocol tag in HELLO and in discovery datagrams (spec "Lines", "LAN discovery"). */
export const CHAT_VERSION = 'peerdeck-chat/1';

/** Default listening TCP port (spec "Roles and sockets"). */
export const DEFAULT_CHAT_PORT = 6350;

/** Default hops-left stamped on our own flooded messages (spec "Lines"). */
export const DEFAULT_HOPS = 16;
/** Largest hops-left a wire line may carry; larger values are malformed. */
export const MAX_WIRE_HOPS = 255;

/** Longest line accepted on a link, not counting the terminator (spec "Lines"). */
export const MAX_LINE_BYTES = 16 * 1024;

/** Mesh degree (spec "Mesh maintenance": target 3, keep between 2 and 7). */
export const TARGET_DEGREE = 3;
export const MIN_DEGREE = 2;
export const MAX_DIALLED = 7;
/** Accepted (inbound) links, protocol and plain together. */
export const DEFAULT_MAX_INBOUND = 16;
/** Links from one IP address (several nodes may share a host). */
export const DEFAULT_PER_IP = 8;
/** Accepted plain peers that spoke: the other inbound slots are kept for protocol nodes. */
export const DEFAULT_MAX_PLAIN = 8;
/** Accepted links that have not said HELLO (or a plain line) yet; the oldest is dropped past it. */
export const DEFAULT_MAX_PENDING = 64;

/**
 * Dedup cache (spec "Lines": bounded + TTL, 10 minutes). The spec names 64k ids; we keep a
 * million (24 bytes each, allocated as they come): a copy that comes the long way round a
 * loop of the mesh may arrive after more than 64k newer messages in a flood (issue 9).
 */
export const SEEN_MAX = 1_048_576;
export const SEEN_TTL_MS = 10 * 60_000;

/** LAN discovery defaults (spec "LAN discovery"). */
export const MULTICAST_GROUP = '239.255.63.50';
export const MULTICAST_PORT = 6350;
export const ANNOUNCE_INTERVAL_MS = 5_000;
/** Datagrams larger than this are ignored unread. */
export const MAX_DATAGRAM_BYTES = 512;

/** Keep-alive: a PING this often; a link silent for IDLE_TIMEOUT_MS is closed. */
export const PING_INTERVAL_MS = 30_000;
export const IDLE_TIMEOUT_MS = 90_000;
/** A link must finish HELLO (and AUTH), or a plain peer say its first line, within this. */
export const HANDSHAKE_TIMEOUT_MS = 30_000;
/** The handshake timeout of a new accepted link while half the pending pool is taken. */
export const PRESSURE_HANDSHAKE_TIMEOUT_MS = 3_000;
/** A plain peer that sends no line for this long is closed (it holds a scarce slot). */
export const PLAIN_IDLE_TIMEOUT_MS = 10 * 60_000;
/** Plain peers' line rate: lines a second, a paste-sized burst, and drops before a cut. */
export const PLAIN_LINES_PER_SEC = 5;
export const PLAIN_BURST_LINES = 50;
export const PLAIN_CUT_AFTER_DROPS = 200;
/** An accepted link that has not sent HELLO within this is treated as a plain peer. */
export const PLAIN_GRACE_MS = 1_500;
/** A neighbour whose send queue stays above the high watermark this long is a slow consumer. */
export const SLOW_LINK_MS = 20_000;
/** Dial timeout for one outgoing connection. */
export const DIAL_TIMEOUT_MS = 5_000;

/** Mesh maintenance tick, and the backoff of the dial queue. */
export const MAINTENANCE_INTERVAL_MS = 5_000;
export const DIAL_CONCURRENCY = 3;
export const DIAL_BASE_BACKOFF_MS = 1_000;
export const DIAL_MAX_BACKOFF_MS = 60_000;

/** Field limits (bytes/characters) checked by the codec. */
/** 48 fits a bracketed IPv6 address with port, the nick of a plain peer. */
export const MAX_NICK_LENGTH = 48;
export const MAX_MESH_LENGTH = 64;
export const MAX_NODE_ID_LENGTH = 64;
export const MAX_TOKEN_LENGTH = 64;
/** Addresses per PEERS line, and how many we send. */
export const MAX_PEERS_PER_LINE = 32;
export const PEERS_TO_SEND = 8;
/** Addresses handed to a refused node along with ERROR. */
export const PEERS_ON_REFUSAL = 5;

/** Random bytes in a message id, an auth nonce, a node id. */
export const MSG_ID_BYTES = 16;
export const NONCE_BYTES = 16;
export const NODE_ID_BYTES = 16;

/**
 * Duplicate-flood rule (spec "Lines": a neighbour that keeps resending seen ids is disconnected).
 * A well-behaved neighbour sends each id at most once, so within a window it cannot send more
 * already-seen ids than there were distinct messages; DUP_SLACK absorbs window edges.
 */
export const DUP_WINDOW_MS = 10_000;
export const DUP_SLACK = 64;

/** Plain-peer content ids are bucketed so a repeated line is accepted again after a while. */
export const PLAIN_BUCKET_MS = 10_000;

/** Send-queue watermarks per link (bytes). */
export const QUEUE_HIGH_WATER = 256 * 1024;
export const QUEUE_LOW_WATER = 64 * 1024;
export const QUEUE_HARD_CAP = 1024 * 1024;

/** Lifetime of our secured name records (re-issued on every answer; README "Names"). */
export const NAME_TTL_MS = 10 * 60_000;
/** How long /resolve waits for an answer from the mesh. */
export const NAME_RESOLVE_MS = 5_000;
/**
 * Expanding ring (like Gnutella's dynamic querying): a secured name is first asked within
 * this many hops, and the whole mesh only when no answer came within NAME_RING_MS.
 */
export const NAME_RING_HOPS = 3;
export const NAME_RING_MS = 250;
