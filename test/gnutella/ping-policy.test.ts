/**
 * Pings as gtk-gnutella answers and sends them (ping-policy.ts, spec 2.6,
 * appendix 4): the pure decisions, then real links on 127.0.0.1 with an
 * injected clock driving the servent's maintenance rounds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { encodeDescriptor } from '../../protocols/gnutella/descriptor.js';
import { decodeMessage } from '../../protocols/gnutella/messages.js';
import { ALIVE_PERIOD_LEAF_MS, ALIVE_PERIOD_MS, aliveStep, answerPing, PING_THROTTLE_LEAF_MS, PING_THROTTLE_MS, type PingIn } from '../../protocols/gnutella/ping-policy.js';
import { encodePong } from '../../protocols/gnutella/pong.js';
import { encodeQuery } from '../../protocols/gnutella/query.js';
import { startGNode, type GNode } from './gnutella-net.js';
import { leafConnect, linkedUp, rawPeer, until, upConnect, type RawPeer } from './raw-peer.js';

const muid = (n: number): Buffer => Buffer.alloc(16, n);
const ping = (n: number, ttl: number): Buffer => encodeDescriptor({ muid: muid(n), type: 0x00, ttl, hops: 0, payload: Buffer.alloc(0) });

describe('the ping decisions', () => {
  const base: PingIn = { ttl: 3, hops: 0, self: 'ultrapeer', from: 'ultrapeer', taken: 1, acceptAt: 0, now: 10_000, accepting: true };

  it('answers an alive ping with our pong alone, whatever the throttle or our state', () => {
    expect(answerPing({ ...base, ttl: 1, acceptAt: 99_999, accepting: false, self: 'leaf' })).toEqual({ kind: 'answer', own: true, cached: false, acceptAt: 99_999 });
  });

  it('takes one regular ping per 3 s, per 60 s from a leaf of ours', () => {
    expect(answerPing(base)).toEqual({ kind: 'answer', own: true, cached: true, acceptAt: 10_000 + PING_THROTTLE_MS });
    expect(answerPing({ ...base, acceptAt: 10_001 })).toEqual({ kind: 'drop' });
    expect(answerPing({ ...base, from: 'leaf' })).toMatchObject({ kind: 'answer', acceptAt: 10_000 + PING_THROTTLE_LEAF_MS });
    expect(answerPing({ ...base, self: 'leaf' })).toMatchObject({ kind: 'answer', acceptAt: 10_000 + PING_THROTTLE_MS });
  });

  it('sends our pong to a later ping only while we accept connections, and cached pongs only as an ultrapeer', () => {
    expect(answerPing({ ...base, accepting: false })).toMatchObject({ own: false, cached: true });
    expect(answerPing({ ...base, accepting: false, taken: 0 })).toMatchObject({ own: true });
    expect(answerPing({ ...base, self: 'leaf', accepting: false })).toMatchObject({ own: false, cached: false });
  });

  it('pings a link quiet for 20 s between ultrapeers, 120 s on a leaf link; Bye after 6 or 4 unanswered', () => {
    const a = { self: 'ultrapeer' as const, from: 'ultrapeer' as const, now: 100_000, quietSince: 100_000 - ALIVE_PERIOD_MS - 1, lastPingAt: -Infinity, unanswered: 0 };
    expect(aliveStep(a)).toBe('ping');
    expect(aliveStep({ ...a, quietSince: 100_000 - ALIVE_PERIOD_MS })).toBe('wait');
    expect(aliveStep({ ...a, lastPingAt: 100_000 - 5_000 })).toBe('wait');
    expect(aliveStep({ ...a, unanswered: 5 })).toBe('ping');
    expect(aliveStep({ ...a, unanswered: 6 })).toBe('bye');
    expect(aliveStep({ ...a, from: 'leaf' })).toBe('wait');
    expect(aliveStep({ ...a, self: 'leaf', quietSince: 100_000 - ALIVE_PERIOD_LEAF_MS - 1 })).toBe('ping');
    expect(aliveStep({ ...a, self: 'leaf', now: 1_000_000, quietSince: 0, unanswered: 4 })).toBe('bye');
  });
});

describe('pings on real links', () => {
  const nodes: GNode[] = [];
  const peers: RawPeer[] = [];
  afterEach(async () => {
    for (const p of peers.splice(0)) p.socket.destroy();
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });

  async function node(mode: 'leaf' | 'ultrapeer', clock: ManualClock): Promise<GNode> {
    const n = await startGNode(0, { 'song.mp3': 'x'.repeat(1000) }, { mode, maintainMs: 1_000 }, {}, clock);
    nodes.push(n);
    return n;
  }

  async function link(port: number, as: 'ultrapeer' | 'leaf'): Promise<RawPeer> {
    let p: RawPeer;
    if (as === 'ultrapeer') p = await linkedUp(port);
    else {
      p = await rawPeer(port);
      p.write(leafConnect(['Accept-Encoding: deflate']));
      await until(() => p.text().includes('\r\n\r\n'));
      p.write('GNUTELLA/0.6 200 OK\r\n\r\n');
      p.binary({ inflate: true });
    }
    peers.push(p);
    await until(() => p.descriptors.some((d) => d.type === 0x00)); // the greeting ping
    return p;
  }

  /** Sends a query that hits and waits for the hit: everything sent before it has been handled. */
  async function settle(p: RawPeer, n: number): Promise<void> {
    p.write(encodeDescriptor({ muid: muid(n), type: 0x80, ttl: 1, hops: 0, payload: encodeQuery({ text: 'song' }) }));
    await until(() => p.descriptors.some((d) => d.type === 0x81 && d.muid.equals(muid(n))));
  }

  const pongsTo = (p: RawPeer, n: number): unknown[] => p.descriptors.filter((d) => d.type === 0x01 && d.muid.equals(muid(n))).map((d) => decodeMessage(d));

  /** Feeds the node's pong cache: a pong from another host, as the answer to the node's greeting ping. */
  async function feedCache(n: GNode, p: RawPeer): Promise<void> {
    const greeting = p.descriptors.find((d) => d.type === 0x00)!;
    p.write(encodeDescriptor({ muid: greeting.muid, type: 0x01, ttl: 1, hops: 0, payload: encodePong({ port: 7777, ip: '127.0.0.9', files: 5, kbytes: 64 }) }));
    for (let i = 0; i < 200 && !/pong cache 1\b/.test((await n.node.run('gnutella', 'gstatus', [])).join('\n')); i++) await new Promise((r) => setTimeout(r, 20));
  }

  it('a leaf answers the first ping of a link with its own pong, later ones not (it takes no connections), alive pings always', async () => {
    const clock = new ManualClock();
    const leaf = await node('leaf', clock);
    const a = await link(leaf.port, 'ultrapeer');
    await feedCache(leaf, a);
    const b = await link(leaf.port, 'ultrapeer');
    b.write(ping(30, 3));
    await settle(b, 40);
    expect(pongsTo(b, 30)).toEqual([expect.objectContaining({ port: leaf.port, files: 1 })]);
    clock.advance(PING_THROTTLE_MS + 1);
    b.write(ping(31, 3));
    b.write(ping(32, 1));
    await settle(b, 41);
    expect(pongsTo(b, 31)).toEqual([]);
    expect(pongsTo(b, 32)).toEqual([expect.objectContaining({ port: leaf.port })]);
  });

  it('an ultrapeer that takes connections adds cached pongs, and takes a regular ping per 3 s (per 60 s from a leaf)', async () => {
    const clock = new ManualClock();
    const up = await node('ultrapeer', clock);
    const a = await link(up.port, 'ultrapeer');
    await feedCache(up, a);
    const b = await link(up.port, 'ultrapeer');
    b.write(ping(30, 3));
    b.write(ping(31, 3));
    await settle(b, 40);
    expect(pongsTo(b, 30)).toEqual(expect.arrayContaining([expect.objectContaining({ port: up.port }), expect.objectContaining({ ip: '127.0.0.9', port: 7777 })]));
    expect(pongsTo(b, 31)).toEqual([]);
    clock.advance(PING_THROTTLE_MS);
    b.write(ping(32, 3));
    await settle(b, 41);
    expect(pongsTo(b, 32)).toHaveLength(2);
    const leaf = await link(up.port, 'leaf');
    leaf.write(ping(33, 3));
    await until(() => pongsTo(leaf, 33).length === 2);
    clock.advance(PING_THROTTLE_MS + 1);
    leaf.write(ping(34, 3));
    leaf.write(ping(35, 1));
    await until(() => pongsTo(leaf, 35).length === 1);
    expect(pongsTo(leaf, 34)).toEqual([]);
    clock.advance(PING_THROTTLE_LEAF_MS);
    leaf.write(ping(36, 3));
    await until(() => pongsTo(leaf, 36).length === 2);
  });

  it('a leaf pings its ultrapeer after 120 s of silence, not before, and sends Bye 406 after 4 unanswered', async () => {
    const clock = new ManualClock();
    const leaf = await node('leaf', clock);
    const p = await link(leaf.port, 'ultrapeer');
    const pings = (): number => p.descriptors.filter((d) => d.type === 0x00).length;
    for (let t = 0; t < 110; t += 10) clock.advance(10_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(pings()).toBe(1);
    clock.advance(15_000);
    await until(() => pings() === 2);
    // None answered (the greeting ping counts): two more a period apart, then the Bye.
    for (let i = 0; i < 2; i++) {
      clock.advance(ALIVE_PERIOD_LEAF_MS + 1_000);
      await until(() => pings() === 3 + i);
    }
    expect(p.isClosed()).toBe(false);
    clock.advance(ALIVE_PERIOD_LEAF_MS + 1_000);
    await p.closed;
    const bye = p.descriptors.find((d) => d.type === 0x02);
    expect(bye && decodeMessage(bye)).toEqual({ kind: 'bye', code: 406, reason: 'No reply to alive pings' });
  });

  it('an ultrapeer pings another after 20 s of silence, and not while traffic comes in', async () => {
    const clock = new ManualClock();
    const up = await node('ultrapeer', clock);
    const p = await link(up.port, 'ultrapeer');
    p.write(p.descriptors.filter((d) => d.type === 0x00).map((d) => encodeDescriptor({ muid: d.muid, type: 0x01, ttl: 1, hops: 0, payload: encodePong({ port: 7000, ip: '127.0.0.8', files: 0, kbytes: 0 }) }))[0]!);
    const pings = (): number => p.descriptors.filter((d) => d.type === 0x00).length;
    for (let i = 0; i < 6; i++) {
      await settle(p, 50 + i);
      clock.advance(10_000);
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(pings()).toBe(1);
    clock.advance(ALIVE_PERIOD_MS + 2_000);
    await until(() => pings() === 2);
  });
});
