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
