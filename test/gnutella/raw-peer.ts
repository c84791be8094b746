/**
 * A scripted Gnutella peer over a raw socket, for tests that must send what
 * our own servent never would (hostile input) and watch what comes back.
 */
import { connect, type Socket } from 'node:net';
import { createDeflate, createInflate, constants as zc } from 'node:zlib';
import { decodeAll } from '../../src/codec/decoder.js';
import { DescriptorDecoder } from '../../protocols/gnutella/descriptor-decoder.js';
import type { Descriptor } from '../../protocols/gnutella/descriptor.js';

export interface RawPeer {
  socket: Socket;
  /** Everything received as text until the binary phase. */
  text(): string;
  /** Descriptors received after `binary()`. */
  descriptors: Descriptor[];
  write(b: Buffer | string): void;
  /** Switches to reading descriptors (optionally inflating) and writing (optionally deflating). */
  binary(opts?: { inflate?: boolean; deflate?: boolean }): void;
  closed: Promise<void>;
  isClosed(): boolean;
}

export async function rawPeer(port: number, localAddress?: string): Promise<RawPeer> {
  const socket = connect({ host: '127.0.0.1', port, ...(localAddress ? { localAddress } : {}) });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  let head = Buffer.alloc(0);
  let decoder: DescriptorDecoder | undefined;
  let deflate: ReturnType<typeof createDeflate> | undefined;
  const descriptors: Descriptor[] = [];
  let closed = false;
  const feed = (c: Buffer): void => {
    if (decoder) for (const d of decodeAll(decoder, c)) descriptors.push(d);
  };
  let inflate: ReturnType<typeof createInflate> | undefined;
  socket.on('data', (c: Buffer) => {
    if (!decoder) head = Buffer.concat([head, c]);
    else if (inflate) inflate.write(c);
    else feed(c);
  });
  const done = new Promise<void>((r) => socket.once('close', () => ((closed = true), r())));
  return {
    socket,
    text: () => head.toString('latin1'),
    descriptors,
    write: (b) => {
      if (deflate) {
        deflate.write(b);
        deflate.flush(zc.Z_SYNC_FLUSH);
      } else socket.write(b);
    },
    binary: (opts = {}) => {
      decoder = new DescriptorDecoder();
      const end = head.indexOf('\r\n\r\n');
      const rest = end === -1 ? Buffer.alloc(0) : head.subarray(end + 4);
      if (opts.inflate) {
        inflate = createInflate({ finishFlush: zc.Z_SYNC_FLUSH });
        inflate.on('data', feed);
        inflate.on('error', () => undefined);
        if (rest.length) inflate.write(rest);
      } else if (rest.length) feed(rest);
      if (opts.deflate) {
        deflate = createDeflate();
        deflate.on('data', (c: Buffer) => socket.write(c));
      }
    },
    closed: done,
    isClosed: () => closed,
  };
}

/** An ultrapeer's step-1 block (what our leaf accepts). */
export function upConnect(extra: string[] = []): string {
  return ['GNUTELLA CONNECT/0.6', 'User-Agent: RawPeer/0.1', 'X-Ultrapeer: True', 'X-Query-Routing: 0.1', ...extra, '', ''].join('\r\n');
}

/** A leaf's step-1 block (what our ultrapeer accepts). */
export function leafConnect(extra: string[] = []): string {
  return ['GNUTELLA CONNECT/0.6', 'User-Agent: RawPeer/0.1', 'X-Ultrapeer: False', 'X-Query-Routing: 0.1', ...extra, '', ''].join('\r\n');
}

/** Waits until `pred` holds, polling. */
export async function until(pred: () => boolean, ms = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A raw ultrapeer linked to our leaf on `port`, past step 3, plain both ways. */
export async function linkedUp(port: number): Promise<RawPeer> {
  const p = await rawPeer(port);
  p.write(upConnect());
  await until(() => p.text().includes('\r\n\r\n'));
  if (!/^GNUTELLA\/0\.6 200/.test(p.text())) throw new Error(`the leaf refused a raw ultrapeer: ${p.text().split('\r\n')[0]}`);
  p.write('GNUTELLA/0.6 200 OK\r\n\r\n');
  p.binary();
  return p;
}

/**
 * A raw peer linked to the servent on `port`: sends `connect`, accepts the
 * servent's answer, turns binary (inflating when `inflate`) and returns once
 * the servent's first ping has arrived.
 */
export async function linkedRawPeer(port: number, connect: string, inflate: boolean): Promise<RawPeer> {
  const p = await rawPeer(port);
  p.write(connect);
  await until(() => p.text().includes('\r\n\r\n'));
  p.write('GNUTELLA/0.6 200 OK\r\n\r\n');
  p.binary({ inflate });
  await until(() => p.descriptors.some((d) => d.type === 0x00));
  return p;
}
