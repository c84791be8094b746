import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * A connected pair of TCP sockets on 127.0.0.1 (port 0): `out` is what a test writes to
 * (an outbox's stream), `inn` where the bytes arrive (pause it to make a slow reader).
 * `close()` destroys both.
 */
export async function socketPair(): Promise<{ out: Socket; inn: Socket; close(): void }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const accepted = new Promise<Socket>((r) => server.once('connection', r));
  const out = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port });
  const inn = await accepted;
  server.close();
  return { out, inn, close: () => (out.destroy(), inn.destroy()) };
}
