import { connect, type Socket } from 'node:net';
import { afterEach, vi } from 'vitest';
import type { Decoder } from '../../src/codec/decoder.js';
import { LineDecoder } from '../../src/codec/line-decoder.js';
import type { Connection } from '../../src/net/connection.js';
import { ConnectionManager, type ManagerOptions } from '../../src/net/connection-manager.js';
import type { GroupOptions } from '../../src/net/connection-group.js';
import type { NetError } from '../../src/errors.js';

/** A group spec that records what happens, for core tests. */
export function recorder<M = string>(name: string, decoder?: () => Decoder<M>, extra: Partial<GroupOptions<M>> = {}) {
  const messages: Array<{ conn: Connection<M>; msg: M }> = [];
  const closed: Array<{ conn: Connection<M>; reason: NetError | undefined }> = [];
  const opened: Connection<M>[] = [];
  const refused: NetError[] = [];
  const opts: GroupOptions<M> = {
    name,
    decoder: decoder ?? (() => new LineDecoder({ maxLineBytes: 1024 }) as unknown as Decoder<M>),
    handler: {
      onOpen: (c) => opened.push(c),
      onMessage: (conn, msg) => messages.push({ conn, msg }),
      onClose: (conn, reason) => closed.push({ conn, reason }),
      onRefused: (socket, reason) => {
        refused.push(reason);
        socket.write(`ERROR :${reason.message}\n`);
      },
    },
    ...extra,
  };
  return { opts, messages, closed, opened, refused };
}

/** A raw client socket to 127.0.0.1:port that collects what it receives. */
export async function rawClient(port: number): Promise<{ socket: Socket; received: () => string; ended: () => boolean }> {
  const socket = connect({ host: '127.0.0.1', port });
  const chunks: Buffer[] = [];
  let ended = false;
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('close', () => (ended = true));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => Buffer.concat(chunks).toString(), ended: () => ended };
}

export const waitUntil = (cond: () => boolean, timeout = 5_000): Promise<void> =>
  vi.waitFor(
    () => {
      if (!cond()) throw new Error('not yet');
    },
    { timeout, interval: 5 },
  );

/**
 * Makes connection managers for the calling test file and closes every one
 * of them after each test (call it once, at the top of the file).
 */
export function managersClosedAfterEach(): (limits?: ManagerOptions['limits']) => ConnectionManager {
  const made: ConnectionManager[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((m) => m.close()));
  });
  return (limits = {}) => {
    const m = new ConnectionManager({ limits });
    made.push(m);
    return m;
  };
}
