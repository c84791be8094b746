/**
 * The addresses a chat node's links stand for (specs/chat.md "Mesh maintenance"): where its
 * neighbours listen (shared in PEERS), and which addresses are linked or in use already
 * (so the maintainer does not dial them again). Pure: the links come in.
 */
import type { Link } from './link.js';

/** The listening addresses of `links` that have one. */
export function listenAddrs(links: Iterable<Link>): string[] {
  const out: string[] = [];
  for (const l of links) if (l.listenAddr) out.push(l.listenAddr);
  return out;
}

/**
 * Whether `addr` has a live or starting link: dialled there, or the node found at that
 * address (`nodeAt`, a pinned peer may be linked by its own dial) is linked, or it is a
 * neighbour's listening address.
 */
export function isLinked(addr: string, links: Iterable<Link>, nodeAt: ReadonlyMap<string, string>, byNode: ReadonlyMap<string, Link>): boolean {
  const node = nodeAt.get(addr);
  if (node !== undefined && byNode.has(node)) return true;
  for (const l of links) if (l.dialAddr === addr || l.listenAddr === addr) return true;
  return false;
}

/** Addresses not to dial: our own, and every address a link was dialled at or listens on. */
export function addressesInUse(selfAddrs: Iterable<string>, links: Iterable<Link>): Set<string> {
  const out = new Set(selfAddrs);
  for (const l of links) {
    if (l.dialAddr) out.add(l.dialAddr);
    if (l.listenAddr) out.add(l.listenAddr);
  }
  return out;
}
