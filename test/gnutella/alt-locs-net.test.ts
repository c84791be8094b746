import { createHash, randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { base32Encode } from '../../src/share/base32.js';
import type { AppEvent } from '../../src/app-api.js';
import { startGNode, type GNode } from './gnutella-net.js';

const sha1 = (b: Buffer): string => createHash('sha1').update(b).digest('hex');
const urnOf = (hex: string): string => `urn:sha1:${base32Encode(Buffer.from(hex, 'hex'))}`;

/** Sends one request as these exact lines and gives back the answer's header block as received. */
function rawHead(port: number, lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => s.write(`${[...lines, 'Connection: close', '', ''].join('\r\n')}`));
    let text = '';
    s.on('data', (c: Buffer) => {
      text += c.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end >= 0) {
        s.destroy();
        resolve(text.slice(0, end + 2));
      }
    });
    s.on('error', reject);
    s.on('close', () => resolve(text));
  });
}

describe('alternate locations (spec 5.2)', () => {
  const nodes: GNode[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });

  it("an uploader takes in a downloader's X-Alt and names those locations to the next one, newest first, 6346 left out; never its own or private ones to a loopback peer", async () => {
    const data = randomBytes(10_000);
    const a = await startGNode(0, { 'alt file.bin': data });
    nodes.push(a);
    const n2r = `GET /uri-res/N2R?${urnOf(sha1(data))} HTTP/1.1`;
    const first = await rawHead(a.port, [n2r, 'Host: x', 'Range: bytes=0-0', `X-Alt: 127.0.0.1:7001, 127.0.0.1, 8.8.100.7:6346, 10.0.0.1, 127.0.0.1:${a.port}, [::1]:6346, junk`]);
    expect(first).toMatch(/^HTTP\/1\.1 206 /);
    expect(first).not.toMatch(/^X-Alt/im); // nothing known before; what it was told is not sent back
    const second = await rawHead(a.port, [n2r, 'Host: x', 'Range: bytes=0-0']);
    expect(second).toMatch(/^HTTP\/1\.1 206 /);
    expect(second).toContain('\r\nX-Alt: 8.8.100.7, 127.0.0.1, 127.0.0.1:7001\r\n');
    expect(second).not.toMatch(/^X-Nalt/im);
    // A 404 for a SHA-1 it does not have still names where that file is.
    const other = sha1(Buffer.from('elsewhere'));
    const unknown = `GET /uri-res/N2R?${urnOf(other)} HTTP/1.1`;
    expect(await rawHead(a.port, [unknown, 'Host: x', 'X-Alt: 127.0.0.1:7002'])).toMatch(/^HTTP\/1\.1 404 /);
    const again = await rawHead(a.port, [unknown, 'Host: x']);
    expect(again).toMatch(/^HTTP\/1\.1 404 /);
    expect(again).toContain('\r\nX-Alt: 127.0.0.1:7002\r\n');
  });

  it('C downloads from A, whose answer names B; A loses the file after the first piece and C finishes from B, resuming its part, verified', async () => {
    const data = randomBytes(1_300_000);
    const piece = 512 * 1024;
    const up = await startGNode(0, {}, { mode: 'ultrapeer' });
    nodes.push(up);
    const peers = [`127.0.0.1:${up.port}`];
    const a = await startGNode(1, { 'swarmed file.bin': data }, { peers, maxPieceBytes: piece });
    nodes.push(a);
    const c = await startGNode(2, {}, { peers });
    nodes.push(c);
    // B has the file too but is linked to no one: no search finds it.
    const b = await startGNode(3, { 'swarmed file.bin': data }, {});
    nodes.push(b);
    await up.waitFor(() => (up.node.snapshot().status.gnutella?.peers ?? 0) === 2, 20_000);

    // Another downloader tells A where else the file is.
    const n2r = `GET /uri-res/N2R?${urnOf(sha1(data))} HTTP/1.1`;
    expect(await rawHead(a.port, [n2r, 'Host: x', 'Range: bytes=0-0', `X-Alt: 127.0.0.1:${b.port}`])).toMatch(/^HTTP\/1\.1 206 /);

    // A's file goes once A has sent C the first piece: A answers C's next request 404.
    const aFile = join(a.shareDir, 'swarmed file.bin');
    let pieces = 0;
    a.node.subscribe((e: AppEvent) => {
      if (e.type === 'transfer.done' && e.direction === 'up' && e.bytes === piece && pieces++ === 0) unlinkSync(aFile);
    });

    await c.node.run('files', 'search', ['-p', 'gnutella', 'swarmed']);
    await c.waitFor(() => c.of('search.hit').length > 0, 15_000);
    await c.waitFor(() => c.of('search.done').length > 0, 15_000);
    expect(c.of('search.hit').map((h) => h.source)).toEqual([`127.0.0.1:${a.port}`]);
    await c.node.run('files', 'get', ['1']);
    await c.waitFor(() => c.of('transfer.done').length === 1 || c.of('transfer.failed').length > 0, 30_000);
    expect(c.of('transfer.failed')).toEqual([]);
    const done = c.of('transfer.done')[0]!;
    expect(done).toMatchObject({ verified: true, sha1: sha1(data), bytes: data.length, peer: `127.0.0.1:${b.port}` });
    expect((await readFile(done.path)).equals(data)).toBe(true);
    expect(pieces).toBe(1);
    // B sent only what A had not: C resumed its part.
    await b.waitFor(() => b.of('transfer.done').some((e) => e.direction === 'up'));
    expect(b.of('transfer.done').filter((e) => e.direction === 'up').map((e) => e.bytes)).toEqual([data.length - piece]);
  });
});
