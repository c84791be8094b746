import type { Server } from 'node:http';
import type { Connection } from './connection.js';

/**
 * Gives a connection's socket to a node:http server, as if the server had
 * accepted it. `consumed` is what the decoder already took off the stream (e.g.
 * the request line a protocol sniffed to tell HTTP from its own handshake); it
 * goes back in front of the unread bytes, so http sees the request whole.
 */
export function handToHttp(conn: Connection<unknown>, server: Server, consumed: Buffer = Buffer.alloc(0)): void {
  const { socket, head } = conn.detach();
  const replay = Buffer.concat([consumed, head]);
  if (replay.length > 0) socket.unshift(replay);
  server.emit('connection', socket);
  socket.resume();
}
