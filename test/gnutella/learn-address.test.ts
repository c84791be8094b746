import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DescriptorDecoder } from '../../protocols/gnutella/descriptor-decoder.js';
import { encodeDescriptor, type Descriptor } from '../../protocols/gnutella/descriptor.js';
import { AddressVote, asIpv4 } from '../../protocols/gnutella/address-vote.js';
import { decodeMessage } from '../../protocols/gnutella/messages.js';
import { decodeAll } from '../../src/codec/decoder.js';
import { startGNode } from './gnutella-net.js';
import { gstatus } from './gstatus.js';
import { until } from './raw-peer.js';

describe('the address we advertise, from peers\' Remote-IP, by vote (spec 1.3, 4.1)', () => {
  it('takes an address only when two peers from different networks report it', () => {
    const v = new AddressVote();
    expect(v.report('198.51.100.7', '203.0.113.1')).toEqual({ address: undefined, changed: false, votes: 1 });
    // The same peer again, or another in its /16, is still one vote.
    expect(v.report('198.51.100.7', '203.0.113.1').votes).toBe(1);
    expect(v.report('198.51.100.7', '203.0.200.9').votes).toBe(1);
    expect(v.current).toBeUndefined();
    expect(v.report('198.51.100.7', '192.0.2.5')).toEqual({ address: '198.51.100.7', changed: true, votes: 2 });
    expect(v.current).toBe('198.51.100.7');
  });

  it('one peer cannot move an address others agreed on; two can (our address changed)', () => {
    const v = new AddressVote();
    v.report('198.51.100.7', '203.0.113.1');
    v.report('198.51.100.7', '192.0.2.5');
    expect(v.report('203.0.113.99', '100.64.0.1').changed).toBe(false);
    expect(v.current).toBe('198.51.100.7');
    expect(v.report('203.0.113.99', '198.18.0.1')).toMatchObject({ address: '203.0.113.99', changed: true });
  });

  it('a voter that changes its mind has one vote, for its last address', () => {
    const v = new AddressVote();
    v.report('198.51.100.7', '203.0.113.1');
    v.report('198.51.100.8', '203.0.113.1');
    expect(v.report('198.51.100.7', '192.0.2.5').changed).toBe(false);
    expect(v.report('198.51.100.8', '192.0.2.6')).toMatchObject({ address: '198.51.100.8', changed: true });
  });

  it('private and loopback peers count one vote per address; a public address beats a private one, never the reverse', () => {
    const v = new AddressVote();
    v.report('192.168.1.20', '192.168.1.1');
    expect(v.report('192.168.1.20', '192.168.1.2')).toMatchObject({ address: '192.168.1.20', changed: true });
    v.report('198.51.100.7', '203.0.113.1');
    expect(v.report('198.51.100.7', '192.0.2.5')).toMatchObject({ address: '198.51.100.7', changed: true });
    v.report('10.0.0.3', '10.0.0.1');
    expect(v.report('10.0.0.3', '10.0.0.2')).toMatchObject({ address: '198.51.100.7', changed: false, votes: 0 });
  });

  it('ignores what is not a dotted IPv4; unwraps an IPv4-mapped peer address', () => {
    const v = new AddressVote();
    for (const bad of [undefined, '', '::1', 'host.example', '999.1.1.1', '1.2.3', '1.2.3.4:6346', ' 1.2.3.4']) {
      expect(v.report(bad, '203.0.113.1').votes).toBe(0);
      expect(v.report(bad, '192.0.2.5').votes).toBe(0);
    }
    expect(v.current).toBeUndefined();
    expect(asIpv4('::ffff:127.0.0.2')).toBe('127.0.0.2');
    v.report('127.0.0.1', '::ffff:127.0.0.2');
    expect(v.report('127.0.0.1', '127.0.0.2').changed).toBe(false); // the same voter
    expect(v.report('127.0.0.1', '127.0.0.3').changed).toBe(true);
  });

  it('gives only the current address or a reported one, with bounded memory (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(fc.ipV4(), fc.string({ maxLength: 20 })), fc.ipV4()), { maxLength: 300 }), (reports) => {
        const v = new AddressVote();
        for (const [seen, peer] of reports) {
          const before = v.current;
          const r = v.report(seen, peer);
          expect([before, seen]).toContain(r.address);
          expect(r.changed).toBe(r.address !== before);
        }
      }),
    );
  });
});

/** A bare ultrapeer on loopback address `host` that accepts one leaf, tells it `Remote-IP: remoteIp`, and can ping it. */
async function rawUltrapeer(remoteIp: string, host: string): Promise<{ address: string; pongIp(): Promise<string>; close(): Promise<void> }> {
  let link: { sock: Socket; got: Descriptor[] } | undefined;
  const server = createServer((sock) => {
    sock.on('error', () => sock.destroy());
    let text = '';
    let dec: DescriptorDecoder | undefined;
    const got: Descriptor[] = [];
    sock.on('data', (c: Buffer) => {
      if (dec) return void got.push(...decodeAll(dec, c));
      text += c.toString('latin1');
      const blocks = text.split('\r\n\r\n');
      if (blocks.length === 2 && blocks[1] === '') sock.write(`GNUTELLA/0.6 200 OK\r\nUser-Agent: RawUp/0.1\r\nX-Ultrapeer: True\r\nX-Query-Routing: 0.1\r\nRemote-IP: ${remoteIp}\r\n\r\n`);
      if (blocks.length >= 3) {
        dec = new DescriptorDecoder();
        got.push(...decodeAll(dec, Buffer.from(blocks.slice(2).join('\r\n\r\n'), 'latin1')));
        link = { sock, got };
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  return {
    address: `${host}:${(server.address() as AddressInfo).port}`,
    async pongIp() {
      await until(() => link !== undefined && !link.sock.destroyed);
      const { sock, got } = link!;
      const muid = randomBytes(16);
      sock.write(encodeDescriptor({ muid, type: 0x00, ttl: 1, hops: 0, payload: Buffer.alloc(0) }));
      await until(() => got.some((d) => d.type === 0x01 && d.muid.equals(muid)));
      const pong = decodeMessage(got.find((d) => d.type === 0x01 && d.muid.equals(muid))!);
      return pong.kind === 'pong' ? pong.ip : '';
    },
    async close() {
      link?.sock.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('a leaf without --gnutella-host advertises what its ultrapeers agree on', () => {
  it('one ultrapeer\'s word is not enough; two agreeing set it; a public address then replaces a LAN one only when two say so', async () => {
    // Each raw ultrapeer listens on its own loopback address: four peers, four voters.
    const lanA = await rawUltrapeer('192.168.1.20', '127.0.0.2');
    const lanB = await rawUltrapeer('192.168.1.20', '127.0.0.3');
    const wanA = await rawUltrapeer('198.51.100.7', '127.0.0.4');
    const wanB = await rawUltrapeer('198.51.100.7', '127.0.0.5');
    // Listening on ::1 (loopback, but no IPv4 given): the advertised IPv4 comes from Remote-IP.
    const leaf = await startGNode(0, {}, { host: '::1', links: 4, peers: [lanA.address] });
    try {
      // Nothing learnt yet: pongs carry the loopback fallback.
      expect(await lanA.pongIp()).toBe('127.0.0.1');
      expect(await gstatus(leaf)).toContain('\naddress not known yet: pongs and hits carry 127.0.0.1 until 2 peers from different networks agree on their Remote-IP; 1 of the 2 peers needed say 192.168.1.20\n');
      await leaf.node.run('gnutella', 'gconnect', [lanB.address]);
      expect(await lanB.pongIp()).toBe('192.168.1.20');
      expect(await gstatus(leaf)).toContain("\naddress 192.168.1.20 (peers' Remote-IP agreed)\n");
      expect(await lanA.pongIp()).toBe('192.168.1.20');
      await leaf.node.run('gnutella', 'gconnect', [wanA.address]);
      expect(await wanA.pongIp()).toBe('192.168.1.20');
      await leaf.node.run('gnutella', 'gconnect', [wanB.address]);
      expect(await wanB.pongIp()).toBe('198.51.100.7');
      expect(await lanA.pongIp()).toBe('198.51.100.7');
    } finally {
      await leaf.stop();
      for (const u of [lanA, lanB, wanA, wanB]) await u.close();
    }
  });
});

/** A raw leaf connecting from loopback address `from` to `port` with `Remote-IP: remoteIp`; returns the IP in our pong. */
async function leafSays(port: number, from: string, remoteIp: string): Promise<{ pongIp(): Promise<string>; close(): void }> {
  const sock = connect({ port, host: '127.0.0.1', localAddress: from });
  sock.on('error', () => undefined);
  let text = '';
  let dec: DescriptorDecoder | undefined;
  const got: Descriptor[] = [];
  sock.on('data', (c: Buffer) => {
    if (dec) return void got.push(...decodeAll(dec, c));
    text += c.toString('latin1');
    const i = text.indexOf('\r\n\r\n');
    if (i < 0) return;
    sock.write('GNUTELLA/0.6 200 OK\r\nX-Ultrapeer: False\r\n\r\n');
    dec = new DescriptorDecoder();
    got.push(...decodeAll(dec, Buffer.from(text.slice(i + 4), 'latin1')));
  });
  sock.write(`GNUTELLA CONNECT/0.6\r\nUser-Agent: RawLeaf/0.1\r\nX-Ultrapeer: False\r\nX-Query-Routing: 0.1\r\nRemote-IP: ${remoteIp}\r\n\r\n`);
  await until(() => dec !== undefined);
  expect(text).toMatch(/^GNUTELLA\/0\.6 200/);
  return {
    async pongIp() {
      const muid = randomBytes(16);
      sock.write(encodeDescriptor({ muid, type: 0x00, ttl: 1, hops: 0, payload: Buffer.alloc(0) }));
      await until(() => got.some((d) => d.type === 0x01 && d.muid.equals(muid)));
      const pong = decodeMessage(got.find((d) => d.type === 0x01 && d.muid.equals(muid))!);
      return pong.kind === 'pong' ? pong.ip : '';
    },
    close: () => sock.destroy(),
  };
}

describe('an ultrapeer without --gnutella-host advertises what the leaves connecting in agree on', () => {
  it('takes the Remote-IP two accepted leaves report when it has dialled no one', async () => {
    // Listening on an IPv4-mapped loopback address (no dotted IPv4 given): the advertised IPv4 comes from Remote-IP.
    const up = await startGNode(0, {}, { host: '::ffff:127.0.0.1', mode: 'ultrapeer', deflate: false });
    const leaves: Array<{ close(): void }> = [];
    try {
      const a = await leafSays(up.port, '127.0.0.2', '198.51.100.9');
      leaves.push(a);
      expect(await a.pongIp()).toBe('127.0.0.1');
      const b = await leafSays(up.port, '127.0.0.3', '198.51.100.9');
      leaves.push(b);
      expect(await b.pongIp()).toBe('198.51.100.9');
      expect(await a.pongIp()).toBe('198.51.100.9');
    } finally {
      for (const l of leaves) l.close();
      await up.stop();
    }
  });
});
