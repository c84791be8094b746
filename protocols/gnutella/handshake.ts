import {
  HANDSHAKE_CONNECT,
  HANDSHAKE_CONNECT_PREFIX,
  HANDSHAKE_STATUS_PREFIX,
  MAX_TRY_HOSTS,
  MAX_TTL,
  PROTOCOL_VERSION,
  STATUS_CONFLICT,
  STATUS_FORBIDDEN,
  STATUS_OK,
  STATUS_TOO_LARGE,
  STATUS_NOT_ACCEPTABLE,
  STATUS_SHIELDED,
  STATUS_UNAVAILABLE,
  USER_AGENT,
} from './constants.js';
import { encodeHeaderBlock, headerHasToken, headerTrue, headerVersionAtLeast, type HeaderBlock } from './headers.js';
import type { HostPort } from './ipv4.js';
import { formatTryHosts, parseListenIp, parseTryHosts } from './try-hosts.js';

/** Our role, or a peer's as its `X-Ultrapeer` says (spec 3.1). */
export type Role = 'leaf' | 'ultrapeer';

/** `X-Degree` when none is configured (LimeWire's 32). */
export const DEFAULT_DEGREE = 32;

/** A peer's degree when it sends no `X-Degree` (GTKG assumes 8). */
export const DEFAULT_PEER_DEGREE = 8;

/** What we say about ourselves in every handshake. */
export interface LocalInfo {
  role: Role;
  /** Servent GUID, sent as `GUID:` (GTKG refuses a second link from one GUID). */
  guid: Buffer;
  /** Where we accept connections, for `Listen-IP` (left out when unknown or unspecified). */
  listen?: HostPort;
  /** Whether we offer and use deflate (spec 1.7). */
  deflate: boolean;
  /** Ultrapeer links we try to hold (`X-Degree`; GTKG leaves want >= 16, LW >= 15). */
  degree?: number;
  userAgent?: string;
}

/** What a peer's headers tell us (spec 1.3). */
export interface PeerHeaders {
  userAgent: string;
  role: Role | undefined;
  guid?: string;
  listen?: HostPort;
  /** Our address as the peer sees it (`Remote-IP`). */
  remoteIp?: string;
  tryHosts: HostPort[];
  queryRouting: boolean;
  /** `X-Ultrapeer-Query-Routing` >= 0.1: last-hop QRP tables between ultrapeers (spec 3.4). */
  upQueryRouting: boolean;
  /** `X-Ext-Probes`: a higher-TTL copy of a query is a re-probe, not a duplicate (spec 3.5). */
  extProbes: boolean;
  /** `X-Max-TTL`: the highest TTL of fresh queries the peer wants (default 4). */
  maxTtl: number;
  /** `X-Degree`: ultrapeer links the peer holds (default 8, GTKG's assumption). */
  degree: number;
  vendorMessages: boolean;
  /** `X-Ultrapeer-Needed` in an ultrapeer's step 2: False = it would rather have us as its leaf (spec 3.1). */
  ultrapeerNeeded: boolean | undefined;
  acceptsDeflate: boolean;
  sendsDeflate: boolean;
}

function parseMaxTtl(v: string | undefined): number {
  const n = v === undefined ? NaN : Number.parseInt(v.trim(), 10);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, MAX_TTL) : MAX_TTL;
}

/** Reads the headers that matter from a parsed block. */
export function peerHeaders(b: HeaderBlock): PeerHeaders {
  const h = b.headers;
  const up = headerTrue(h, 'x-ultrapeer');
  const listen = parseListenIp(h.get('listen-ip') ?? h.get('node') ?? h.get('x-my-address'));
  const guid = h.get('guid')?.trim().toLowerCase();
  return {
    userAgent: (h.get('user-agent') ?? '').slice(0, 200),
    role: up === undefined ? undefined : up ? 'ultrapeer' : 'leaf',
    ...(guid && /^[0-9a-f]{32}$/.test(guid) ? { guid } : {}),
    ...(listen ? { listen } : {}),
    ...(h.get('remote-ip') ? { remoteIp: h.get('remote-ip')!.trim().slice(0, 64) } : {}),
    tryHosts: [...parseTryHosts(h.get('x-try-ultrapeers')), ...parseTryHosts(h.get('x-try'))],
    queryRouting: headerVersionAtLeast(h, 'x-query-routing', 0.1),
    upQueryRouting: headerVersionAtLeast(h, 'x-ultrapeer-query-routing', 0.1),
    extProbes: headerVersionAtLeast(h, 'x-ext-probes', 0.1),
    maxTtl: parseMaxTtl(h.get('x-max-ttl')),
    degree: Math.min(Math.max(Number.parseInt(h.get('x-degree') ?? '', 10) || DEFAULT_PEER_DEGREE, 1), 1_000),
    vendorMessages: headerVersionAtLeast(h, 'vendor-message', 0.1),
    ultrapeerNeeded: headerTrue(h, 'x-ultrapeer-needed'),
    acceptsDeflate: headerHasToken(h, 'accept-encoding', 'deflate'),
    sendsDeflate: headerHasToken(h, 'content-encoding', 'deflate'),
  };
}

/** The headers of spec 1.3 for our role, in the order of the minimal block. */
export function ourHeaders(local: LocalInfo, remoteIp: string | undefined): Array<[string, string]> {
  const up = local.role === 'ultrapeer';
  const out: Array<[string, string]> = [
    ['User-Agent', local.userAgent ?? USER_AGENT],
    ['X-Ultrapeer', up ? 'True' : 'False'],
    ['X-Query-Routing', '0.1'],
    ['X-Ultrapeer-Query-Routing', '0.1'],
    ['X-Dynamic-Querying', '0.1'],
    ['X-Degree', String(local.degree ?? DEFAULT_DEGREE)],
    ['X-Max-TTL', String(up ? MAX_TTL : MAX_TTL - 1)],
    ['X-Requeries', 'False'],
    ['Pong-Caching', '0.1'],
    ['GGEP', '0.5'],
    ['Vendor-Message', '0.2'],
    ['Bye-Packet', '0.1'],
    ['GUID', local.guid.toString('hex')],
  ];
  if (up) out.push(['X-Ext-Probes', '0.1']);
  if (local.deflate) out.push(['Accept-Encoding', 'deflate']);
  if (local.listen && local.listen.ip !== '0.0.0.0' && local.listen.port > 0) out.push(['Listen-IP', `${local.listen.ip}:${local.listen.port}`]);
  if (remoteIp) out.push(['Remote-IP', remoteIp]);
  return out;
}

/** Step 1 (spec 1.2): `GNUTELLA CONNECT/0.6` and our headers. */
export function connectRequest(local: LocalInfo, remoteIp: string | undefined): Buffer {
  return encodeHeaderBlock(HANDSHAKE_CONNECT, ourHeaders(local, remoteIp));
}

/** A parsed status line `GNUTELLA/0.6 <code> <reason>` (only the code matters). */
export function parseStatusLine(line: string): { code: number; reason: string } | undefined {
  const m = /^GNUTELLA\/\d+\.\d+ (\d{3})(?: (.*))?$/.exec(line);
  return m ? { code: Number(m[1]), reason: (m[2] ?? '').slice(0, 200) } : undefined;
}

/** Whether a start line is a Gnutella connect of version 0.6 or later (0.4 is not served). */
export function isConnectLine(line: string): boolean {
  if (!line.startsWith(HANDSHAKE_CONNECT_PREFIX)) return false;
  const v = Number.parseFloat(line.slice(HANDSHAKE_CONNECT_PREFIX.length));
  return Number.isFinite(v) && v >= Number(PROTOCOL_VERSION);
}

function status(code: number, reason: string): string {
  return `${HANDSHAKE_STATUS_PREFIX}${code} ${reason}`;
}

/**
 * The acceptor's answer to a connect it cannot read (a line over 1024 bytes, over 64 lines,
 * a block over 16 KiB): `GNUTELLA/0.6 413 <reason>` with `User-Agent` and `Remote-IP`, as
 * gtk-gnutella answers (spec 1.4, 1.5; no `X-Ultrapeer` on a 4xx), then the link closes.
 */
export function tooLargeResponse(reason: string, local: Pick<LocalInfo, 'userAgent'>, remoteIp: string): Buffer {
  return bareRefusal(STATUS_TOO_LARGE, reason, local, remoteIp);
}

/**
 * A refusal with `User-Agent` and `Remote-IP` alone, as gtk-gnutella's send_node_error
 * writes a 4xx or a 550 (no `X-Ultrapeer`, no hosts to try): 413, and a banned
 * address's 429 and 550 (address-bans.ts).
 */
export function bareRefusal(code: number, reason: string, local: Pick<LocalInfo, 'userAgent'>, remoteIp: string): Buffer {
  return encodeHeaderBlock(status(code, reason), [
    ['User-Agent', local.userAgent ?? USER_AGENT],
    ['Remote-IP', remoteIp],
  ]);
}

/** What the acceptor knows when it answers (its free slots, who is connected). */
export interface AcceptView {
  remoteIp: string;
  freeUltrapeerSlots: number;
  freeLeafSlots: number;
  connectedGuids: ReadonlySet<string>;
  /** Hosts to offer a refused peer (`X-Try-Ultrapeers`). */
  tryHosts: readonly HostPort[];
  /** As an ultrapeer: we want more ultrapeer links rather than leaves (`X-Ultrapeer-Needed`, spec 3.1). */
  needUltrapeers?: boolean;
  /** Our caps, said in refusals as gtk-gnutella says them (`Too many leaf connections (100 max)`). */
  maxUltrapeers?: number;
  maxLeaves?: number;
}

/** The acceptor's step-2 verdict. */
export type AcceptDecision =
  | { kind: 'accept'; response: Buffer; peer: PeerHeaders; peerRole: Role; compressOut: boolean }
  | { kind: 'refuse'; response: Buffer; code: number; reason: string }
  /** Not a 0.6 connect: close without a word (spec 1.1, appendix 14). */
  | { kind: 'drop'; reason: string };

/**
 * Step 2 as acceptor (spec 1.2-1.4, appendix 1, 7), in gtk-gnutella's codes and
 * words (its nodes.c): a leaf answers anything but an ultrapeer with
 * `204 Shielded leaf node (N peers max)` (a refusal a servent does not retry as
 * busy, unlike 503); an ultrapeer refuses nodes without `X-Ultrapeer` (403); a
 * GUID already connected or our own gets 409; a role we have no slot for
 * `503 Too many leaf|ultra connections (N max)`; 204 and 503 carry
 * `X-Try-Ultrapeers`. Otherwise 200 with our headers, compressing our side
 * when the peer accepts it.
 */
export function acceptorRespond(req: HeaderBlock, local: LocalInfo, view: AcceptView): AcceptDecision {
  if (!isConnectLine(req.startLine)) return { kind: 'drop', reason: `not a Gnutella 0.6 connect: ${req.startLine.slice(0, 40)}` };
  const peer = peerHeaders(req);
  // As gtk-gnutella's send_error (nodes.c): X-Ultrapeer except on a 4xx; hosts to try except on 403, 406 and 429.
  const refuse = (code: number, reason: string): AcceptDecision => {
    const headers: Array<[string, string]> = [
      ['User-Agent', local.userAgent ?? USER_AGENT],
      ['Remote-IP', view.remoteIp],
    ];
    if (code < 400 || code >= 500) headers.push(['X-Ultrapeer', local.role === 'ultrapeer' ? 'True' : 'False']);
    if (code !== STATUS_FORBIDDEN && code !== 406 && code !== 429 && view.tryHosts.length > 0) headers.push(['X-Try-Ultrapeers', formatTryHosts(view.tryHosts.slice(0, MAX_TRY_HOSTS))]);
    return { kind: 'refuse', response: encodeHeaderBlock(status(code, reason), headers), code, reason };
  };
  const max = (n: number | undefined, what = ''): string => (n === undefined ? '' : ` (${n}${what} max)`);
  if (local.role === 'leaf' && peer.role !== 'ultrapeer') return refuse(STATUS_SHIELDED, `Shielded leaf node${max(view.maxUltrapeers, ' peers')}`);
  if (peer.role === undefined) return refuse(STATUS_FORBIDDEN, 'Normal nodes refused');
  const ours = local.guid.toString('hex');
  if (peer.guid === ours) return refuse(STATUS_CONFLICT, 'Connected to self');
  if (peer.guid && view.connectedGuids.has(peer.guid)) return refuse(STATUS_CONFLICT, 'Already connected to this GUID');
  if (peer.role === 'ultrapeer' && view.freeUltrapeerSlots <= 0) return refuse(STATUS_UNAVAILABLE, `Too many ultra connections${max(view.maxUltrapeers)}`);
  if (peer.role === 'leaf' && view.freeLeafSlots <= 0) return refuse(STATUS_UNAVAILABLE, `Too many leaf connections${max(view.maxLeaves)}`);
  // As gtk-gnutella (appendix 2): a leaf link is mostly our queries to it, which compress well; one
  // that cannot inflate costs several times the bandwidth. With --gnutella-no-deflate we compress
  // nothing ourselves, so we take such leaves.
  if (local.role === 'ultrapeer' && local.deflate && peer.role === 'leaf' && !peer.acceptsDeflate) return refuse(STATUS_FORBIDDEN, 'Gnet connection not compressed');
  const compressOut = local.deflate && peer.acceptsDeflate;
  const headers = ourHeaders(local, view.remoteIp);
  // Leaf guidance (spec 3.1): an ultrapeer candidate hears False when we would rather have it as a leaf.
  if (local.role === 'ultrapeer') headers.push(['X-Ultrapeer-Needed', peer.role === 'leaf' || (view.needUltrapeers ?? true) ? 'True' : 'False']);
  if (compressOut) headers.push(['Content-Encoding', 'deflate']);
  return { kind: 'accept', response: encodeHeaderBlock(status(STATUS_OK, 'OK'), headers), peer, peerRole: peer.role, compressOut };
}

/**
 * The acceptor reading step 3: the initiator's verdict, whether it compresses,
 * and whether it took our leaf guidance (`X-Ultrapeer: False`, spec 1.2, 3.1).
 */
export type ConfirmDecision =
  | { kind: 'ok'; compressIn: boolean; becameLeaf: boolean }
  | { kind: 'refused'; code: number; reason: string }
  /** It said it will speak G2: `406 Protocol not acceptable` goes back, then the link closes. */
  | { kind: 'not-acceptable'; response: Buffer };

/** A `Content-Type` naming G2 (gtk-gnutella's node_can_accept_protocol, without G2 of its own). */
export function speaksG2(headers: ReadonlyMap<string, string>): boolean {
  return (headers.get('content-type') ?? '').split(',').some((t) => t.trim().toLowerCase() === G2_CONTENT_TYPE);
}

const G2_CONTENT_TYPE = 'application/x-gnutella2';

export function acceptorConfirm(final: HeaderBlock, local: Pick<LocalInfo, 'userAgent'> = {}, remoteIp = ''): ConfirmDecision {
  const s = parseStatusLine(final.startLine);
  if (!s) return { kind: 'refused', code: 0, reason: `bad status line ${JSON.stringify(final.startLine.slice(0, 40))}` };
  if (s.code !== STATUS_OK) return { kind: 'refused', code: s.code, reason: s.reason };
  if (speaksG2(final.headers)) {
    const response = encodeHeaderBlock(status(STATUS_NOT_ACCEPTABLE, 'Protocol not acceptable'), [
      ['User-Agent', local.userAgent ?? USER_AGENT],
      ['Remote-IP', remoteIp],
    ]);
    return { kind: 'not-acceptable', response };
  }
  return { kind: 'ok', compressIn: headerHasToken(final.headers, 'content-encoding', 'deflate'), becameLeaf: headerTrue(final.headers, 'x-ultrapeer') === false };
}

/** What the initiator knows when it reads step 2. */
export interface InitiateView {
  freeUltrapeerSlots: number;
  connectedGuids: ReadonlySet<string>;
}

/** The initiator's verdict on step 2. */
export type InitiateDecision =
  | { kind: 'accept'; final: Buffer; peer: PeerHeaders; peerRole: Role; compressOut: boolean; compressIn: boolean }
  /** The acceptor refused (its hosts are worth trying). */
  | { kind: 'refused'; code: number; reason: string; tryHosts: HostPort[] }
  /** We refuse in step 3 (a leaf wants ultrapeers only). */
  | { kind: 'refuse'; final: Buffer; code: number; reason: string; tryHosts: HostPort[] };

/**
 * Step 3 as initiator (spec 1.2): a non-200 is their refusal; as a leaf we keep
 * only ultrapeers, and GUIDs not yet connected; then 200 with
 * `Content-Encoding: deflate` when we compress what we send.
 */
export function initiatorDecide(res: HeaderBlock, local: LocalInfo, view: InitiateView): InitiateDecision {
  const peer = peerHeaders(res);
  const s = parseStatusLine(res.startLine);
  if (!s) return { kind: 'refused', code: 0, reason: `bad status line ${JSON.stringify(res.startLine.slice(0, 40))}`, tryHosts: peer.tryHosts };
  if (s.code !== STATUS_OK) return { kind: 'refused', code: s.code, reason: s.reason, tryHosts: peer.tryHosts };
  const refuse = (code: number, reason: string): InitiateDecision => ({
    kind: 'refuse',
    final: encodeHeaderBlock(status(code, reason), []),
    code,
    reason,
    tryHosts: peer.tryHosts,
  });
  if (speaksG2(res.headers)) return refuse(STATUS_NOT_ACCEPTABLE, 'Protocol not acceptable');
  if (peer.role === undefined) return refuse(STATUS_FORBIDDEN, 'Normal nodes refused');
  if (local.role === 'leaf' && peer.role === 'leaf') return refuse(STATUS_UNAVAILABLE, 'Leaf needs an ultrapeer');
  if (peer.role === 'ultrapeer' && view.freeUltrapeerSlots <= 0) return refuse(STATUS_UNAVAILABLE, 'Too many ultra connections');
  if (peer.guid && (peer.guid === local.guid.toString('hex') || view.connectedGuids.has(peer.guid))) return refuse(STATUS_CONFLICT, 'Already connected to this GUID');
  const compressOut = local.deflate && peer.acceptsDeflate;
  const headers: Array<[string, string]> = [];
  if (compressOut) headers.push(['Content-Encoding', 'deflate']);
  if (local.role === 'leaf') headers.push(['X-Ultrapeer', 'False']);
  return {
    kind: 'accept',
    final: encodeHeaderBlock(status(STATUS_OK, 'OK'), headers),
    peer,
    peerRole: peer.role,
    compressOut,
    compressIn: peer.sendsDeflate,
  };
}
