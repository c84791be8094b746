import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { TestNode } from '../testnet.js';
import { portOf } from '../testnet.js';
import { chatFixture, lines, link, settle, waitUntil, type ChatFixture, type RawPeer } from './chat-net.js';

const fx = chatFixture();

/** A hand-written protocol peer that completes HELLO. */
async function rawNode(t: TestNode, node = 'evil0001'): Promise<RawPeer> {
  const p = await fx.raw(t);
  p.send(`HELLO peerdeck-chat/1 node=${node} nick=evil listen=- mesh=default\n`);
  await p.waitLine((l) => l.startsWith('HELLO '));
  return p;
}

/** Two linked nodes: `a` is under attack, `b` checks that a keeps serving. */
async function pair(extra: Parameters<ChatFixture['net']>[1] = () => ({})): Promise<[TestNode, TestNode]> {
  const net = await fx.net(2, (i) => ({ targetDegree: 0, ...extra(i) }));
  const [a, b] = net.nodes as [TestNode, TestNode];
  await link(b, a);
  return [a, b];
}

async function stillServing(a: TestNode, b: TestNode, text: string): Promise<void> {
  await a.node.run('chat', 'say', [text]);
  await waitUntil(() => lines(b).some((l) => l.text === text), 5_000, 'b still hears a');
}

function errorLine(p: RawPeer): string | undefined {
  return p.lines.find((l) => l.startsWith('ERROR :'));
}

describe('bad input closes only the offending link, with a reason', () => {
  it('an over-long line (plain peer and protocol peer)', async () => {
    const [a, b] = await pair();
    const plain = await fx.raw(a);
    const proto = await rawNode(a);
    plain.send('x'.repeat(20_000));
    proto.send('MSG ' + 'y'.repeat(20_000));
    await plain.waitClosed();
    await proto.waitClosed();
    expect(errorLine(plain)).toBe('ERROR :LINE_TOO_LONG: line longer than 16384 bytes');
    expect(errorLine(proto)).toBe('ERROR :LINE_TOO_LONG: line longer than 16384 bytes');
    await stillServing(a, b, 'after long lines');
  });

  it('binary garbage and malformed protocol lines', async () => {
    const [a, b] = await pair();
    const bin = await fx.raw(a);
    bin.socket.write(Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x0a, 0x41, 0x0a]));
    const proto = await rawNode(a);
    proto.send('MSG short 16 x 1 y :z\n');
    const early = await fx.raw(a);
    early.send('HELLO peerdeck-chat/1 node=a nick=b\n');
    for (const p of [bin, proto, early]) await p.waitClosed();
    expect(errorLine(bin)).toMatch(/^ERROR :BAD_MESSAGE: binary data/);
    expect(errorLine(proto)).toBe('ERROR :BAD_MESSAGE: MSG: bad message id');
    expect(errorLine(early)).toBe('ERROR :BAD_MESSAGE: HELLO: bad mesh name');
    expect(lines(a)).toHaveLength(0);
    await stillServing(a, b, 'after garbage');
  });

  it('a HELLO from another mesh, or from another version', async () => {
    const [a, b] = await pair();
    const p = await fx.raw(a);
    p.send('HELLO peerdeck-chat/1 node=x1 nick=m listen=- mesh=elsewhere\n');
    const v = await fx.raw(a);
    v.send('HELLO peerdeck-chat/9 node=x2 nick=m listen=- mesh=default\n');
    await p.waitClosed();
    await v.waitClosed();
    expect(p.lines).toEqual(['ERROR :WRONG_MESH: peer is in mesh "elsewhere", we are in "default"']);
    expect(v.lines).toEqual(['ERROR :PROTOCOL: HELLO: unsupported version "peerdeck-chat/9"']);
    await stillServing(a, b, 'after wrong mesh');
  });

  it('a real node of another mesh gets an error and no chat traffic', async () => {
    const net = await fx.net(2, (i) => ({ targetDegree: 0, mesh: i === 0 ? 'red' : 'blue' }));
    const [a, b] = net.nodes as [TestNode, TestNode];
    await b.node.run('chat', 'connect', [`127.0.0.1:${portOf(a, 'chat')}`]);
    await waitUntil(() => b.of('error').length === 1, 5_000, 'error event');
    expect(b.of('error')[0]!.message).toContain('WRONG_MESH');
    await a.node.run('chat', 'say', ['red only']);
    await settle(200);
    expect(lines(b)).toHaveLength(0);
    expect(a.of('peer.up')).toHaveLength(0);
  });

  it('a duplicate flooder is disconnected; the message is shown once', async () => {
    const [a, b] = await pair();
    const p = await rawNode(a);
    const line = 'MSG 00112233445566778899aabbccddeeff 16 evil0001 1700000000000 evil :again and again\n';
    p.send(line.repeat(200));
    await p.waitClosed();
    expect(errorLine(p)).toBe('ERROR :FLOOD: keeps resending messages already seen');
    expect(lines(a).filter((l) => l.text === 'again and again')).toHaveLength(1);
    await waitUntil(() => lines(b).some((l) => l.text === 'again and again'), 5_000, 'forwarded once');
    await stillServing(a, b, 'after flood');
    expect(lines(b).filter((l) => l.text === 'again and again')).toHaveLength(1);
  });

  it('a peer that never reads is closed as a slow consumer', async () => {
    const [a, b] = await pair(() => ({ queue: { highWater: 64 * 1024, lowWater: 16 * 1024, hardCap: 256 * 1024 } }));
    const p = await rawNode(a);
    p.socket.pause();
    const text = 'z'.repeat(8_000);
    for (let i = 0; i < 5_000 && !a.of('peer.down').some((d) => d.reason.startsWith('SLOW_CONSUMER')); i++) {
      await a.node.run('chat', 'say', [`${i} ${text}`]);
      if (i % 20 === 0) await new Promise((r) => setImmediate(r));
    }
    const down = a.of('peer.down').find((d) => d.reason.startsWith('SLOW_CONSUMER'));
    expect(down).toBeDefined();
    expect(down!.address).toBe(`127.0.0.1:${p.socket.localPort}`);
    await stillServing(a, b, 'after the slow consumer');
    expect(a.of('peer.down')).toHaveLength(1);
  });

  it('1,000 half-open connections each get a reason; the node keeps serving', async () => {
    const [a, b] = await pair(() => ({ timeouts: { handshakeMs: 1_500 } }));
    const port = portOf(a, 'chat');
    const results: Array<{ data: string; closed: boolean }> = [];
    const open = (): Promise<void> =>
      new Promise((resolve) => {
        const r = { data: '', closed: false };
        results.push(r);
        const s = connect({ host: '127.0.0.1', port }, () => resolve());
        fx.track(s);
        s.setEncoding('utf8');
        s.on('data', (d: string) => (r.data += d));
        s.on('error', () => resolve());
        s.on('close', () => {
          r.closed = true;
          resolve();
        });
      });
    for (let i = 0; i < 10; i++) await Promise.all(Array.from({ length: 100 }, open));
    await stillServing(a, b, 'during the storm');
    await waitUntil(() => results.every((r) => r.closed), 20_000, 'all half-open sockets closed');
    const reasons = new Map<string, number>();
    for (const r of results) {
      const e = /^ERROR :([A-Z_]+):/m.exec(r.data)?.[1] ?? 'none';
      reasons.set(e, (reasons.get(e) ?? 0) + 1);
    }
    expect(reasons.get('none')).toBeUndefined();
    // maxInbound 32, one slot is b's link: 31 wait out their handshake, the rest are refused.
    // On a loaded machine the first timeouts can free slots before the last batch arrives,
    // so more than 31 may time out; every socket still gets one of the two reasons.
    const timedOut = reasons.get('HANDSHAKE_TIMEOUT') ?? 0;
    const refused = reasons.get('LIMIT') ?? 0;
    expect(timedOut).toBeGreaterThanOrEqual(31);
    expect(refused).toBeGreaterThan(500);
    expect(timedOut + refused).toBe(1000);
    await stillServing(a, b, 'after the storm');
    expect(b.of('peer.down')).toHaveLength(0);
  });
});
