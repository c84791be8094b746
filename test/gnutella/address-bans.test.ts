/**
 * After `Bye 412 Security violation` the address is banned as gtk-gnutella bans it
 * (address-bans.ts): Gnutella connects held unanswered for 1 h and HTTP requests for
 * 3 h, every 15th told `429 IP with Gnutella security violations`; then `550 Shunned
 * IP address` until about 12 h have passed; other addresses pass all along.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddressBans, BAN_REMIND, FIRST_BAN_MS, GNET_BAN_MS, HTTP_BAN_MS, MAX_BANNED_ADDRESSES, SHUN_MS, bannedHttpResponse, shortTime } from '../../protocols/gnutella/address-bans.js';
import { encodeDescriptor } from '../../protocols/gnutella/descriptor.js';
import { decodeMessage } from '../../protocols/gnutella/messages.js';
import { encodeQueryHit } from '../../protocols/gnutella/query-hit.js';
import { MAX_HELD_PER_IP } from '../../protocols/gnutella/tarpit.js';
import { LeapClock } from '../leap-clock.js';
import { startGNode, type GNode } from './gnutella-net.js';
import { rawPeer, until, upConnect, type RawPeer } from './raw-peer.js';

const T0 = 1_000_000;

describe('the ban table', () => {
  it('holds 14 attempts at a door and answers the 15th with 429, each door counted apart', () => {
    const b = new AddressBans();
    b.record('10.0.0.1', T0);
    for (let i = 1; i < BAN_REMIND; i++) expect(b.check('10.0.0.1', 'gnutella', T0 + i)).toEqual({ kind: 'hold' });
    expect(b.check('10.0.0.1', 'gnutella', T0 + 20)).toEqual({ kind: 'refuse', code: 429, reason: 'IP with Gnutella security violations' });
    expect(b.check('10.0.0.1', 'gnutella', T0 + 21)).toEqual({ kind: 'hold' });
    for (let i = 1; i < BAN_REMIND; i++) expect(b.check('10.0.0.1', 'http', T0)).toEqual({ kind: 'hold' });
    expect(b.check('10.0.0.1', 'http', T0 + 1000)).toEqual({ kind: 'refuse', code: 429, reason: 'IP with Gnutella security violations', retryAfterS: HTTP_BAN_MS / 1000 - 1 });
    expect(b.check('10.0.0.2', 'gnutella', T0)).toEqual({ kind: 'pass' });
  });

  it('shuns the address with 550 once a ban ends, and forgets it after about 12 hours', () => {
    const b = new AddressBans();
    b.record('10.0.0.1', T0);
    const shunned = { kind: 'refuse', code: 550, reason: 'Shunned IP address' };
    expect(b.check('10.0.0.1', 'gnutella', T0 + GNET_BAN_MS)).toEqual(shunned);
    expect(b.check('10.0.0.1', 'http', T0 + GNET_BAN_MS)).toEqual({ kind: 'hold' });
    expect(b.check('10.0.0.1', 'http', T0 + HTTP_BAN_MS)).toEqual(shunned);
    expect(b.count(T0 + SHUN_MS - 1)).toBe(1);
    expect(b.check('10.0.0.1', 'gnutella', T0 + SHUN_MS)).toEqual({ kind: 'pass' });
    expect(b.count(T0 + SHUN_MS)).toBe(0);
  });

  it("bans for hammering as gtk-gnutella's ban_allow: the 3rd connect (6th HTTP request) within a minute, 5 minutes, doubling", () => {
    const b = new AddressBans();
    expect(b.check('10.0.0.9', 'gnutella', T0)).toEqual({ kind: 'pass' });
    expect(b.check('10.0.0.9', 'gnutella', T0 + 1000)).toEqual({ kind: 'pass' });
    expect(b.check('10.0.0.9', 'gnutella', T0 + 2000)).toEqual({ kind: 'refuse', code: 429, reason: 'Banned for 5m 0s' });
    for (let i = 1; i < BAN_REMIND; i++) expect(b.check('10.0.0.9', 'gnutella', T0 + 3000)).toEqual({ kind: 'hold' });
    expect(b.check('10.0.0.9', 'gnutella', T0 + 62_000)).toEqual({ kind: 'refuse', code: 429, reason: 'Banned for 4m 0s' });
    // Attempts during the ban count: right after it, the next one is banned again, twice as long.
    expect(b.check('10.0.0.9', 'gnutella', T0 + 2000 + FIRST_BAN_MS)).toEqual({ kind: 'refuse', code: 429, reason: 'Banned for 10m 0s' });
    // Slow enough: never banned. HTTP allows 5 a minute, and says Retry-After.
    for (let i = 0; i < 10; i++) expect(b.check('10.0.0.8', 'gnutella', T0 + i * 31_000).kind).toBe('pass');
    for (let i = 0; i < 5; i++) expect(b.check('10.0.0.7', 'http', T0).kind).toBe('pass');
    expect(b.check('10.0.0.7', 'http', T0)).toEqual({ kind: 'refuse', code: 429, reason: 'Banned for 5m 0s', retryAfterS: 300 });
    // Without the rate (loopback), nothing is counted.
    for (let i = 0; i < 10; i++) expect(b.check('127.0.0.1', 'gnutella', T0, false).kind).toBe('pass');
    expect(shortTime(45)).toBe('45s');
    expect(shortTime(60)).toBe('60s');
    expect(shortTime(3600)).toBe('60m 0s');
    expect(shortTime(3601)).toBe('1h 0m');
    expect(shortTime(90_000)).toBe('1d 1h');
  });

  it('keeps at most MAX_BANNED_ADDRESSES, dropping the expired first, then the oldest ban', () => {
    const b = new AddressBans();
    b.record('9.9.9.9', T0 - SHUN_MS); // long expired
    for (let i = 0; i < MAX_BANNED_ADDRESSES - 1; i++) b.record(`10.0.${i >> 8}.${i & 255}`, T0 + i);
    b.record('11.0.0.1', T0 + 5000);
    expect(b.count(T0 + 5000)).toBe(MAX_BANNED_ADDRESSES);
    expect(b.check('10.0.0.0', 'gnutella', T0 + 5001).kind).toBe('hold');
    b.record('11.0.0.2', T0 + 5001);
    expect(b.count(T0 + 5001)).toBe(MAX_BANNED_ADDRESSES);
    expect(b.check('10.0.0.0', 'gnutella', T0 + 5002)).toEqual({ kind: 'pass' });
    expect(b.check('11.0.0.2', 'gnutella', T0 + 5002).kind).toBe('hold');
  });

  it("writes gtk-gnutella's HTTP refusal", () => {
    expect(bannedHttpResponse({ code: 429, reason: 'IP with Gnutella security violations', retryAfterS: 10799 }, 'peerdeck/0.1', Date.UTC(2026, 11, 1, 6, 0, 0))).toBe(
      'HTTP/1.1 429 IP with Gnutella security violations\r\nServer: peerdeck/0.1\r\nDate: Tue, 01 Dec 2026 06:00:00 GMT\r\nConnection: close\r\nRetry-After: 10799\r\n\r\n',
    );
  });
});

const weirdHit = (n: number): Buffer =>
  encodeDescriptor({
    muid: Buffer.alloc(16, n),
    type: 0x81,
    ttl: 4,
    hops: 0,
    payload: encodeQueryHit({ port: 6346, ip: '127.0.0.1', speed: 100, results: [{ index: 1, size: 10, name: 'x.txt' }], vendor: 'TEST', push: false, busy: false, uploaded: false, serventGuid: Buffer.alloc(16, 0xb0 + n) }),
  });

describe('a servent that sent Bye 412', () => {
  const clock = new LeapClock();
  let leaf: GNode;
  beforeAll(async () => {
    leaf = await startGNode(0, {}, { links: 10 }, {}, clock);
  });
  afterAll(async () => {
    await leaf.stop();
  });

  const quiet = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  async function knock(block: string, from?: string): Promise<RawPeer> {
    const p = await rawPeer(leaf.port, from);
    p.write(block);
    return p;
  }

  const refusal = (code: number, reason: string, ip = '127.0.0.1'): string => `GNUTELLA/0.6 ${code} ${reason}\r\nUser-Agent: peerdeck/0.1\r\nRemote-IP: ${ip}\r\n\r\n`;

  it('holds the next connects from that address unanswered, answers the 15th with 429, and takes other addresses', async () => {
    const p = await knock(upConnect([`GUID: ${'aa'.repeat(16)}`]));
    await until(() => p.text().includes('\r\n\r\n'));
    p.write('GNUTELLA/0.6 200 OK\r\n\r\n');
    p.binary();
    for (let i = 0; i < 5; i++) p.write(weirdHit(i));
    await p.closed;
    const bye = p.descriptors.find((d) => d.type === 0x02);
    expect(bye && decodeMessage(bye)).toEqual({ kind: 'bye', code: 412, reason: 'Security violation' });

    const held: RawPeer[] = [];
    for (let i = 1; i < BAN_REMIND; i++) held.push(await knock(upConnect()));
    await quiet(400);
    // Nothing said to any; the newest are still held open (the oldest closed to make room).
    expect(held.every((h) => h.text() === '')).toBe(true);
    expect(held.slice(-MAX_HELD_PER_IP).every((h) => !h.isClosed())).toBe(true);
    expect(held.filter((h) => !h.isClosed()).length).toBeLessThanOrEqual(MAX_HELD_PER_IP);

    const told = await knock(upConnect());
    await told.closed;
    expect(told.text()).toBe(refusal(429, 'IP with Gnutella security violations'));

    const other = await knock(upConnect(), '127.0.0.2');
    await until(() => other.text().includes('\r\n\r\n'));
    expect(other.text()).toMatch(/^GNUTELLA\/0\.6 200 /);
    for (const h of [...held, other]) h.socket.destroy();
  });

  it('holds HTTP requests too, and says 429 with Retry-After on the 15th', async () => {
    const get = 'GET /uri-res/N2R?urn:sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5 HTTP/1.1\r\nHost: x\r\n\r\n';
    const held: RawPeer[] = [];
    for (let i = 1; i < BAN_REMIND; i++) held.push(await knock(get));
    await quiet(300);
    expect(held.every((h) => h.text() === '')).toBe(true);
    const told = await knock(get);
    await told.closed;
    expect(told.text()).toMatch(/^HTTP\/1\.1 429 IP with Gnutella security violations\r\nServer: peerdeck\/0\.1\r\nDate: [^\r]+ GMT\r\nConnection: close\r\nRetry-After: (\d+)\r\n\r\n$/);
    const secs = Number(/Retry-After: (\d+)/.exec(told.text())![1]);
    expect(secs).toBeGreaterThan(HTTP_BAN_MS / 1000 - 60);
    expect(secs).toBeLessThanOrEqual(HTTP_BAN_MS / 1000);
    for (const h of held) h.socket.destroy();
  });

  it('after the hour says 550 Shunned IP address, and after about 12 hours takes the address again', async () => {
    clock.leap(GNET_BAN_MS);
    const shunned = await knock(upConnect());
    await shunned.closed;
    expect(shunned.text()).toBe(refusal(550, 'Shunned IP address'));
    clock.leap(SHUN_MS - GNET_BAN_MS);
    const back = await knock(upConnect());
    await until(() => back.text().includes('\r\n\r\n'));
    expect(back.text()).toMatch(/^GNUTELLA\/0\.6 200 /);
    back.socket.destroy();
  });
});

describe('a servent hammered from one address', () => {
  const clock = new LeapClock();
  let node: GNode;
  beforeAll(async () => {
    node = await startGNode(0, {}, { links: 10, rateLimitLoopback: true }, {}, clock);
  });
  afterAll(async () => {
    await node.stop();
  });

  const connect = async (from?: string): Promise<RawPeer> => {
    const p = await rawPeer(node.port, from);
    p.write(upConnect());
    return p;
  };

  it("answers the 3rd connect in a minute '429 Banned for 5m 0s', holds the next, takes other addresses, and takes it again after the ban", async () => {
    const ok = [await connect(), await connect()];
    for (const p of ok) await until(() => p.text().includes('\r\n\r\n'));
    expect(ok.map((p) => p.text().split('\r\n')[0])).toEqual(['GNUTELLA/0.6 200 OK', 'GNUTELLA/0.6 200 OK']);
    const third = await connect();
    await third.closed;
    expect(third.text()).toBe('GNUTELLA/0.6 429 Banned for 5m 0s\r\nUser-Agent: peerdeck/0.1\r\nRemote-IP: 127.0.0.1\r\n\r\n');
    const held = await connect();
    await new Promise((r) => setTimeout(r, 300));
    expect(held.text()).toBe('');
    expect(held.isClosed()).toBe(false);
    const other = await connect('127.0.0.2');
    await until(() => other.text().includes('\r\n\r\n'));
    expect(other.text()).toMatch(/^GNUTELLA\/0\.6 200 /);
    for (const p of [...ok, held, other]) p.socket.destroy();
    clock.leap(FIRST_BAN_MS);
    const again = await connect();
    await until(() => again.text().includes('\r\n\r\n'));
    expect(again.text()).toMatch(/^GNUTELLA\/0\.6 200 /);
    again.socket.destroy();
  });

  it('answers the 6th HTTP request in a minute with 429 and Retry-After', async () => {
    const get = 'GET /uri-res/N2R?urn:sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
    for (let i = 0; i < 5; i++) {
      const p = await rawPeer(node.port, '127.0.0.3');
      p.write(get);
      await p.closed;
      expect(p.text()).toMatch(/^HTTP\/1\.1 404 /);
    }
    const p = await rawPeer(node.port, '127.0.0.3');
    p.write(get);
    await p.closed;
    expect(p.text()).toMatch(/^HTTP\/1\.1 429 Banned for 5m 0s\r\nServer: peerdeck\/0\.1\r\nDate: [^\r]+\r\nConnection: close\r\nRetry-After: 300\r\n\r\n$/);
  });
});
