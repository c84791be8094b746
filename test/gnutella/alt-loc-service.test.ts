import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { AltLocService, MAX_OFFERED_PER_SOURCE } from '../../protocols/gnutella/alt-loc-service.js';
import { NetError } from '../../src/errors.js';
import type { GnutellaRef } from '../../protocols/gnutella/http-download.js';
import type { DownloadRequest } from '../../src/transfer/transfer-types.js';

const SHA = 'c'.repeat(40);
const OUR_PORT = 6350;

/** What answerHeaders reads of a request: the socket's two ends and the headers. */
function request(from: string, to: string, headers: Record<string, string> = {}): IncomingMessage {
  return { socket: { remoteAddress: from, localAddress: to }, headers } as unknown as IncomingMessage;
}

function service(): { s: AltLocService; added: DownloadRequest[] } {
  const added: DownloadRequest[] = [];
  const s = new AltLocService({ self: () => ({ port: OUR_PORT, ip: '9.9.113.9' }), addSource: (req) => (added.push(req), 1) });
  return { s, added };
}

describe('alternate locations: what is sent and believed (spec 5.2)', () => {
  it('a public peer gets public locations only, never its own host nor ours; a LAN peer gets LAN ones too', () => {
    const { s } = service();
    for (const loc of ['8.8.100.1:6346', '192.168.1.5:6346', '127.0.0.1:7000', '8.8.100.2:7000', `9.9.113.9:${OUR_PORT}`]) s.mesh.heard(SHA, loc);
    expect(s.answerHeaders(SHA, request('8.8.100.2', '9.9.113.9'))).toEqual({ 'X-Alt': '8.8.100.1' });
    expect(s.answerHeaders(SHA, request('::ffff:192.168.1.9', '192.168.1.2'))).toEqual({ 'X-Alt': '8.8.100.2:7000, 192.168.1.5, 8.8.100.1' });
    expect(s.answerHeaders(SHA, request('127.0.0.1', '127.0.0.1'))).toEqual({ 'X-Alt': '8.8.100.2:7000, 127.0.0.1:7000, 8.8.100.1' });
  });

  it("a public peer's private, loopback and our own locations are not believed; X-Nalt drops a location; one it names that we found bad is answered in X-Nalt", () => {
    const { s } = service();
    s.mesh.failed(SHA, '8.8.100.3:6346');
    const h = s.answerHeaders(SHA, request('8.8.100.2', '9.9.113.9', { 'x-alt': `10.0.0.1, 127.0.0.1:6346, 9.9.113.9:${OUR_PORT}, 8.8.100.3, 8.8.100.4:1` }));
    expect(h).toEqual({ 'X-Nalt': '8.8.100.3' });
    expect(s.mesh.good(SHA, 10)).toEqual(['8.8.100.4:1']);
    s.answerHeaders(SHA, request('8.8.100.2', '9.9.113.9', { 'x-nalt': '8.8.100.4:1' }));
    expect(s.mesh.good(SHA, 10)).toEqual([]);
  });

  it("a download's answers offer each new location to its download once, at most MAX_OFFERED_PER_SOURCE, none bad, none the source itself; its requests carry X-Alt and X-Nalt", async () => {
    const { s, added } = service();
    s.mesh.failed(SHA, '127.0.0.1:7001');
    s.mesh.heard(SHA, '127.0.0.1:7002');
    const ref: GnutellaRef = { ip: '127.0.0.1', port: 7000, index: 3, name: 'f.bin', guid: '00', firewalled: false, sha1: SHA };
    // The hooks are reached through a real source: one served by a tiny node:http server.
    const { createServer } = await import('node:http');
    const seen: Record<string, string | string[] | undefined>[] = [];
    const many = Array.from({ length: 100 }, (_, i) => `127.0.0.1:${8000 + i}`).join(', ');
    const server = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(206, { 'Content-Range': 'bytes 0-2/3', 'Content-Length': '3', 'X-Alt': `127.0.0.1:7000, 127.0.0.1:7001, 127.0.0.1:7003, 127.0.0.1:7003, ${many}` });
      res.end('abc');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const opened = await s.source({ ...ref, port }).open(0, new AbortController().signal);
      for await (const _ of opened.stream) void _;
    } finally {
      server.close();
    }
    expect(seen[0]?.['x-alt']).toBe('127.0.0.1:7002');
    expect(seen[0]?.['x-nalt']).toBe('127.0.0.1:7001');
    const peers = added.map((r) => r.peer);
    expect(peers[0]).toBe('127.0.0.1:7000'); // another servent on this host, not the source
    expect(peers).not.toContain('127.0.0.1:7001');
    expect(peers).not.toContain(`127.0.0.1:${port}`);
    expect(new Set(peers).size).toBe(peers.length);
    expect(peers.length).toBeLessThanOrEqual(MAX_OFFERED_PER_SOURCE);
    expect(added[0]).toMatchObject({ name: 'f.bin', protocol: 'gnutella', size: 3, sha1: SHA, ref: { ip: '127.0.0.1', port: 7000, index: -1, sha1: SHA } });
    expect(s.mesh.good(SHA, 1)).toEqual([`127.0.0.1:${port}`]); // it served the file: newest good
  });

  it('a source the download failed with is bad when it had no file, broke the answer or sent wrong bytes; not when it was busy', () => {
    const { s } = service();
    const ref = (port: number): GnutellaRef => ({ ip: '127.0.0.1', port, index: 3, name: 'f.bin', guid: '00', firewalled: false, sha1: SHA });
    s.source(ref(7100)).failed!(NetError.verify('SHA-1 mismatch'));
    s.source(ref(7101)).failed!(NetError.notFound('404'));
    s.source(ref(7102)).failed!(NetError.refused('busy (503)'));
    s.source(ref(7103)).failed!(NetError.timeout('download stalled', 1));
    expect(s.mesh.bad(SHA, 10).sort()).toEqual(['127.0.0.1:7100', '127.0.0.1:7101']);
  });
});
