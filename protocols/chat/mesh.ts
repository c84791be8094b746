import { isIP, parseHostPort } from '../../src/net/address.js';

/**
 * Mesh maintenance as pure decisions (specs/chat.md "Mesh maintenance"): target degree 3,
 * keep between 2 and 7 links, dial from the host cache when short, share listening
 * addresses with PEERS, and hand a refused node other addresses to try.
 */

export interface DegreeView {
  /** Chat links that finished HELLO (both directions; plain peers do not count). */
  linked: number;
  /** Outgoing links (linked or handshaking) we hold now. */
  outbound: number;
  /** Dials under way (queued or connecting). */
  dialling: number;
  target: number;
  maxOutbound: number;
}

/** How many new dials to start now. */
export function dialsWanted(v: DegreeView): number {
  const short = v.target - v.linked - v.dialling;
  const room = v.maxOutbound - v.outbound - v.dialling;
  return Math.max(0, Math.min(short, room));
}

/** Candidates to dial: first `n` of `candidates` not in `exclude`, without repeats. */
export function chooseDials(candidates: Iterable<string>, exclude: ReadonlySet<string>, n: number): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    if (out.length >= n) break;
    if (exclude.has(c) || seen.has(c)) continue;
    seen.add(c);
    out.push(c);
  }
  return out;
}

/**
 * Addresses to put in a PEERS line for `recipient`: live neighbours' listening addresses
 * first (they are known good), then host-cache entries, never the recipient itself.
 */
export function peersToShare(live: Iterable<string>, cached: Iterable<string>, recipient: string | undefined, n: number): string[] {
  const exclude = new Set<string>(recipient === undefined ? [] : [recipient]);
  const out = chooseDials(live, exclude, n);
  for (const a of out) exclude.add(a);
  return out.concat(chooseDials(cached, exclude, n - out.length));
}

function isLoopback(ip: string): boolean {
  return ip === '::1' || (isIP(ip) === 4 && ip.startsWith('127.'));
}

function isUnusable(ip: string): boolean {
  if (isIP(ip) === 4) {
    const first = Number(ip.split('.')[0]);
    return ip === '0.0.0.0' || ip === '255.255.255.255' || (first >= 224 && first <= 239);
  }
  const lower = ip.toLowerCase();
  return lower === '::' || lower.startsWith('ff');
}

/**
 * Whether an address learned from the network (a PEERS line, a discovery datagram) may
 * go into the host cache: an IP literal (no DNS lookups on a stranger's say-so), not
 * multicast or unspecified, and loopback only when it came from a loopback peer (a remote
 * peer must not steer us to our own local services).
 */
export function acceptLearned(addr: string, fromIp: string): boolean {
  const hp = parseHostPort(addr);
  if (!hp || isIP(hp.host) === 0 || isUnusable(hp.host)) return false;
  return !isLoopback(hp.host) || isLoopback(fromIp);
}
