import { setMaxListeners } from 'node:events';
import { Socket } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { NetError } from '../../src/errors.js';
import { FirewallState, INBOUND_FRESH_MS, provesReachable, type FirewallReason } from '../../protocols/gnutella/firewall-state.js';
import { MAX_PENDING_PUSHES, PendingPushes } from '../../protocols/gnutella/pending-pushes.js';
import { decidePush, MAX_CALLBACKS_IN_FLIGHT } from '../../protocols/gnutella/push-callback.js';
import { parsePushProxyRequest, pushProxyTarget } from '../../protocols/gnutella/push-proxy-http.js';
import { decodePushVendor, encodeConnectBack, encodePushProxyAck, encodePushProxyRequest } from '../../protocols/gnutella/push-vendor.js';
import { decodeVendor } from '../../protocols/gnutella/vendor.js';
import { parseGnutellaFlags } from '../../protocols/gnutella/flags.js';
import { RequestRate } from '../../protocols/gnutella/request-rate.js';

const GUID = Buffer.from('0123456789ABCDEFFF0000000000AA00', 'hex');

describe('push vendor messages (spec 2.11)', () => {
  it('round-trip BEAR/7v1, LIME/21v1 and LIME/22v2 with their exact bytes', () => {
    expect(encodeConnectBack(6346).toString('hex')).toBe('42454152070001' + '00' + 'ca18');
    expect(decodePushVendor(decodeVendor(encodeConnectBack(6346)))).toEqual({ kind: 'connect-back', port: 6346 });
    expect(encodePushProxyRequest().toString('hex')).toBe('4c494d4515000100');
    expect(decodePushVendor(decodeVendor(encodePushProxyRequest()))).toEqual({ kind: 'proxy-request' });
    const ack = encodePushProxyAck('192.0.2.5', 6346);
    expect(ack.toString('hex')).toBe('4c494d4516000200' + 'c0000205' + 'ca18');
    expect(decodePushVendor(decodeVendor(ack))).toEqual({ kind: 'proxy-ack', ip: '192.0.2.5', port: 6346 });
  });

  it('a LIME/22v1 carries only the port; short bodies and port 0 are BAD_MESSAGE; other messages are not ours', () => {
    expect(decodePushVendor({ kind: 'vendor', vendor: 'LIME', selector: 22, version: 1, body: Buffer.from([0xca, 0x18]) })).toEqual({ kind: 'proxy-ack', port: 6346 });
    expect(() => decodePushVendor({ kind: 'vendor', vendor: 'LIME', selector: 22, version: 2, body: Buffer.alloc(5) })).toThrowError(expect.objectContaining({ code: 'BAD_MESSAGE' }));
    expect(() => decodePushVendor({ kind: 'vendor', vendor: 'BEAR', selector: 7, version: 1, body: Buffer.alloc(2) })).toThrowError(expect.objectContaining({ code: 'BAD_MESSAGE' }));
    expect(decodePushVendor({ kind: 'vendor', vendor: 'BEAR', selector: 4, version: 1, body: Buffer.alloc(1) })).toBeUndefined();
    expect(decodePushVendor({ kind: 'vendor', vendor: 'GTKG', selector: 7, version: 2, body: Buffer.alloc(2, 1) })).toBeUndefined();
  });

  it('random bodies give a message, undefined or a NetError (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('BEAR', 'LIME', 'GTKG'), fc.nat({ max: 30 }), fc.nat({ max: 3 }), fc.uint8Array({ maxLength: 12 }), (vendor, selector, version, body) => {
        try {
          decodePushVendor({ kind: 'vendor', vendor, selector, version, body: Buffer.from(body) });
        } catch (err) {
          expect(err).toBeInstanceOf(NetError);
        }
      }),
    );
  });
});

describe('push-proxy requests (spec 4.3)', () => {
  it('sends exactly ServerId= with the 26-character base32 GUID (vector 7.1)', () => {
    expect(pushProxyTarget(GUID)).toBe('/gnutella/push-proxy?ServerId=AERUKZ4JVPG677YAAAAAAAFKAA');
  });

  it('reads every spelling: ServerId in any case, padded base32, /gnet/ with hex, file=, X-Node', () => {
    const node = '127.0.0.1:6346';
    for (const target of [
      '/gnutella/push-proxy?ServerId=AERUKZ4JVPG677YAAAAAAAFKAA',
      '/gnutella/push-proxy?ServerID=AERUKZ4JVPG677YAAAAAAAFKAA',
      '/gnutella/pushproxy?serverid=aerukz4jvpg677yaaaaaaafkaa',
      '/gnutella/push-proxy?ServerId=AERUKZ4JVPG677YAAAAAAAFKAA======',
      '/gnet/push-proxy?guid=0123456789abcdefff0000000000aa00',
    ]) {
      const r = parsePushProxyRequest(target, node);
      expect(r, target).toMatchObject({ kind: 'push', index: 0, node: { ip: '127.0.0.1', port: 6346 } });
      expect(r?.kind === 'push' && r.guid.equals(GUID), target).toBe(true);
    }
    expect(parsePushProxyRequest('/gnutella/push-proxy?ServerId=AERUKZ4JVPG677YAAAAAAAFKAA&file=12', node)).toMatchObject({ kind: 'push', index: 12 });
  });

  it('refuses a missing X-Node, a bad GUID or index; ignores other paths', () => {
    expect(parsePushProxyRequest('/gnutella/push-proxy?ServerId=AERUKZ4JVPG677YAAAAAAAFKAA', undefined)).toMatchObject({ kind: 'bad' });
    expect(parsePushProxyRequest('/gnutella/push-proxy?ServerId=AERUKZ4JVPG677YAAAAAAAFKAA', '1.2.3.4:0')).toMatchObject({ kind: 'bad' });
    expect(parsePushProxyRequest('/gnutella/push-proxy?ServerId=AERU', '1.2.3.4:5')).toMatchObject({ kind: 'bad' });
    expect(parsePushProxyRequest('/gnutella/push-proxy?ServerId=AERUKZ4JVPG677YAAAAAAAFKA1', '1.2.3.4:5')).toMatchObject({ kind: 'bad' });
    expect(parsePushProxyRequest('/gnutella/push-proxy?ServerId=AERUKZ4JVPG677YAAAAAAAFKAA&file=x', '1.2.3.4:5')).toMatchObject({ kind: 'bad' });
    expect(parsePushProxyRequest(`/gnutella/push-proxy?ServerId=AERUKZ4JVPG677YAAAAAAAFKAA&x=${'a'.repeat(600)}`, '1.2.3.4:5')).toMatchObject({ kind: 'bad' });
    expect(parsePushProxyRequest('/uri-res/N2R?urn:sha1:X', '1.2.3.4:5')).toBeUndefined();
  });

  it('random request targets never throw (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.option(fc.string({ maxLength: 40 })), (tail, xNode) => {
        const r = parsePushProxyRequest(`/gnutella/push-proxy?${tail}`, xNode ?? undefined);
        expect(r?.kind === 'push' || r?.kind === 'bad').toBe(true);
      }),
    );
  });
});

describe('firewalled state (spec 4.1)', () => {
  function state(forced = false): { fw: FirewallState; clock: ManualClock; changes: Array<[boolean, FirewallReason['kind']]> } {
    const clock = new ManualClock();
    const changes: Array<[boolean, FirewallReason['kind']]> = [];
    const fw = new FirewallState(forced, () => clock.now(), (f, r) => changes.push([f, r.kind]));
    return { fw, clock, changes };
  }

  it('is firewalled until an incoming connection from the network we advertise, then again after 30 minutes without one', () => {
    const { fw, clock, changes } = state();
    expect(fw.firewalled).toBe(true);
    expect(fw.describe()).toMatch(/no incoming connection yet/);
    fw.inbound('127.0.0.1', 'incoming connection', '203.0.113.9');
    expect(fw.firewalled).toBe(true);
    fw.inbound('198.51.100.7', 'connect-back', '203.0.113.9');
    expect(fw.firewalled).toBe(false);
    expect(fw.describe()).toBe('not firewalled: connect-back from 198.51.100.7');
    clock.advance(INBOUND_FRESH_MS - 1);
    fw.check();
    expect(fw.firewalled).toBe(false);
    clock.advance(1);
    fw.check();
    expect(fw.firewalled).toBe(true);
    expect(fw.describe()).toMatch(/no incoming connection for 30 minutes \(the last came from 198\.51\.100\.7\)/);
    expect(changes).toEqual([
      [false, 'inbound'],
      [true, 'stale'],
    ]);
  });

  it('loopback counts only when we advertise loopback; forced stays firewalled whatever comes in', () => {
    expect(provesReachable('127.0.0.1', '127.0.0.1')).toBe(true);
    expect(provesReachable('127.0.0.1', undefined)).toBe(false);
    expect(provesReachable('::ffff:127.0.0.1', '10.0.0.2')).toBe(false);
    expect(provesReachable('10.0.0.3', undefined)).toBe(true);
    const { fw, changes } = state(true);
    fw.inbound('198.51.100.7', 'incoming connection', undefined);
    expect(fw.firewalled).toBe(true);
    expect(fw.describe()).toBe('firewalled: forced by --gnutella-firewalled');
    expect(changes).toEqual([]);
  });
});

describe('pending pushes', () => {
  const giv = (guid: Buffer, index: number) => ({ socket: new Socket(), head: Buffer.alloc(0), giv: { index, serventGuid: guid, name: 'file' } });

  it('a GIV goes to the waiter for its GUID, the same index first; an unknown GUID is unmatched', async () => {
    const clock = new ManualClock();
    const p = new PendingPushes(clock);
    const ac = new AbortController();
    const other = Buffer.alloc(16, 7);
    const w1 = p.wait(GUID.toString('hex'), 1, 1_000, ac.signal, () => NetError.timeout('x', 1));
    const w2 = p.wait(GUID.toString('hex').toUpperCase(), 2, 1_000, ac.signal, () => NetError.timeout('x', 1));
    expect(p.offer(giv(other, 1))).toBe('unmatched');
    expect(p.offer(giv(GUID, 2))).toBe('matched');
    expect((await w2).giv.index).toBe(2);
    expect(p.offer(giv(GUID, 0))).toBe('matched'); // LimeWire's index 0 still finds the waiter
    expect((await w1).giv.index).toBe(0);
    expect(p.size).toBe(0);
    expect([p.matched, p.unmatched]).toEqual([2, 1]);
  });

  it('every wait ends: by timeout, by abort, at stop; the table is capped', async () => {
    const clock = new ManualClock();
    const p = new PendingPushes(clock);
    const ac = new AbortController();
    const timed = p.wait('aa', 1, 1_000, new AbortController().signal, () => NetError.timeout('push', 1_000));
    const aborted = p.wait('bb', 1, 60_000, ac.signal, () => NetError.timeout('push', 1_000));
    clock.advance(1_000);
    await expect(timed).rejects.toMatchObject({ code: 'TIMEOUT' });
    ac.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'CLOSED' });
    const keep = new AbortController();
    // One signal for every wait here (a download has its own): as many listeners as waits, not a leak.
    setMaxListeners(MAX_PENDING_PUSHES + 1, keep.signal);
    const many = Array.from({ length: MAX_PENDING_PUSHES }, (_, i) => p.wait(`c${i}`, 1, 60_000, keep.signal, () => NetError.timeout('x', 1)));
    await expect(p.wait('dd', 1, 1_000, keep.signal, () => NetError.timeout('x', 1))).rejects.toMatchObject({ code: 'LIMIT' });
    p.close();
    for (const w of many) await expect(w).rejects.toMatchObject({ code: 'CLOSED' });
    expect(p.size).toBe(0);
  });
});

describe('answering a Push for us', () => {
  it('never calls back 0.0.0.0, port 0 or multicast; not twice at once; not past the cap', () => {
    expect(decidePush({ ip: '0.0.0.0', port: 1, index: 0 }, new Set())).toEqual({ kind: 'drop', reason: 'bad-address' });
    expect(decidePush({ ip: '1.2.3.4', port: 0, index: 0 }, new Set())).toEqual({ kind: 'drop', reason: 'bad-address' });
    expect(decidePush({ ip: '239.1.1.1', port: 5, index: 0 }, new Set())).toEqual({ kind: 'drop', reason: 'bad-address' });
    expect(decidePush({ ip: '127.0.0.1', port: 5, index: 3 }, new Set(['127.0.0.1:5/3']))).toEqual({ kind: 'drop', reason: 'repeat' });
    const full = new Set(Array.from({ length: MAX_CALLBACKS_IN_FLIGHT }, (_, i) => `k${i}`));
    expect(decidePush({ ip: '127.0.0.1', port: 5, index: 3 }, full)).toEqual({ kind: 'drop', reason: 'busy' });
    expect(decidePush({ ip: '127.0.0.1', port: 5, index: 3 }, new Set())).toEqual({ kind: 'call-back', target: { ip: '127.0.0.1', port: 5 }, key: '127.0.0.1:5/3' });
  });
});

describe('--gnutella-firewalled', () => {
  it('forces the firewalled state; absent, nothing is forced', () => {
    expect(parseGnutellaFlags({ gnutella: true, 'gnutella-firewalled': true })?.firewalled).toBe(true);
    expect(parseGnutellaFlags({ gnutella: true })?.firewalled).toBeUndefined();
    expect(() => parseGnutellaFlags({ 'gnutella-firewalled': true })).toThrowError(/--gnutella-firewalled needs --gnutella/);
  });
});

describe('request rate per address', () => {
  it('allows N a window per address, starts over with the next window, and forgets the least recent address past its cap', () => {
    const r = new RequestRate(2, 1_000, 3);
    expect([r.take('a', 0), r.take('a', 10), r.take('a', 20), r.take('b', 20)]).toEqual([true, true, false, true]);
    expect(r.take('a', 1_000)).toBe(true);
    r.take('c', 1_001);
    r.take('d', 1_002); // 'b' is forgotten: it starts over
    expect(r.size).toBe(3);
    expect([r.take('b', 1_003), r.take('b', 1_004), r.take('b', 1_005)]).toEqual([true, true, false]);
  });
});
