/**
 * A chat node's links, kept in step as they open and close (specs/chat.md "Mesh
 * maintenance"): every link by its connection, the same links as an array for the flood's
 * walk per line, the ready ones by node id, the node found at each address we dialled, and
 * the addresses that turned out to be our own. What the addresses stand for is decided in
 * link-addresses.ts; the ChatService carries out what the links are for.
 */
import type { Connection } from '../../src/net/connection.js';
import type { ChatFrame } from './frame-decoder.js';
import type { Link } from './link.js';
import { addressesInUse, isLinked, listenAddrs } from './link-addresses.js';

/** Dialled addresses whose node id is remembered (oldest forgotten first). */
export const MAX_NODE_AT = 256;

/** See the file comment. One per running chat node. */
export class LinkTable {
  /** Every link, by its connection (LinkProtocol reads and fills it as handshakes end). */
  readonly byConn = new Map<Connection<ChatFrame>, Link>();
  /** The links of byConn as an array for the Flooder's walk per line; replaced (never changed) on open and close. */
  list: readonly Link[] = [];
  /** Ready links by the node id of their HELLO (LinkProtocol adds them). */
  readonly byNode = new Map<string, Link>();
  /** Addresses that reached ourselves (LinkProtocol adds them, capped there). */
  readonly selfAddrs = new Set<string>();
  /** The node found at a dialled address (a pinned peer may be linked by its own dial). */
  readonly #nodeAt = new Map<string, string>();

  /** A link opened (before its handshake). */
  add(link: Link): void {
    this.list = [...this.byConn.set(link.conn, link).values()];
  }

  /** The connection closed: its link, gone from every index (undefined when it was none of ours). */
  remove(conn: Connection<ChatFrame>): Link | undefined {
    const link = this.byConn.get(conn);
    if (!link) return undefined;
    this.byConn.delete(conn);
    this.list = this.list.filter((l) => l !== link);
    if (link.node !== undefined && this.byNode.get(link.node) === link) this.byNode.delete(link.node);
    return link;
  }

  /** A dial of `addr` reached `node`: remembered, the newest MAX_NODE_AT addresses. */
  found(addr: string, node: string): void {
    this.#nodeAt.delete(addr);
    this.#nodeAt.set(addr, node);
    if (this.#nodeAt.size > MAX_NODE_AT) this.#nodeAt.delete(this.#nodeAt.keys().next().value!);
  }

  /** Whether `addr` has a live or starting link (link-addresses.ts isLinked). */
  isLinked(addr: string): boolean {
    return isLinked(addr, this.byConn.values(), this.#nodeAt, this.byNode);
  }

  /** Addresses not to dial: our own and every link's (link-addresses.ts addressesInUse). */
  inUse(): Set<string> {
    return addressesInUse(this.selfAddrs, this.byConn.values());
  }

  /** Where our linked nodes listen (shared in PEERS). */
  listenAddrs(): string[] {
    return listenAddrs(this.byNode.values());
  }

  /** The nicks our linked nodes said in HELLO (or changed to since). */
  neighbourNicks(): string[] {
    return [...this.byNode.values()].map((l) => l.nick);
  }

  /** Links that carry chat: ready nodes and plain peers. */
  chatting(): number {
    let n = 0;
    for (const l of this.byConn.values()) if (l.state === 'ready' || l.state === 'plain') n++;
    return n;
  }

  /** Ready links that pass `extended` (said EXT: names travel only there). */
  *ready(extended: (l: Link) => boolean): Iterable<Link> {
    for (const l of this.byNode.values()) if (l.state === 'ready' && extended(l)) yield l;
  }
}
