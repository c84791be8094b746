/**
 * The node state a LinkProtocol reads and updates (protocols/chat/link-protocol.ts), owned
 * by ChatService: its options, its links, and what it does when a link changes.
 */
import type { Clock } from '../../src/clock.js';
import type { Logger } from '../../src/log.js';
import type { Connection } from '../../src/net/connection.js';
import type { HostCache } from '../../src/peers/host-cache.js';
import type { ChatExtensions } from './extensions.js';
import type { Flooder } from './flooder.js';
import type { ChatFrame } from './frame-decoder.js';
import type { Link } from './link.js';
import type { ResolvedChatOptions } from './options.js';

/**
 * The node state a LinkProtocol reads and updates (owned by ChatService). Built as a plain
 * object literal: no getters in it, since V8 keeps a literal with accessors in dictionary
 * mode, and the relay reads several of these fields on every line (issue 9).
 */
export interface LinkContext {
  readonly options: ResolvedChatOptions;
  /** Our nick now. */
  nick(): string;
  /** The port we listen on, or null. */
  listenPort(): number | null;
  readonly clock: Clock;
  readonly log: Logger;
  readonly flooder: Flooder;
  readonly hosts: HostCache;
  readonly links: ReadonlyMap<Connection<ChatFrame>, Link>;
  /** Ready links by the peer's node id (one link per node). */
  readonly byNode: Map<string, Link>;
  /** Addresses found to be our own; never dialled again. */
  readonly selfAddrs: Set<string>;
  /** Addresses from a PEERS line received from `fromIp`. */
  learn(addresses: string[], fromIp: string): void;
  announce(link: Link): void;
  resetBackoff(addr: string): void;
  /** A link became ready: the first time, we JOIN the mesh. */
  joined(): void;
  /** Forwarding from `source` congested a neighbour: stop reading it for a while. */
  throttle(source: Link): void;
  /** Tells the local user something about a link (a `notice` event). */
  notice(text: string): void;
  /** The node at an address we dialled said HELLO (pinned peers are matched by node). */
  found(dialAddr: string, node: string): void;
  /** Compatible wire extensions: signed lines, names (issue 14). */
  readonly ext?: ChatExtensions;
}
