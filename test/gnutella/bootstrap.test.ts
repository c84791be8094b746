import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeDescriptor } from '../../protocols/gnutella/descriptor.js';
import { decodeMessage } from '../../protocols/gnutella/messages.js';
import { encodePong } from '../../protocols/gnutella/pong.js';
import { packHosts } from '../../protocols/gnutella/ipv4.js';
import { parseDatagram } from '../../protocols/gnutella/udp.js';
import { startGNode, type GNode } from './gnutella-net.js';

describe('bootstrap from a UDP host cache, and UDP pings', () => {
  const nodes: GNode[] = [];
  const closers: Array<() => void> = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) c();
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });

  it('a leaf with an empty host cache asks the UHC (Ping + SCP) and links to an ultrapeer from its IPP', async () => {
    const up = await startGNode(0, {}, { mode: 'ultrapeer' });
    nodes.push(up);
    const uhc = createSocket('udp4');
    closers.push(() => uhc.close());
    const pings: string[] = [];
    uhc.on('message', (msg, from) => {
      const d = parseDatagram(msg);
      if (!d || d.type !== 0x00) return;
      const ping = decodeMessage(d);
      pings.push(JSON.stringify(ping.kind === 'ping' ? ping.ggep.map((e) => [e.id, [...e.data]]) : []));
      const pong = encodePong({ port: 1, ip: '127.0.0.1', files: 0, kbytes: 0, ggep: [{ id: 'IPP', data: packHosts([{ ip: '127.0.0.1', port: up.port }]) }] });
      uhc.send(encodeDescriptor({ muid: d.muid, type: 0x01, ttl: 1, hops: 0, payload: pong }), from.port, from.address);
    });
    await new Promise<void>((r) => uhc.bind(0, '127.0.0.1', r));
    const leaf = await startGNode(1, {}, { bootstrap: [`127.0.0.1:${uhc.address().port}`] });
    nodes.push(leaf);
    await leaf.waitFor(() => leaf.of('peer.up').length === 1, 20_000);
    expect(leaf.of('peer.up')[0]!.address).toBe(`127.0.0.1:${up.port}`);
    expect(pings[0]).toBe(JSON.stringify([['SCP', [1]]]));
  });

  it('answers a UDP ping with a pong carrying its MUID; garbage datagrams are ignored', async () => {
    const leaf = await startGNode(0, { 'a.txt': 'abc' });
    nodes.push(leaf);
    const s = createSocket('udp4');
    closers.push(() => s.close());
    const got: Buffer[] = [];
    s.on('message', (m) => got.push(m));
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    s.send(Buffer.from('not gnutella at all'), leaf.port, '127.0.0.1');
    const muid = Buffer.alloc(16, 9);
    s.send(encodeDescriptor({ muid, type: 0x00, ttl: 1, hops: 0, payload: Buffer.alloc(0) }), leaf.port, '127.0.0.1');
    await leaf.waitFor(() => got.length > 0, 10_000);
    const d = parseDatagram(got[0]!)!;
    expect(d.muid.equals(muid)).toBe(true);
    expect(decodeMessage(d)).toMatchObject({ kind: 'pong', port: leaf.port, files: 1 });
    expect(got).toHaveLength(1);
  });
});

describe('the host cache', () => {
  it('keeps what X-Try-Ultrapeers and --gnutella-peer gave, on disk for the next start', async () => {
    const { readFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { createServer } = await import('node:net');
    // A "busy ultrapeer" that refuses with hosts to try.
    const busy = createServer((s) => {
      s.on('error', () => undefined);
      s.once('data', () => s.end('GNUTELLA/0.6 503 Busy\r\nX-Try-Ultrapeers: 127.0.0.9:6346,\r\n\t127.0.0.10:6347\r\n\r\n'));
    });
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as { port: number }).port;
    const leaf = await startGNode(0, {}, { peers: [`127.0.0.1:${port}`] });
    try {
      await leaf.waitFor(() => false, 1).catch(() => undefined);
      for (let i = 0; i < 100; i++) {
        const status = (await leaf.node.run('gnutella', 'gstatus', [])).join('\n');
        if (/host cache 3/.test(status)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const dataDir = leaf.dataDir;
      await leaf.node.stop();
      const saved = JSON.parse(await readFile(join(dataDir, 'hosts-gnutella.json'), 'utf8')) as { hosts: Array<{ addr: string }> };
      expect(saved.hosts.map((h) => h.addr).sort()).toEqual([`127.0.0.1:${port}`, '127.0.0.10:6347', '127.0.0.9:6346'].sort());
    } finally {
      await leaf.stop();
      busy.close();
    }
  });
});
