/**
 * Chat plugin options and their defaults (specs/chat.md; defaults where the spec is
 * silent are listed in README.md).
 */
import { randomBytes } from 'node:crypto';
import { NetError } from '../../src/errors.js';
import * as C from './constants.js';
import type { DiscoveryOptions } from './discovery.js';
import { nickProblem } from '../../src/nick.js';
import { isMeshName } from './text.js';

/** What createChatPlugin accepts; every field has a default (see resolveOptions). */
export interface ChatOptions {
  /** Listening port; 0 = any free port. Default 6350. */
  port?: number;
  /** Listening address; default all interfaces. */
  host?: string;
  /** Do not listen at all (HELLO says `listen=-`). */
  noListen?: boolean;
  /** Our nick; default the node's configured nick. */
  nick?: string;
  /** `host:port` peers to dial at start-up. */
  connect?: string[];
  /** Mesh name; default "default". */
  mesh?: string;
  password?: string;
  /** LAN discovery by UDP multicast; default on. */
  discovery?: boolean | DiscoveryOptions;
  /** hops-left stamped on our messages and the most we forward; default 16. */
  hops?: number;
  /** Accepted links (nodes and plain peers); default 16. */
  maxInbound?: number;
  /** Accepted plain peers; default 8 (the rest of maxInbound is kept for nodes). */
  maxPlain?: number;
  /** Accepted links not yet identified (no HELLO, no plain line); default 64. */
  maxPending?: number;
  perIp?: number;
  targetDegree?: number;
  minDegree?: number;
  maxOutbound?: number;
  maxLineBytes?: number;
  /** Our node id; default 16 random bytes as hex. */
  nodeId?: string;
  seen?: { max?: number; ttlMs?: number };
  timeouts?: {
    handshakeMs?: number;
    idleMs?: number;
    pingMs?: number;
    plainGraceMs?: number;
    /** Handshake timeout of a new accepted link while the pending pool is half full. */
    pressureHandshakeMs?: number;
    /** A plain peer silent this long is closed. */
    plainIdleMs?: number;
    maintenanceMs?: number;
    dialMs?: number;
    /** A neighbour congested this long while we hold traffic back is closed. */
    slowLinkMs?: number;
  };
  queue?: { highWater?: number; lowWater?: number; hardCap?: number };
  dup?: { windowMs?: number; slack?: number };
  /** Plain peers' line rate (lines a second, burst, dropped lines before a cut). */
  plainRate?: { perSec?: number; burst?: number; cutAfter?: number };
  /** Sign every line we originate (issue 14 "Signed messages"); default off. */
  sign?: boolean;
  /** Drop unsigned lines from the mesh; default off. */
  requireSigned?: boolean;
  /** Peer names: lifetime of our secured records, and how long /resolve waits (issue 14). */
  names?: { ttlMs?: number; resolveMs?: number; ringHops?: number; ringMs?: number };
  /** People Near Me where discovery runs (default on), whose invitations we see, our friendly name. */
  nearMe?: boolean;
  acceptFrom?: 'anyone' | 'contacts' | 'nobody';
  friendly?: string;
  /** Speak the classic protocol only: no EXT, no signed or names lines (tests of mixed meshes). */
  classic?: boolean;
}

/** ChatOptions with every default filled in. */
export interface ResolvedChatOptions {
  port: number;
  host: string | undefined;
  listen: boolean;
  nick: string | undefined;
  connect: string[];
  mesh: string;
  password: string | undefined;
  discovery: DiscoveryOptions | undefined;
  hops: number;
  maxInbound: number;
  maxPlain: number;
  maxPending: number;
  perIp: number;
  targetDegree: number;
  minDegree: number;
  maxOutbound: number;
  maxLineBytes: number;
  nodeId: string;
  seenMax: number;
  seenTtlMs: number;
  handshakeMs: number;
  idleMs: number;
  pingMs: number;
  plainGraceMs: number;
  pressureHandshakeMs: number;
  plainIdleMs: number;
  maintenanceMs: number;
  dialMs: number;
  slowLinkMs: number;
  queue: { highWater: number; lowWater: number; hardCap: number };
  dupWindowMs: number;
  dupSlack: number;
  plainRate: { perSec: number; burst: number; cutAfter: number };
  sign: boolean;
  requireSigned: boolean;
  classic: boolean;
  names: { ttlMs: number; resolveMs: number; ringHops: number; ringMs: number };
  nearMe: boolean;
  acceptFrom: 'anyone' | 'contacts' | 'nobody';
  friendly: string | undefined;
}

const DEFAULT_MESH = 'default';

/** Fills in defaults and validates; throws NetError('USAGE') on a bad value. */
export function resolveOptions(o: ChatOptions): ResolvedChatOptions {
  const mesh = o.mesh ?? DEFAULT_MESH;
  if (!isMeshName(mesh)) throw NetError.usage(`chat: bad mesh name ${JSON.stringify(mesh)}`);
  const badNick = o.nick === undefined ? undefined : nickProblem(o.nick);
  if (badNick !== undefined) throw NetError.usage(`chat: nick ${JSON.stringify(o.nick)}: ${badNick}`);
  const hops = o.hops ?? C.DEFAULT_HOPS;
  if (!Number.isInteger(hops) || hops < 1 || hops > C.MAX_WIRE_HOPS) throw NetError.usage(`chat: hops must be 1..${C.MAX_WIRE_HOPS}`);
  const nodeId = o.nodeId ?? randomBytes(C.NODE_ID_BYTES).toString('hex');
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(nodeId)) throw NetError.usage('chat: bad node id');
  const t = o.timeouts ?? {};
  const d = o.discovery ?? true;
  return {
    port: o.port ?? C.DEFAULT_CHAT_PORT,
    host: o.host,
    listen: !o.noListen,
    nick: o.nick,
    connect: o.connect ?? [],
    mesh,
    password: o.password === '' ? undefined : o.password,
    discovery: d === false ? undefined : d === true ? {} : d,
    hops,
    maxInbound: o.maxInbound ?? C.DEFAULT_MAX_INBOUND,
    maxPlain: o.maxPlain ?? Math.min(C.DEFAULT_MAX_PLAIN, o.maxInbound ?? C.DEFAULT_MAX_INBOUND),
    maxPending: o.maxPending ?? C.DEFAULT_MAX_PENDING,
    perIp: o.perIp ?? C.DEFAULT_PER_IP,
    targetDegree: o.targetDegree ?? C.TARGET_DEGREE,
    minDegree: o.minDegree ?? C.MIN_DEGREE,
    maxOutbound: o.maxOutbound ?? C.MAX_DIALLED,
    maxLineBytes: o.maxLineBytes ?? C.MAX_LINE_BYTES,
    nodeId,
    seenMax: o.seen?.max ?? C.SEEN_MAX,
    seenTtlMs: o.seen?.ttlMs ?? C.SEEN_TTL_MS,
    handshakeMs: t.handshakeMs ?? C.HANDSHAKE_TIMEOUT_MS,
    idleMs: t.idleMs ?? C.IDLE_TIMEOUT_MS,
    pingMs: t.pingMs ?? C.PING_INTERVAL_MS,
    plainGraceMs: t.plainGraceMs ?? C.PLAIN_GRACE_MS,
    pressureHandshakeMs: t.pressureHandshakeMs ?? C.PRESSURE_HANDSHAKE_TIMEOUT_MS,
    plainIdleMs: t.plainIdleMs ?? C.PLAIN_IDLE_TIMEOUT_MS,
    maintenanceMs: t.maintenanceMs ?? C.MAINTENANCE_INTERVAL_MS,
    dialMs: t.dialMs ?? C.DIAL_TIMEOUT_MS,
    slowLinkMs: t.slowLinkMs ?? C.SLOW_LINK_MS,
    queue: {
      highWater: o.queue?.highWater ?? C.QUEUE_HIGH_WATER,
      lowWater: o.queue?.lowWater ?? C.QUEUE_LOW_WATER,
      hardCap: o.queue?.hardCap ?? C.QUEUE_HARD_CAP,
    },
    dupWindowMs: o.dup?.windowMs ?? C.DUP_WINDOW_MS,
    dupSlack: o.dup?.slack ?? C.DUP_SLACK,
    plainRate: {
      perSec: o.plainRate?.perSec ?? C.PLAIN_LINES_PER_SEC,
      burst: o.plainRate?.burst ?? C.PLAIN_BURST_LINES,
      cutAfter: o.plainRate?.cutAfter ?? C.PLAIN_CUT_AFTER_DROPS,
    },
    sign: o.sign === true,
    requireSigned: o.requireSigned === true,
    classic: o.classic === true,
    nearMe: o.nearMe !== false,
    acceptFrom: o.acceptFrom ?? 'anyone',
    friendly: o.friendly,
    names: {
      ttlMs: o.names?.ttlMs ?? C.NAME_TTL_MS,
      resolveMs: o.names?.resolveMs ?? C.NAME_RESOLVE_MS,
      ringHops: o.names?.ringHops ?? C.NAME_RING_HOPS,
      ringMs: o.names?.ringMs ?? C.NAME_RING_MS,
    },
  };
}
