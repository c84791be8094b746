import { Agent, type ClientRequestArgs } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { NetError } from '../../src/errors.js';

/**
 * An HTTP agent whose one connection is a socket the holder opened to us (a
 * GIV callback, spec 4.4 step 3): requests go out on it, kept alive for the
 * following ranges; once it is gone no other connection can be made, so a
 * further request fails with CLOSED (the download keeps its part for /retry).
 * `head` holds bytes read past the GIV block, given back to the stream.
 */
export class PushedAgent extends Agent {
  #socket: Socket | undefined;

  constructor(socket: Socket, head: Buffer) {
    super({ keepAlive: true, maxSockets: 1 });
    if (head.length > 0) socket.unshift(head);
    this.#socket = socket;
  }

  override createConnection(_opts: ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const s = this.#socket;
    this.#socket = undefined;
    if (!s || s.destroyed) {
      callback?.(NetError.closed('the pushed connection was closed'), undefined as unknown as Duplex);
      return undefined;
    }
    // The socket came paused from its decoder; http attaches its reader before this runs.
    setImmediate(() => s.resume());
    return s;
  }
}
