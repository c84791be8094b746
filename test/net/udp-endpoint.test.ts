import { describe, expect, it } from 'vitest';
import type { UdpPeer } from '../../src/net/udp-endpoint.js';
import { managersClosedAfterEach, waitUntil } from './helpers.js';

const manager = managersClosedAfterEach();

describe('UdpEndpoint (a plugin-owned UDP socket)', () => {
  it('exchanges datagrams on loopback, drops oversized ones and survives a throwing handler', async () => {
    const m = manager();
    const got: Array<{ msg: string; from: UdpPeer }> = [];
    const a = await m.udp('a', {
      port: 0,
      host: '127.0.0.1',
      maxDatagram: 100,
      onMessage: (msg, from) => {
        if (msg.toString() === 'boom') throw new Error('handler bug');
        got.push({ msg: msg.toString(), from });
      },
    });
    const b = await m.udp('b', { port: 0, host: '127.0.0.1', onMessage: () => undefined });
    expect(b.send(Buffer.from('boom'), '127.0.0.1', a.port)).toBe(true);
    b.send(Buffer.alloc(500, 1), '127.0.0.1', a.port);
    b.send(Buffer.from('hello'), '127.0.0.1', a.port);
    await waitUntil(() => got.length === 1);
    expect(got[0]).toEqual({ msg: 'hello', from: { address: '127.0.0.1', port: b.port } });
    await waitUntil(() => a.dropped === 2);
  });

  it('caps the send rate and refuses after close', async () => {
    const m = manager();
    const a = await m.udp('a', { port: 0, host: '127.0.0.1', maxSendPerSecond: 5, onMessage: () => undefined });
    const sent = Array.from({ length: 20 }, () => a.send(Buffer.from('x'), '127.0.0.1', a.port)).filter(Boolean).length;
    expect(sent).toBe(5);
    await a.close();
    expect(a.send(Buffer.from('x'), '127.0.0.1', 9)).toBe(false);
  });

  it('binding a port in use rejects with a NetError', async () => {
    const m = manager();
    const a = await m.udp('a', { port: 0, host: '127.0.0.1', onMessage: () => undefined });
    await expect(m.udp('b', { port: a.port, host: '127.0.0.1', onMessage: () => undefined })).rejects.toMatchObject({ name: 'NetError' });
  });
});
