/**
 * The servent's HTTP side on its Gnutella port (spec 5): uploads, browse host
 * and the push-proxy service, served by one node:http server that never
 * listens itself. It is handed sockets: a connection whose first line is an
 * HTTP request (link-setup.ts), and a GIV callback we opened (spec 4.4).
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import * as C from './constants.js';
import { createUploadHandler, type UploadDeps } from './http-upload.js';

export class HttpSide {
  /** The node:http server the sockets are handed to. */
  readonly server: Server;
  readonly #sockets = new Set<Socket>();

  constructor(deps: UploadDeps) {
    this.server = createServer({ maxHeaderSize: C.MAX_HEADER_BLOCK, requestTimeout: 60_000, headersTimeout: 15_000, keepAliveTimeout: 15_000 }, createUploadHandler(deps));
    this.server.on('connection', (s: Socket) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    this.server.on('clientError', (_err, socket: Socket) => socket.destroy());
  }

  /** Serves a socket we opened (a GIV callback, spec 4.4 step 3). */
  serve(socket: Socket): void {
    this.server.emit('connection', socket);
    socket.resume();
  }

  /** Ends every HTTP connection (uploads under way included). */
  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
