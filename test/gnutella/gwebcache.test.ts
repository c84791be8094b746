import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { GWC_MAX_HOSTS, parseGwcAnswer, queryWebCache } from '../../protocols/gnutella/gwebcache.js';
import { parseGnutellaFlags } from '../../protocols/gnutella/flags.js';
import { startGNode, type GNode } from './gnutella-net.js';

/** A GWebCache of our own on loopback. */
async function webCache(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/gwc.php` };
}

describe('bootstrap from a GWebCache (spec 8)', () => {
  const nodes: GNode[] = [];
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      s.close();
    }
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });

  it('a leaf with an empty host cache GETs the cache with get=1, net=gnutella, client and version, and links to an H| host', async () => {
    const up = await startGNode(0, {}, { mode: 'ultrapeer' });
    nodes.push(up);
    const urls: string[] = [];
    const gwc = await webCache((req, res) => {
      urls.push(req.url ?? '');
      res.end(`I|pong|somecache 1.0\nU|http://other.example/gwc|100\nH|127.0.0.1:${up.port}|30\n`);
    });
    servers.push(gwc.server);
    const leaf = await startGNode(1, {}, { bootstrap: [gwc.url] });
    nodes.push(leaf);
    await leaf.waitFor(() => leaf.of('peer.up').length === 1, 20_000);
    expect(leaf.of('peer.up')[0]!.address).toBe(`127.0.0.1:${up.port}`);
    const q = new URL(urls[0]!, 'http://x').searchParams;
    expect(new URL(urls[0]!, 'http://x').pathname).toBe('/gwc.php');
    expect([q.get('get'), q.get('hostfile'), q.get('net'), q.get('client'), q.get('version')]).toEqual(['1', '1', 'gnutella', 'PDEK', '0.1']);
    expect(urls).toHaveLength(1);
  });

  it('is not asked while the host cache has hosts', async () => {
    const up = await startGNode(0, {}, { mode: 'ultrapeer' });
    nodes.push(up);
    const urls: string[] = [];
    const gwc = await webCache((req, res) => {
      urls.push(req.url ?? '');
      res.end('');
    });
    servers.push(gwc.server);
    const leaf = await startGNode(1, {}, { peers: [`127.0.0.1:${up.port}`], bootstrap: [gwc.url] });
    nodes.push(leaf);
    await leaf.waitFor(() => leaf.of('peer.up').length === 1, 20_000);
    await new Promise((r) => setTimeout(r, 1_200)); // two more maintenance rounds (500 ms each)
    expect(urls).toEqual([]);
  });

  it('a cache that never answers times out; an endless answer is cut at 64 KiB and its hosts capped', async () => {
    const silent = await webCache(() => undefined);
    servers.push(silent.server);
    const r = await queryWebCache(silent.url, 300);
    expect(r.hosts).toEqual([]);
    expect(r.error).toMatch(/no answer in 300 ms/);
    const endless = await webCache((_req, res) => {
      let i = 0;
      const more = (): void => {
        // Never ends: only the 64 KiB cut lets the answer finish before the timeout.
        while (res.write(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:6346\n`)) i++;
        res.once('drain', more);
      };
      more();
    });
    servers.push(endless.server);
    const big = await queryWebCache(endless.url, 15_000);
    expect(big.error).toBeUndefined();
    expect(big.hosts).toHaveLength(GWC_MAX_HOSTS);
    const bad = await webCache((_req, res) => {
      res.statusCode = 500;
      res.end('127.0.0.1:1\n');
    });
    servers.push(bad.server);
    expect(await queryWebCache(bad.url, 5_000)).toEqual({ hosts: [], error: 'HTTP 500' });
  });

  it('parses v2 H| lines and v1 bare lines, ignores everything else, and never throws on random text', () => {
    expect(parseGwcAnswer('H|1.2.3.4:6346|10\r\n5.6.7.8:1\nU|http://a|1\nI|update|OK\nERROR\n999.1.1.1:5\n1.2.3.4:0\n1.2.3.4:70000\nH|1.2.3.4:6346|1\n0.0.0.0:5\n')).toEqual([
      '1.2.3.4:6346',
      '5.6.7.8:1',
    ]);
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), fc.integer({ min: 0, max: 50 }), (text, max) => {
        const hosts = parseGwcAnswer(text, max);
        expect(hosts.length).toBeLessThanOrEqual(max);
        for (const h of hosts) expect(h).toMatch(/^\d+\.\d+\.\d+\.\d+:\d+$/);
      }),
    );
  });

  it('--gnutella-bootstrap takes a HOST:PORT or an http:// URL', () => {
    const o = parseGnutellaFlags({ gnutella: true, 'gnutella-bootstrap': ['127.0.0.1:3558', 'http://127.0.0.1:8080/gwc'] });
    expect(o?.bootstrap).toEqual(['127.0.0.1:3558', 'http://127.0.0.1:8080/gwc']);
    expect(() => parseGnutellaFlags({ gnutella: true, 'gnutella-bootstrap': ['http://'] })).toThrow(/bootstrap/);
  });
});
