/**
 * A crawler's connect (`Crawler: 0.1`, crawler.ts), answered as gtk-gnutella
 * answers it: a one-shot 200 with `Peers:` (and `Leaves:` from an ultrapeer),
 * closed after its step 3; the same address again within 5 minutes gets
 * `403 Too frequent crawling`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrawlGate, CRAWL_EVERY_MS, crawlerResponse, MAX_CRAWLERS } from '../../protocols/gnutella/crawler.js';
import { startGNode, type GNode } from './gnutella-net.js';
import { leafConnect, linkedRawPeer, rawPeer, until, upConnect, type RawPeer } from './raw-peer.js';

describe('the crawl gate', () => {
  it('lets an address crawl once per 5 minutes and remembers at most MAX_CRAWLERS', () => {
    const g = new CrawlGate();
    expect(g.allow('10.0.0.1', 0)).toBe(true);
    expect(g.allow('10.0.0.1', CRAWL_EVERY_MS - 1)).toBe(false);
    expect(g.allow('10.0.0.2', 1)).toBe(true);
    expect(g.allow('10.0.0.1', CRAWL_EVERY_MS)).toBe(true);
    for (let i = 0; i < MAX_CRAWLERS; i++) g.allow(`11.0.${i >> 8}.${i & 255}`, 10);
    expect(g.allow('10.0.0.2', 20)).toBe(true); // forgotten: the oldest went first
  });

  it('writes the 200 as gtk-gnutella lays it out', () => {
    expect(crawlerResponse([{ ip: '1.2.3.4', port: 6346 }, { ip: '5.6.7.8', port: 7000 }], [], 'x/1').toString('latin1')).toBe('GNUTELLA/0.6 200 OK\r\nUser-Agent: x/1\r\nPeers: 1.2.3.4:6346, 5.6.7.8:7000\r\nLeaves: \r\n\r\n');
    expect(crawlerResponse([], undefined, 'x/1').toString('latin1')).toBe('GNUTELLA/0.6 200 OK\r\nUser-Agent: x/1\r\nPeers: \r\n\r\n');
  });
});

describe('an ultrapeer crawled', () => {
  let up: GNode;
  beforeAll(async () => {
    up = await startGNode(0, {}, { mode: 'ultrapeer', maxLeaves: 1 });
  });
  afterAll(async () => {
    await up.stop();
  });

  function link(connect: string, inflate: boolean): Promise<RawPeer> {
    return linkedRawPeer(up.port, connect, inflate);
  }

  it('lists its ultrapeers and leaves, whatever its slots, closes after step 3, and refuses a second crawl', async () => {
    const a = await link(upConnect(['Listen-IP: 127.0.0.1:7001']), false);
    const leaf = await link(leafConnect(['Accept-Encoding: deflate', 'Listen-IP: 127.0.0.1:7002']), true);
    // The one leaf slot is taken, and a crawler says no X-Ultrapeer: it is answered all the same.
    const c = await rawPeer(up.port, '127.0.0.2');
    c.write('GNUTELLA CONNECT/0.6\r\nUser-Agent: Crawler/1\r\nCrawler: 0.1\r\n\r\n');
    await until(() => c.text().includes('\r\n\r\n'));
    expect(c.text()).toBe('GNUTELLA/0.6 200 OK\r\nUser-Agent: peerdeck/0.1\r\nPeers: 127.0.0.1:7001\r\nLeaves: 127.0.0.1:7002\r\n\r\n');
    c.write('GNUTELLA/0.6 200 OK\r\n\r\n');
    await c.closed;
    const again = await rawPeer(up.port, '127.0.0.2');
    again.write('GNUTELLA CONNECT/0.6\r\nUser-Agent: Crawler/1\r\nCrawler: 0.1\r\n\r\n');
    await again.closed;
    expect(again.text()).toBe('GNUTELLA/0.6 403 Too frequent crawling\r\nUser-Agent: peerdeck/0.1\r\nRemote-IP: 127.0.0.2\r\n\r\n');
    for (const p of [a, leaf]) p.socket.destroy();
  });
});
