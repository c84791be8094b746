/**
 * Helpers for chat integration tests: real nodes through test/testnet.ts, each running
 * only the chat plugin on 127.0.0.1 port 0 with discovery off and short timers.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, vi } from 'vitest';
import type { EventOf } from '../../src/app-api.js';
import { createChatPlugin, type ChatOptions } from '../../protocols/chat/index.js';
import { portOf, testnet, type TestNode, type Testnet } from '../testnet.js';

export const BASE: ChatOptions = {
  port: 0,
  host: '127.0.0.1',
  discovery: false,
  perIp: 256,
  maxInbound: 32,
  timeouts: { maintenanceMs: 200, plainGraceMs: 300, handshakeMs: 5_000, dialMs: 2_000 },
};

export function chatOpts(extra: ChatOptions = {}): ChatOptions {
  return { ...BASE, ...extra, timeouts: { ...BASE.timeouts, ...extra.timeouts } };
}

/** N chat nodes; `per(i)` adds options for node i. */
export function chatNet(n: number, per: (i: number) => ChatOptions = () => ({})): Promise<Testnet> {
  return testnet(n, (i) => [createChatPlugin(chatOpts(per(i)))], { parallel: true });
}

export function addrOf(t: TestNode): string {
  return `127.0.0.1:${portOf(t, 'chat')}`;
}

/** Live chat neighbours (protocol links that finished HELLO). */
export function linked(t: TestNode): number {
  return t.node.peers().filter((p) => p.protocol === 'chat' && p.nick !== '(handshake)' && !p.nick?.endsWith('(plain)')).length;
}

/** Dials b from a and waits until both see the link. */
export async function link(a: TestNode, b: TestNode): Promise<void> {
  const before = linked(a);
  await a.node.run('chat', 'connect', [addrOf(b)]);
  await vi.waitFor(() => {
    if (linked(a) <= before) throw new Error('not linked yet');
  }, { timeout: 5_000, interval: 10 });
}

export function lines(t: TestNode, kind: EventOf<'chat.line'>['kind'] = 'msg'): EventOf<'chat.line'>[] {
  return t.of('chat.line').filter((e) => e.kind === kind);
}

export function waitUntil(pred: () => boolean, timeout = 10_000, what = 'condition'): Promise<void> {
  return vi.waitFor(() => {
    if (!pred()) throw new Error(`${what} not met`);
  }, { timeout, interval: 10 });
}

/** Lets in-flight traffic land before asserting that something did NOT happen. */
export function settle(ms = 300): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A raw TCP client (a `nc` user or a hand-written peer) that records what it receives. */
export interface RawPeer {
  socket: Socket;
  /** Complete lines received so far. */
  lines: string[];
  closed: boolean;
  send(s: string): void;
  waitLine(pred: (l: string) => boolean, timeout?: number): Promise<string>;
  waitClosed(timeout?: number): Promise<void>;
}

export function wrapSocket(socket: Socket): RawPeer {
  let buf = '';
  const peer: RawPeer = {
    socket,
    lines: [],
    closed: false,
    send: (s) => void socket.write(s),
    waitLine: async (pred, timeout = 5_000) => {
      let hit: string | undefined;
      await waitUntil(() => (hit = peer.lines.find(pred)) !== undefined, timeout, 'raw line');
      return hit as unknown as string;
    },
    waitClosed: (timeout = 5_000) => waitUntil(() => peer.closed, timeout, 'raw close'),
  };
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i !== -1; i = buf.indexOf('\n')) {
      peer.lines.push(buf.slice(0, i).replace(/\r$/, ''));
      buf = buf.slice(i + 1);
    }
  });
  socket.on('error', () => undefined);
  socket.on('close', () => (peer.closed = true));
  return peer;
}

export function rawConnect(port: number): Promise<RawPeer> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(wrapSocket(s)));
    s.once('error', reject);
  });
}

/** A raw socket that has said HELLO as node `node` (nick the same, no listen port) and got the node's HELLO back. */
export async function rawHello(port: number, node: string): Promise<RawPeer> {
  const r = await rawConnect(port);
  r.send(`HELLO peerdeck-chat/1 node=${node} nick=${node} listen=- mesh=default\n`);
  await r.waitLine((l) => l.startsWith('HELLO '));
  return r;
}

/** One test file's chat net and raw peers (see `chatFixture`). */
export interface ChatFixture {
  /** Starts `n` chat nodes (as `chatNet`), stopped after the test. */
  net(n: number, opts?: Parameters<typeof chatNet>[1]): Promise<Testnet>;
  /** A raw TCP peer on a node's chat port that has said nothing yet, destroyed after the test. */
  raw(t: TestNode): Promise<RawPeer>;
  /** A raw protocol peer that has completed HELLO as `node` (`rawHello`), destroyed after the test. */
  hello(t: TestNode, node: string): Promise<RawPeer>;
  /** Any other socket to destroy after the test. */
  track(s: Socket): void;
}

/**
 * Registers, for the calling test file, an afterEach that destroys every raw
 * peer and socket a test opened and stops the net it started.
 */
export function chatFixture(): ChatFixture {
  let current: Testnet | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await current?.stop();
    current = undefined;
  });
  const keep = (r: RawPeer): RawPeer => (sockets.push(r.socket), r);
  return {
    net: async (n, opts) => (current = await chatNet(n, opts)),
    raw: async (t) => keep(await rawConnect(portOf(t, 'chat'))),
    hello: async (t, node) => keep(await rawHello(portOf(t, 'chat'), node)),
    track: (s) => void sockets.push(s),
  };
}
