/**
 * Gnutella 0.6 wire constants (specs/gnutella.md). Every number that appears on
 * the wire or bounds remote input has a name here; nothing else in the plugin
 * writes a bare type code, flag bit or limit.
 */

/** Descriptor header size (spec 2.1): MUID 16, type 1, TTL 1, hops 1, length 4. */
export const HEADER_BYTES = 23;
/** Message ids and servent GUIDs are 16 bytes (spec 2.3). */
export const GUID_BYTES = 16;

/** Payload types (spec 2.2). */
export const DESCRIPTOR_PING = 0x00;
export const DESCRIPTOR_PONG = 0x01;
export const DESCRIPTOR_BYE = 0x02;
export const DESCRIPTOR_ROUTE_TABLE_UPDATE = 0x30;
export const DESCRIPTOR_VENDOR = 0x31;
export const DESCRIPTOR_VENDOR_STD = 0x32;
export const DESCRIPTOR_PUSH = 0x40;
export const DESCRIPTOR_RUDP = 0x41;
export const DESCRIPTOR_DHT = 0x44;
export const DESCRIPTOR_QUERY = 0x80;
export const DESCRIPTOR_QUERY_HIT = 0x81;
export const DESCRIPTOR_HSEP = 0xcd;

/** Any payload of this size or more desynchronises the stream: close (spec 2.1, 2.5). */
export const MAX_PAYLOAD = 65_535;
/** Top bit of the length field: GTKG's "sflag" marker, which we do not advertise (spec 2.1). */
export const LENGTH_FLAG_BIT = 0x8000_0000;

/** Per-type kick sizes checked on the header, before the body is buffered (spec 2.5, 6). */
export const MAX_PING_PAYLOAD = 1_536;
export const MAX_PONG_PAYLOAD = 14 + 1_536;
export const MAX_PUSH_PAYLOAD = 26 + 1_536;
export const MAX_QUERY_PAYLOAD = 1_024;
export const MAX_QUERY_HIT_PAYLOAD = 65_535;
export const MAX_BYE_PAYLOAD = 4_096;
export const MAX_OTHER_PAYLOAD = 40 * 1_024;

/** Fixed payload sizes (spec 2.6, 2.9). */
export const PONG_FIXED_BYTES = 14;
export const PUSH_FIXED_BYTES = 26;
/** Query: 2 flag bytes and at least one text byte plus NUL (spec 6: drop if <= 3 bytes). */
export const QUERY_MIN_BYTES = 4;
/** QueryHit: count, port, IP, speed (11 bytes) and the servent GUID (spec 2.8). */
export const QUERY_HIT_FIXED_BYTES = 11;
export const QUERY_HIT_MIN_BYTES = QUERY_HIT_FIXED_BYTES + GUID_BYTES;

/** TTL/hops (spec 2.4): max TTL of today's network, hard limit of TTL + hops. */
export const MAX_TTL = 4;
export const HARD_TTL_LIMIT = 15;
/** TTL of messages that are never routed: Bye, QRP, vendor messages (spec 2.2). */
export const LINK_TTL = 1;

/** Query flag bits, big-endian 16-bit word (spec 2.7). */
export const QUERY_FLAG_MARK = 0x8000;
export const QUERY_FLAG_FIREWALLED = 0x4000;
export const QUERY_FLAG_XML = 0x2000;
export const QUERY_FLAG_LEAF_GUIDED = 0x1000;
export const QUERY_FLAG_GGEP_H = 0x0800;
export const QUERY_FLAG_OOB = 0x0400;
export const QUERY_FLAG_FW_TO_FW = 0x0200;
export const QUERY_FLAG_SR_UDP = 0x0100;
export const QUERY_FLAG_MAX_HITS_MASK = 0x00ff;
/** What our own queries carry: the mark bit, nothing we cannot honour. */
export const OUR_QUERY_FLAGS = QUERY_FLAG_MARK;

/** Separator of HUGE strings and GGEP blocks in extension areas (spec 2.13, 2.14). */
export const HUGE_SEPARATOR = 0x1c;
export const NUL = 0x00;
/** `urn:sha1:` prefix (spec 2.14). */
export const URN_SHA1_PREFIX = 'urn:sha1:';
export const SHA1_BYTES = 20;

/** QueryHit limits (spec 2.5, 2.8). */
export const MAX_RESULTS_PER_HIT = 10;
/** Open-data (QHD) flag bits, byte A and byte B have crossed meanings (spec 2.8). */
export const QHD_PUSH = 0x01;
export const QHD_BUSY = 0x04;
export const QHD_UPLOADED = 0x08;
export const QHD_SPEED = 0x10;
export const QHD_GGEP = 0x20;
/** Our vendor code in QueryHit trailers and `VC` (spec 9: an unused 4-letter code). */
export const OUR_VENDOR = 'PDEK';
export const VENDOR_CODE_BYTES = 4;

/** GGEP block format (spec 2.13). */
export const GGEP_MAGIC = 0xc3;
export const GGEP_FLAG_LAST = 0x80;
export const GGEP_FLAG_COBS = 0x40;
export const GGEP_FLAG_DEFLATE = 0x20;
export const GGEP_FLAG_RESERVED = 0x10;
export const GGEP_ID_LENGTH_MASK = 0x0f;
export const GGEP_LEN_MORE = 0x80;
export const GGEP_LEN_LAST = 0x40;
export const GGEP_LEN_BITS_MASK = 0x3f;
/** Largest GGEP data length the 3-byte encoding can carry. */
export const GGEP_MAX_DATA = 262_143;
/** Largest inflated GGEP value we accept (a deflated extension must not become a bomb). */
export const GGEP_MAX_INFLATED = 64 * 1_024;
/** Extensions we keep from one block; more is hostile. */
export const GGEP_MAX_EXTENSIONS = 64;
/** GGEP keys we read or write (spec 2.6, 2.7, 2.8). */
export const GGEP_H = 'H';
export const GGEP_IPP = 'IPP';
export const GGEP_SCP = 'SCP';
export const GGEP_UP = 'UP';
/** The `UP` payload's version byte (spec 2.6). */
export const GGEP_UP_VERSION = 0;
export const GGEP_DU = 'DU';
export const GGEP_VC = 'VC';
export const GGEP_BH = 'BH';
export const GGEP_LF = 'LF';
export const GGEP_PUSH = 'PUSH';
/** GGEP `H` type bytes (spec 2.8). */
export const GGEP_H_SHA1 = 0x01;
export const GGEP_H_BITPRINT = 0x02;

/** Bye codes we send (spec 2.10). */
export const BYE_SHUTDOWN = 200;
/**
 * A 2xx Bye (no fault of the peer): we change role, links are negotiated again (issue 11).
 * Spec 2.10: 202 is "making room / going offline / becoming leaf" (gtk-gnutella says 203).
 */
export const BYE_ROLE_CHANGE = 202;
export const BYE_GARBLED = 400;
export const BYE_DUPLICATES = 401;
export const BYE_HIGH_TTL = 403;
export const BYE_IDLE = 405;
export const BYE_NO_PONGS = 406;
/** A neighbour whose own hits carry servent GUIDs not its own (gtk-gnutella: 5 "weird" messages). */
export const BYE_SECURITY = 412;
export const BYE_BAD_QRP = 413;
export const BYE_LEAF_RELAYED = 414;
export const BYE_INTERNAL = 500;
export const BYE_SEND_QUEUE_FULL = 502;

/** Vendor-message selectors (spec 2.11). */
export const VENDOR_NULL = '\0\0\0\0';
export const VMSG_MESSAGES_SUPPORTED = 0;
export const VMSG_FEATURES_SUPPORTED = 10;
/** Entries we accept in one Messages Supported (GTKG sends 27). */
export const MAX_SUPPORTED_ENTRIES = 256;

/** QRP (spec 2.12, 3.3, 3.4). */
export const QRP_RESET = 0x00;
export const QRP_PATCH = 0x01;
export const QRP_COMPRESSOR_NONE = 0x00;
export const QRP_COMPRESSOR_ZLIB = 0x01;
export const QRP_HASH_MULTIPLIER = 0x4f1bbcdc;
/** Our table: 65,536 slots (16 bits), infinity 7, 4-bit entries (spec 3.4, appendix 6/17). */
export const QRP_TABLE_BITS = 16;
export const QRP_TABLE_SLOTS = 1 << QRP_TABLE_BITS;
export const QRP_INFINITY = 7;
export const QRP_ENTRY_BITS = 4;
/** Chunk size of our PATCH messages (LW sends <= 4 KiB). */
export const QRP_CHUNK_BYTES = 4_096;
/** Largest table we accept from a peer (2 Mi slots, GTKG's largest) and its inflated patch. */
export const QRP_MAX_TABLE_SLOTS = 2 * 1_024 * 1_024;
/** Words shorter than this are left out of QRP lookups (GTKG, spec 3.4). */
export const QRP_MIN_WORD = 3;

/** Handshake (spec 1.2-1.5). */
export const HANDSHAKE_CONNECT = 'GNUTELLA CONNECT/0.6';
export const HANDSHAKE_CONNECT_PREFIX = 'GNUTELLA CONNECT/';
export const HANDSHAKE_STATUS_PREFIX = 'GNUTELLA/0.6 ';
export const PROTOCOL_VERSION = '0.6';
export const MAX_HEADER_LINE = 1_024;
export const MAX_HEADER_LINES = 64;
export const MAX_HEADER_BLOCK = 16 * 1_024;
/** X-Try-Ultrapeers entries we send and accept (spec 1.3, 1.4). */
export const MAX_TRY_HOSTS = 10;
export const MAX_TRY_HOSTS_PARSED = 64;
export const DEFAULT_PORT = 6346;
/** Our User-Agent: our own name, never another servent's (spec 1.3). */
export const USER_AGENT = 'peerdeck/0.1';

/** Handshake status codes (spec 1.4). */
export const STATUS_OK = 200;
export const STATUS_SHIELDED = 204;
export const STATUS_BAD_REQUEST = 400;
export const STATUS_FORBIDDEN = 403;
export const STATUS_NOT_ACCEPTABLE = 406;
export const STATUS_CONFLICT = 409;
export const STATUS_TOO_LARGE = 413;
export const STATUS_UNAVAILABLE = 503;

/** `BEAR/11v1` Query Status Request and `BEAR/12v1` Query Status Response (leaf-guided DQ, spec 2.11, 3.5). */
export const VMSG_QUERY_STATUS_REQUEST = 11;
export const VMSG_QUERY_STATUS_RESPONSE = 12;
export const VMSG_QUERY_STATUS_VERSION = 1;
/** A BEAR/12 hit count meaning "I have enough, stop" (spec 3.5). */
export const DQ_STATUS_STOP = 0xffff;
