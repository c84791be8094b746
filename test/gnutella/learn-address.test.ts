import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DescriptorDecoder } from '../../protocols/gnutella/descriptor-decoder.js';
import { encodeDescriptor, type Descriptor } from '../../protocols/gnutella/descriptor.js';
import { learnAddress } from '../../protocols/gnutella/ipv4.js';
import { decodeMessage } from '../../protocols/gnutella/messages.js';
import { decodeAll } from '../../src/codec/decoder.js';
import { startGNode } from './gnutella-net.js';
import { until } from './raw-peer.js';

describe('the address we advertise, from peers\' Remote-IP (spec 1.3, 4.1)', () => {
  it('takes the first one, keeps it against later ones', () => {
    expect(learnAddress(undefined, '198.51.100.7')).toBe('198.51.100.7');
    expect(learnAddress('198.51.100.7', '203.0.113.9')).toBe('198.51.100.7');
    expect(learnAddress('198.51.100.7', '192.168.1.20')).toBe('198.51.100.7');
    expect(learnAddress('127.0.0.1', '127.0.0.1')).toBe('127.0.0.1');
  });

  it('lets a public address replace a private or loopback one (a LAN peer linked first)', () => {
    expect(learnAddress('192.168.1.20', '198.51.100.7')).toBe('198.51.100.7');
    expect(learnAddress('10.0.0.3', '198.51.100.7')).toBe('198.51.100.7');
    expect(learnAddress('127.0.0.1', '198.51.100.7')).toBe('198.51.100.7');
    expect(learnAddress('192.168.1.20', '10.0.0.3')).toBe('192.168.1.20');
  });

  it('ignores what is not a dotted IPv4', () => {
    for (const bad of [undefined, '', '::1', 'host.example', '999.1.1.1', '1.2.3', '1.2.3.4:6346', ' 1.2.3.4']) {
      expect(learnAddress(undefined, bad)).toBeUndefined();
      expect(learnAddress('10.0.0.3', bad)).toBe('10.0.0.3');
    }
  });

  it('always gives the current address or the one seen (property)', () => {
    fc.assert(
      fc.property(fc.option(fc.ipV4(), { nil: undefined }), fc.oneof(fc.ipV4(), fc.string({ maxLength: 20 })), (cur, seen) => {
        expect([cur, seen]).toContain(learnAddress(cur, seen));
      }),
    );
  });
});

/** A bare ultrapeer on 127.0.0.1 that accepts one leaf, tells it `Remote-IP: remoteIp`, and can ping it. */
async function rawUltrapeer(remoteIp: string): Promise<{ port: number; pongIp(): Promise<string>; close(): Promise<void> }> {
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
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
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

describe('a leaf without --gnutella-host advertises what its ultrapeers see', () => {
  it('a LAN address from the first ultrapeer gives way to the public one a later ultrapeer reports', async () => {
    const lan = await rawUltrapeer('192.168.1.20');
    const wan = await rawUltrapeer('198.51.100.7');
    // Listening on ::1 (loopback, but no IPv4 given): the advertised IPv4 comes from Remote-IP.
    const leaf = await startGNode(0, {}, { host: '::1', links: 2, peers: [`127.0.0.1:${lan.port}`] });
    try {
      expect(await lan.pongIp()).toBe('192.168.1.20');
      await leaf.node.run('gnutella', 'gconnect', [`127.0.0.1:${wan.port}`]);
      expect(await wan.pongIp()).toBe('198.51.100.7');
      expect(await lan.pongIp()).toBe('198.51.100.7');
    } finally {
      await leaf.stop();
      await lan.close();
      await wan.close();
    }
  });
});

describe('an ultrapeer without --gnutella-host advertises what a leaf connecting in sees', () => {
  it('takes the Remote-IP of an accepted leaf when it has dialled no one', async () => {
    // Listening on ::1 (loopback, but no IPv4 given): the advertised IPv4 comes from Remote-IP.
    const up = await startGNode(0, {}, { host: '::1', mode: 'ultrapeer', deflate: false });
    const sock = connect(up.port, '::1');
    try {
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
      sock.write('GNUTELLA CONNECT/0.6\r\nUser-Agent: RawLeaf/0.1\r\nX-Ultrapeer: False\r\nX-Query-Routing: 0.1\r\nRemote-IP: 198.51.100.9\r\n\r\n');
      await until(() => dec !== undefined);
      expect(text).toMatch(/^GNUTELLA\/0\.6 200/);
      const muid = randomBytes(16);
      sock.write(encodeDescriptor({ muid, type: 0x00, ttl: 1, hops: 0, payload: Buffer.alloc(0) }));
      await until(() => got.some((d) => d.type === 0x01 && d.muid.equals(muid)));
      expect(decodeMessage(got.find((d) => d.type === 0x01 && d.muid.equals(muid))!)).toMatchObject({ kind: 'pong', ip: '198.51.100.9' });
    } finally {
      sock.destroy();
      await up.stop();
    }
  });
});
