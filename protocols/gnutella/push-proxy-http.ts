import { request } from 'node:http';
import { NetError } from '../../src/errors.js';
import { base32Decode, base32Encode } from '../../src/share/base32.js';
import { GUID_BYTES, USER_AGENT } from './constants.js';
import type { HostPort } from './ipv4.js';

/** Push-proxy request paths (spec 4.3): LimeWire's, gtk-gnutella's older spelling, and `/gnet/`. */
export const PUSH_PROXY_PATHS: readonly string[] = ['/gnutella/push-proxy', '/gnutella/pushproxy', '/gnet/push-proxy'];
/** Answers (spec 4.3): push sent, servent not connected here, malformed. */
export const PUSH_PROXY_SENT = 202;
export const PUSH_PROXY_GONE = 410;
export const PUSH_PROXY_BAD = 400;
/** Too many requests from one address (gtk-gnutella answers 429 too, spec 6). */
export const PUSH_PROXY_BUSY = 429;
/** How long a downloader waits for a proxy's answer. */
export const PUSH_PROXY_TIMEOUT_MS = 10_000;
/** Longest request target we read (a GUID and two small parameters). */
const MAX_TARGET = 512;
/** The index LimeWire's proxies push for (spec 2.9). */
const PROXY_INDEX = 0;

/** What a push-proxy request asks, or why it is refused. */
export type PushProxyRequest =
  | { kind: 'push'; guid: Buffer; index: number; node: HostPort }
  | { kind: 'bad'; why: string };

function hostPort(text: string | undefined): HostPort | undefined {
  const m = /^\s*(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})\s*$/.exec(text ?? '');
  if (!m) return undefined;
  const port = Number(m[2]);
  const ok = m[1]!.split('.').every((p) => Number(p) <= 255) && port > 0 && port < 65_536;
  return ok ? { ip: m[1]!, port } : undefined;
}

/**
 * Reads a push-proxy request (spec 4.3), or undefined when the path is not a
 * push-proxy path. The servent GUID comes as `ServerId=` base32 (26 chars, or
 * 32 padded; parameter names in any case, as LimeWire's server compares them)
 * or `guid=` in 32 hex digits; `file=` an optional index; `X-Node: ip:port`
 * is where the GIV must go and is required. Pure.
 */
export function parsePushProxyRequest(target: string, xNode: string | string[] | undefined): PushProxyRequest | undefined {
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  if (!PUSH_PROXY_PATHS.includes(path)) return undefined;
  if (target.length > MAX_TARGET) return { kind: 'bad', why: 'request target too long' };
  const params = new Map<string, string>();
  for (const part of (q === -1 ? '' : target.slice(q + 1)).split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).toLowerCase(), part.slice(eq + 1));
  }
  let guid: Buffer | undefined;
  const id = params.get('serverid');
  const hex = params.get('guid');
  if (id !== undefined) {
    const b32 = id.replace(/=+$/, '');
    guid = b32.length === 26 ? base32Decode(b32) : undefined;
  } else if (hex !== undefined && /^[0-9a-fA-F]{32}$/.test(hex)) guid = Buffer.from(hex, 'hex');
  if (guid?.length !== GUID_BYTES) return { kind: 'bad', why: 'no valid ServerId or guid' };
  const file = params.get('file');
  if (file !== undefined && !/^\d{1,10}$/.test(file)) return { kind: 'bad', why: 'bad file index' };
  const index = file === undefined ? PROXY_INDEX : Number(file);
  if (index > 0xffff_ffff) return { kind: 'bad', why: 'bad file index' };
  const node = hostPort(Array.isArray(xNode) ? xNode[0] : xNode);
  if (!node) return { kind: 'bad', why: 'no X-Node ip:port' };
  return { kind: 'push', guid, index, node };
}

/** The request a downloader sends: exactly `ServerId=` (GTKG reads it case-sensitively). */
export function pushProxyTarget(guid: Buffer): string {
  return `${PUSH_PROXY_PATHS[0]}?ServerId=${base32Encode(guid)}`;
}

/**
 * Asks a push proxy to push `guid` to `node` (spec 4.3); resolves when it
 * answered 202, rejects with a NetError otherwise (410: the servent left it;
 * any other answer or none: do not use this proxy again).
 */
export function askPushProxy(proxy: HostPort, guid: Buffer, node: HostPort, signal: AbortSignal, timeoutMs = PUSH_PROXY_TIMEOUT_MS): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: proxy.ip,
      port: proxy.port,
      method: 'GET',
      path: pushProxyTarget(guid),
      agent: false,
      signal,
      timeout: timeoutMs,
      headers: { 'User-Agent': USER_AGENT, 'X-Node': `${node.ip}:${node.port}`, Connection: 'close' },
    });
    req.on('timeout', () => req.destroy(NetError.timeout(`push proxy ${proxy.ip}:${proxy.port}`, timeoutMs)));
    req.on('error', (err) => reject(err instanceof NetError ? err : NetError.socket(err)));
    req.on('response', (res) => {
      res.resume();
      if (res.statusCode === PUSH_PROXY_SENT) resolve();
      else reject(NetError.refused(`push proxy ${proxy.ip}:${proxy.port} answered ${res.statusCode ?? '?'}`));
    });
    req.end();
  });
}
