import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Encode } from '../../src/share/base32.js';
import { parseRange } from '../../protocols/gnutella/http-range.js';
import { httpSource } from '../../protocols/gnutella/http-download.js';
import { startGNode, type GNode } from './gnutella-net.js';

interface Got {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A request line sent as is (no client-side normalisation of the path). */
function rawGet(port: number, path: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    let text = '';
    s.on('data', (c: Buffer) => (text += c.toString('latin1')));
    s.on('close', () => resolve(text));
    s.on('error', () => resolve(text));
  });
}

describe('HTTP uploads on the Gnutella port', () => {
  const data = randomBytes(100_000);
  const urn = `urn:sha1:${base32Encode(createHash('sha1').update(data).digest())}`;
  let node: GNode;
  let index = 0;
  beforeAll(async () => {
    node = await startGNode(0, { 'My Song.mp3': data, 'secret.txt': 'no' });
    index = node.share.byName('My Song.mp3')!.index;
  });
  afterAll(async () => {
    await node.stop();
  });

  it('N2R by SHA-1: 200 with the whole file and X-Gnutella-Content-URN', async () => {
    const r = await get(node.port, `/uri-res/N2R?${urn}`);
    expect(r.status).toBe(200);
    expect(r.headers['x-gnutella-content-urn']).toBe(urn);
    expect(r.body.equals(data)).toBe(true);
  });

  it('/get/<index>/<name>, Range -> 206 with Content-Range, HEAD without a body', async () => {
    const whole = await get(node.port, `/get/${index}/${encodeURIComponent('My Song.mp3')}`);
    expect(whole.status).toBe(200);
    expect(whole.body.equals(data)).toBe(true);
    const part = await get(node.port, `/uri-res/N2R?${urn}`, { Range: 'bytes=100-199' });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-199/${data.length}`);
    expect(part.body.equals(data.subarray(100, 200))).toBe(true);
    const tail = await get(node.port, `/uri-res/N2R?${urn}`, { Range: 'bytes=-10' });
    expect(tail.body.equals(data.subarray(-10))).toBe(true);
    const head = await get(node.port, `/uri-res/N2R?${urn}`, {}, 'HEAD');
    expect([head.status, head.headers['content-length'], head.body.length]).toEqual([200, String(data.length), 0]);
    const bad = await get(node.port, `/uri-res/N2R?${urn}`, { Range: 'bytes=200000-' });
    expect(bad.status).toBe(416);
  });

  it('404 for anything not shared, including traversal names and a wrong name for an index', async () => {
    const paths = [
      '/uri-res/N2R?urn:sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      `/get/${index}/wrong.mp3`,
      `/get/${index}/../../../etc/passwd`,
      `/get/${index}/..%2F..%2Fetc%2Fpasswd`,
      '/get/999999/My%20Song.mp3',
      '/../../etc/passwd',
      '/get/1/%00',
      '/get/1/%E0%A4%A',
    ];
    for (const p of paths) {
      const text = await rawGet(node.port, p);
      expect(text, p).toMatch(/^HTTP\/1\.1 (404|400)/);
    }
  });

  it('a download source resumes from an offset; N2R falls back to /get; firewalled hits need a push', async () => {
    const hex = createHash('sha1').update(data).digest('hex');
    const src = httpSource({ ip: '127.0.0.1', port: node.port, index, name: 'My Song.mp3', sha1: hex, guid: '00'.repeat(16), firewalled: false });
    const { stream, start, total } = await src.open(60_000, new AbortController().signal);
    expect([start, total]).toEqual([60_000, data.length]);
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(data.subarray(60_000))).toBe(true);
    // A wrong SHA-1: N2R says 404, /get/<index>/<name> still serves the file.
    const byName = httpSource({ ip: '127.0.0.1', port: node.port, index, name: 'My Song.mp3', sha1: '00'.repeat(20), guid: '00'.repeat(16), firewalled: false });
    const r = await byName.open(0, new AbortController().signal);
    const all: Buffer[] = [];
    for await (const c of r.stream) all.push(c as Buffer);
    expect(Buffer.concat(all).equals(data)).toBe(true);
    await expect(httpSource({ ip: '127.0.0.1', port: node.port, index: 9999, name: 'x', guid: '00'.repeat(16), firewalled: false }).open(0, new AbortController().signal)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(httpSource({ ip: '127.0.0.1', port: node.port, index, name: 'x', guid: '00'.repeat(16), firewalled: true }).open(0, new AbortController().signal)).rejects.toThrow(/needs a push/);
  });

  it('503 with Retry-After when every upload slot is busy', async () => {
    const busy = await startGNode(1, { 'a.bin': Buffer.alloc(10) }, {}, { maxUploads: 0 });
    try {
      const r = await get(busy.port, `/get/${busy.share.byName('a.bin')!.index}/a.bin`);
      expect(r.status).toBe(503);
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await busy.stop();
    }
  });
});

describe('parseRange', () => {
  it.each([
    [undefined, 100, { kind: 'all' }],
    ['bytes=0-9', 100, { kind: 'range', start: 0, end: 9 }],
    ['bytes=90-', 100, { kind: 'range', start: 90, end: 99 }],
    ['bytes=90-500', 100, { kind: 'range', start: 90, end: 99 }],
    ['bytes=-5', 100, { kind: 'range', start: 95, end: 99 }],
    ['bytes=100-', 100, { kind: 'unsatisfiable' }],
    ['bytes=5-2', 100, { kind: 'unsatisfiable' }],
    ['items=1-2', 100, { kind: 'all' }],
  ])('%s of %i', (h, size, want) => expect(parseRange(h, size)).toEqual(want));
});
