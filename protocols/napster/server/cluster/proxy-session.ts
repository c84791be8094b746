/**
 * A user of another server, standing in for the sender while this server
 * runs a command aimed at one of its own users (issue 15): the handler sees
 * an ordinary Session; whatever it sends to the sender is collected and goes
 * back to the sender's server in the reply.
 */
import { NetError } from '../../../../src/errors.js';
import { Session, type SessionLink } from '../session.js';
import type { Sender } from './cluster-messages.js';

/** A SessionLink that collects what is sent. */
class CollectingLink implements SessionLink {
  readonly chunks: Buffer[] = [];
  nick?: string;
  constructor(readonly remoteAddress: string) {}
  get closed(): boolean {
    return false;
  }
  send(data: Buffer | string): boolean {
    this.chunks.push(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
    return true;
  }
  close(_reason?: NetError | string): void {}
  pause(): void {}
  resume(): void {}
  handshakeDone(): void {}
}

/** A Session for a remote sender; `replies()` is what the handler sent to it. */
export class ProxySession extends Session {
  readonly #link: CollectingLink;

  constructor(from: Sender) {
    const link = new CollectingLink(from.ip);
    super(link);
    this.#link = link;
    this.nick = from.nick;
    this.key = from.nick.toLowerCase();
    this.port = from.port;
    this.speed = from.speed;
    this.level = from.level;
    this.state = 'online';
    if (from.shares.length > 0) this.files = new Map(from.shares.map((p) => [p, -1]));
    link.nick = from.nick;
  }

  replies(): Buffer {
    return Buffer.concat(this.#link.chunks);
  }
}

