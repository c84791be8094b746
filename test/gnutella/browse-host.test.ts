import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAll } from '../../src/codec/decoder.js';
import { acceptsBrowse } from '../../protocols/gnutella/browse-host.js';
import { DescriptorDecoder } from '../../protocols/gnutella/descriptor-decoder.js';
import { encodeDescriptor } from '../../protocols/gnutella/descriptor.js';
import { encodeQuery } from '../../protocols/gnutella/query.js';
import { decodeQueryHit } from '../../protocols/gnutella/query-hit.js';
import { startGNode, type GNode } from './gnutella-net.js';
import { rawPeer, until, upConnect } from './raw-peer.js';

interface Got {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(port: number, path: string, headers: Record<string, string>): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('browse host (spec 5.5) on the Gnutella port', () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 12; i++) files[`track ${i}.mp3`] = `content ${i} `.repeat(50 + i);
  let node: GNode;
  beforeAll(async () => {
    node = await startGNode(0, files);
    await until(() => [...node.share.entries()].filter((e) => e.sha1).length === 12);
  });
  afterAll(async () => {
    await node.stop();
  });

  it('GET / accepting application/x-gnutella-packets lists every shared file as QueryHits of at most 10', async () => {
    const got = await get(node.port, '/', { Accept: 'text/html, application/x-gnutella-packets;q=0.5' });
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toBe('application/x-gnutella-packets');
    const descriptors = decodeAll(new DescriptorDecoder(), got.body);
    expect(descriptors).toHaveLength(2);
    const hits = descriptors.map((d) => {
      expect(d.type).toBe(0x81);
      return decodeQueryHit(d.payload);
    });
    expect(hits.map((h) => h.results.length)).toEqual([10, 2]);
    const names = hits.flatMap((h) => h.results.map((r) => r.name)).sort();
    expect(names).toEqual(Object.keys(files).sort());
    for (const h of hits) {
      expect(h.port).toBe(node.port);
      for (const r of h.results) {
        const e = node.share.byName(r.name)!;
        expect(r.size).toBe(e.size);
        expect(r.index).toBe(e.index);
        expect(r.sha1s).toContain(e.sha1);
      }
    }
    expect(hits[0]!.serventGuid.equals(hits[1]!.serventGuid)).toBe(true);
  });

  it('our query hits advertise browse host with the trailer GGEP BH', async () => {
    const p = await rawPeer(node.port);
    p.write(upConnect());
    await until(() => p.text().includes('\r\n\r\n'));
    p.write('GNUTELLA/0.6 200 OK\r\n\r\n');
    p.binary();
    p.write(encodeDescriptor({ muid: Buffer.alloc(16, 7), type: 0x80, ttl: 2, hops: 1, payload: encodeQuery({ text: 'track' }) }));
    await until(() => p.descriptors.some((d) => d.type === 0x81));
    const hit = decodeQueryHit(p.descriptors.find((d) => d.type === 0x81)!.payload);
    expect(hit.ggep.map((e) => e.id)).toContain('BH');
    p.socket.destroy();
  });

  it('406 without that type in Accept; other paths still 404', async () => {
    expect((await get(node.port, '/', { Accept: 'text/html' })).status).toBe(406);
    expect((await get(node.port, '/', {})).status).toBe(406);
    expect((await get(node.port, '/nothing', { Accept: 'application/x-gnutella-packets' })).status).toBe(404);
  });

  it('reads Accept lists with parameters and case', () => {
    expect(acceptsBrowse('Application/X-Gnutella-Packets')).toBe(true);
    expect(acceptsBrowse('text/html;q=1, application/x-gnutella-packets ; q=0.2')).toBe(true);
    expect(acceptsBrowse('application/x-gnutella-packetsX')).toBe(false);
    expect(acceptsBrowse(undefined)).toBe(false);
  });
});
