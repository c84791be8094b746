/**
 * The Napster client's own settings: what it sends as client info, its bounds
 * on data-port headers, its timeouts (OpenNap leaves some requests unanswered,
 * napster.md §6.1) and its caps on tables that grow with remote input. The
 * wire itself (message types, limits, data-port words) is in constants.ts,
 * shared with the server.
 */

// §3.1 field values
/** Link speed we report when the user sets none (0 = unknown). */
export const DEFAULT_LINK_SPEED = 0;
/** What we send as the client-info field. */
export const CLIENT_INFO = 'peerdeck 0.1';

// §6.2 data-port protocol
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

/**
 * A logged-in session silent this long both ways (OpenNap sends a 214 every 60 s)
 * is asked for a 214; silent as long again, it is dropped and redialled.
 */
export const SERVER_SILENCE_MS = 150_000;

/** Every timeout of the client in one place (tests shorten them; the defaults are above). */
export interface ClientTimeouts {
  silenceMs: number;
  loginMs: number;
  requestMs: number;
  pushMs: number;
  searchMs: number;
  queryMs: number;
  grantMs: number;
  dataHandshakeMs: number;
}

export const DEFAULT_TIMEOUTS: ClientTimeouts = {
  silenceMs: SERVER_SILENCE_MS,
  loginMs: LOGIN_TIMEOUT_MS,
  requestMs: TRANSFER_REQUEST_TIMEOUT_MS,
  pushMs: PUSH_WAIT_MS,
  searchMs: SEARCH_TIMEOUT_MS,
  queryMs: QUERY_TIMEOUT_MS,
  grantMs: UPLOAD_GRANT_TTL_MS,
  dataHandshakeMs: DATA_HANDSHAKE_MS,
};
