/**
 * Who gets an inbound chat slot (README "Plain peers", "Limits"): a password mesh takes no
 * plain peers, plain peers cannot take the slots kept for nodes, sockets that never say
 * HELLO are dropped oldest first and time out fast under pressure, silent plain peers give
 * their slot back, and plain peers are held to a line rate while protocol links are not.
 */
import { describe, expect, it } from 'vitest';
import { admitNode, admitPlain, countSlots, pickEviction, preHelloTimeout } from '../../protocols/chat/admission.js';
import { LineRate } from '../../protocols/chat/line-rate.js';
import type { TestNode } from '../testnet.js';
import { chatFixture, lines, link, linked, settle, waitUntil, type RawPeer } from './chat-net.js';

const fx = chatFixture();

const errorOf = (p: RawPeer): string | undefined => p.lines.find((l) => l.startsWith('ERROR :'));

describe('admission decisions', () => {
  const limits = { maxInbound: 4, maxPlain: 2, maxPending: 4, hasPassword: false };
  const l = (state: string, spoke: boolean, openedAt = 0, direction: 'in' | 'out' = 'in') => ({ state, spoke, openedAt, direction });

  it('counts slots by kind and keeps part of them for nodes', () => {
    const links = [l('ready', true), l('plain', true), l('plain', false), l('hello', false), l('ready', true, 0, 'out')];
    expect(countSlots(links)).toEqual({ nodes: 1, plain: 1, pending: 2 });
    expect(admitPlain({ nodes: 0, plain: 2, pending: 0 }, limits)?.code).toBe('LIMIT');
    expect(admitPlain({ nodes: 1, plain: 1, pending: 9 }, limits)).toBeUndefined();
    expect(admitPlain({ nodes: 0, plain: 0, pending: 0 }, { ...limits, hasPassword: true })?.code).toBe('AUTH_FAILED');
    expect(admitNode({ nodes: 2, plain: 2, pending: 0 }, limits)?.code).toBe('LIMIT');
    expect(admitNode({ nodes: 3, plain: 0, pending: 50 }, limits)).toBeUndefined();
  });

  it('drops the oldest pending link, and shortens the wait under pressure', () => {
    const links = [l('ready', true, 1), l('hello', false, 5), l('plain', false, 3), l('plain', true, 2)];
    expect(pickEviction(links)).toBe(links[2]);
    expect(pickEviction(links, links[2])).toBe(links[1]);
    expect(preHelloTimeout(1, 64, 30_000, 3_000)).toBe(30_000);
    expect(preHelloTimeout(32, 64, 30_000, 3_000)).toBe(3_000);
  });

  it('a line rate passes a burst, throttles once per episode, and cuts a peer that keeps pushing', () => {
    const r = new LineRate(2, 3, 4, 0);
    expect([r.take(0), r.take(0), r.take(0)].map((v) => v.kind)).toEqual(['pass', 'pass', 'pass']);
    expect(r.take(0)).toEqual({ kind: 'throttle', first: true });
    expect(r.take(100)).toEqual({ kind: 'throttle', first: false });
    expect(r.take(600).kind).toBe('pass'); // 0.6 s at 2/s refilled one line; the episode ends
    expect(r.take(600)).toEqual({ kind: 'throttle', first: true });
    for (let i = 0; i < 2; i++) r.take(600);
    expect(r.take(600)).toEqual({ kind: 'cut', dropped: 4 });
  });
});

describe('inbound slots over real sockets', () => {
  it('a password mesh refuses a plain peer with a one-line reason, and shows it nothing', async () => {
    const net = await fx.net(2, () => ({ targetDegree: 0, password: 'pw' }));
    const [a, b] = net.nodes as [TestNode, TestNode];
    await link(b, a);
    const talker = await fx.raw(a);
    const reader = await fx.raw(a);
    talker.send('hello from nc\n');
    await talker.waitClosed();
    expect(talker.lines).toEqual(['ERROR :AUTH_FAILED: this mesh has a password: plain peers (nc, classic clients) may only join open meshes']);
    await settle(400); // past the 300 ms plain grace: the silent reader would be a plain peer by now
    await a.node.run('chat', 'say', ['members only']);
    await waitUntil(() => lines(b).some((x) => x.text === 'members only'), 5_000, 'b hears a');
    await settle(200);
    expect(reader.lines).toEqual([]);
    expect(lines(b).map((x) => x.text)).toEqual(['members only']);
    expect(a.of('peer.up')).toHaveLength(1);
  });

  it('plain peers cannot take the slots kept for nodes', async () => {
    const net = await fx.net(2, (i) => ({ targetDegree: 0, ...(i === 0 ? { maxInbound: 3, maxPlain: 2 } : {}) }));
    const [a, b] = net.nodes as [TestNode, TestNode];
    const users = [await fx.raw(a), await fx.raw(a), await fx.raw(a)];
    for (const [i, u] of users.entries()) u.send(`line ${i}\n`);
    await users[2]!.waitClosed();
    expect(errorOf(users[2]!)).toMatch(/^ERROR :LIMIT: chat: plain peer limit \(2\) reached/);
    await link(b, a);
    expect(linked(a)).toBe(1);
    expect(users[0]!.closed || users[1]!.closed).toBe(false);
  });

  it('sockets that never say HELLO are dropped oldest first, and time out fast under pressure', async () => {
    const net = await fx.net(2, (i) => ({
      targetDegree: 0,
      ...(i === 0 ? { maxPending: 4, timeouts: { handshakeMs: 30_000, pressureHandshakeMs: 600, plainGraceMs: 30_000 } } : {}),
    }));
    const [a, b] = net.nodes as [TestNode, TestNode];
    const early = [await fx.raw(a), await fx.raw(a)]; // below pressure: the 30 s timeout
    const late = [await fx.raw(a), await fx.raw(a)]; // under pressure: 600 ms
    await Promise.all(late.map((p) => p.waitClosed(5_000)));
    expect(late.map(errorOf)).toEqual(['ERROR :HANDSHAKE_TIMEOUT: no handshake within 600 ms', 'ERROR :HANDSHAKE_TIMEOUT: no handshake within 600 ms']);
    expect(early.some((p) => p.closed)).toBe(false);
    // Fill the pool again: the newcomer that finds it full drops the oldest one.
    for (let i = 0; i < 3; i++) await fx.raw(a);
    await early[0]!.waitClosed();
    expect(errorOf(early[0]!)).toBe('ERROR :LIMIT: chat: 4 links are waiting for HELLO; the oldest is dropped');
    await link(b, a); // the pool is full, and a node still gets in at once
  });

  it('a plain peer that stops talking gives its slot back', async () => {
    const net = await fx.net(1, () => ({ timeouts: { plainIdleMs: 300, pingMs: 100 } }));
    const [a] = net.nodes as [TestNode];
    const nc = await fx.raw(a);
    nc.send('just passing\n');
    await nc.waitClosed(5_000);
    expect(errorOf(nc)).toBe('ERROR :IDLE_TIMEOUT: idle for 300 ms');
    expect(a.of('peer.down')[0]?.reason).toBe('IDLE_TIMEOUT: idle for 300 ms');
  });
});

describe('plain peers have a line rate; protocol links do not', () => {
  it('a paste-sized burst passes, more is dropped with a notice, and a flooder is cut', async () => {
    const net = await fx.net(2, (i) => ({ targetDegree: 0, ...(i === 0 ? { plainRate: { perSec: 2, burst: 5, cutAfter: 30 } } : {}) }));
    const [a, b] = net.nodes as [TestNode, TestNode];
    await link(b, a);
    const nc = await fx.raw(a);
    nc.send(Array.from({ length: 10 }, (_, i) => `paste ${i}\n`).join(''));
    await nc.waitLine((l) => l.startsWith('* too many lines'));
    await waitUntil(() => lines(b).length >= 5, 5_000, 'the burst reaches b');
    await settle(200);
    expect(lines(b).map((l) => l.text)).toEqual(['paste 0', 'paste 1', 'paste 2', 'paste 3', 'paste 4']);
    expect(a.of('notice').filter((n) => n.text.includes('sends more than 2 lines a second'))).toHaveLength(1);
    nc.send(Array.from({ length: 40 }, (_, i) => `flood ${i}\n`).join(''));
    await nc.waitClosed();
    expect(errorOf(nc)).toMatch(/^ERROR :FLOOD: more than 2 lines a second/);
    expect(a.of('notice').some((n) => n.text.includes('cut off'))).toBe(true);
    expect(a.of('peer.down').some((d) => d.reason.startsWith('FLOOD:'))).toBe(true);
    expect(lines(b).some((l) => l.text.startsWith('flood'))).toBe(false);
  });

  it('a protocol neighbour relays thousands of lines unthrottled', async () => {
    const net = await fx.net(2, (i) => ({ targetDegree: 0, ...(i === 0 ? { plainRate: { perSec: 2, burst: 5, cutAfter: 30 } } : {}) }));
    const [a, b] = net.nodes as [TestNode, TestNode];
    await link(b, a);
    const node = await fx.raw(a);
    node.send('HELLO peerdeck-chat/1 node=fastnode nick=fast listen=- mesh=default\n');
    await node.waitLine((l) => l.startsWith('HELLO '));
    const n = 3_000;
    let batch = '';
    for (let i = 0; i < n; i++) batch += `MSG ${i.toString(16).padStart(32, '0')} 16 fastnode ${Date.now()} fast :line ${i}\n`;
    node.send(batch);
    await waitUntil(() => lines(b).length === n, 20_000, 'every line reaches b');
    expect(node.closed).toBe(false);
    expect(a.of('notice')).toHaveLength(0);
  });
});
