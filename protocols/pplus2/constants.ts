/**
 * P+2 wire constants and the bounds the original leaves open
 * (specs/pplus2.md, "What the original leaves open and we must decide safely").
 */

/** Port offsets from a peer's base port p (pplus2.md, the table). */
export const PEER_LIST_OFFSET = 0;
export const QUERY_OFFSET = 1;
export const DOWNLOAD_OFFSET = 2;
/** Highest base port: p+2 must still be a port. */
export const MAX_BASE_PORT = 65_535 - DOWNLOAD_OFFSET;

/** Listener / dial tags, one per service. */
export const TAG_PEERS = 'peers';
export const TAG_QUERY = 'query';
export const TAG_DOWNLOAD = 'download';
export type Service = typeof TAG_PEERS | typeof TAG_QUERY | typeof TAG_DOWNLOAD;

export const LF = '\n';

/** Longest request or answer line (bytes, without the LF). */
export const MAX_LINE_BYTES = 1024;
/** Peers we remember; further ones are ignored until some are dropped. */
export const MAX_KNOWN_PEERS = 500;
/** Lines we send in one peer-list answer. */
export const MAX_PEERS_PER_ANSWER = 100;
/** Lines we accept in one peer-list answer; the peer is cut off past this. */
export const MAX_PEER_ANSWER_LINES = 200;
/** Names we send in one query answer. */
export const MAX_QUERY_RESULTS = 200;
/** Names we accept in one query answer; the peer is cut off past this. */
export const MAX_QUERY_ANSWER_LINES = 500;
/** Bytes we accept in one answer of either kind. */
export const MAX_ANSWER_BYTES = 256 * 1024;

/** Connect timeout for every dial. */
export const CONNECT_TIMEOUT_MS = 5_000;
/** A peer-list or query exchange must be complete (callee closed) this soon after connecting. */
export const EXCHANGE_TIMEOUT_MS = 10_000;
/** An inbound caller must send its one line this soon. */
export const REQUEST_TIMEOUT_MS = 10_000;
/** After an upload ends, how long the socket may linger before it is destroyed. */
export const UPLOAD_LINGER_MS = 10_000;

/** pplus2.md: "peer-list requests to the network are rate limited (at most one every 10 seconds)". */
export const PEER_REQUEST_INTERVAL_MS = 10_000;
/** Peers asked at once by one search. */
export const SEARCH_PARALLELISM = 4;
/** Peers asked by one search at most. */
export const MAX_SEARCH_PEERS = 100;
/** Failed exchanges in a row before a peer is forgotten. */
export const MAX_PEER_FAILURES = 3;
/**
 * Other ports of a caller's host checked when it announces itself from a new port (a restart
 * on a new port): one that refuses connections is forgotten at once, not after
 * MAX_PEER_FAILURES exchanges (30 s or more). A bare connect, at most this many per announcement.
 */
export const MAX_MOVED_PROBES = 4;

/** Inbound links at once, in total and per address. */
export const MAX_INBOUND = 64;
export const MAX_INBOUND_PER_IP = 16;
export const MAX_OUTBOUND = 32;

/** P+2 answers carry names only: a hit's size is reported as this ("unknown"). */
export const UNKNOWN_SIZE = -1;
/** Largest file we accept from a P+2 peer (no size is announced, so we cap it). */
export const DEFAULT_MAX_DOWNLOAD_BYTES = 16 * 1024 ** 3;

/**
 * peerdeck's compatible P+2 extension (README, "P+2 between peerdeck nodes"):
 * a caller that wants sizes and SHA-1s sends this as a second line after its
 * query. Plain P+2 callees read one line and ignore it; a name can never
 * equal it (control characters are no P+2 name), so it cannot be mistaken
 * for a query either.
 */
export const META_REQUEST = '\u0001PEERDECK-META/1';
/** First line of an extended answer: `<size> <sha1 hex or -> <name>` lines follow. */
export const META_ANSWER = '\u0001PEERDECK-META/1 size sha1 name';
