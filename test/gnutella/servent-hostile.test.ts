import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeDescriptor } from '../../protocols/gnutella/descriptor.js';
import { encodeQuery } from '../../protocols/gnutella/query.js';
import { encodeBye } from '../../protocols/gnutella/bye.js';
import { decodeMessage } from '../../protocols/gnutella/messages.js';
import { encodePong } from '../../protocols/gnutella/pong.js';
import { hex } from './fixtures.js';
import { startGNode, type GNode } from './gnutella-net.js';
import { leafConnect, linkedUp, rawPeer, until, upConnect, type RawPeer } from './raw-peer.js';

const muid = (n: number): Buffer => Buffer.alloc(16, n);

describe('our leaf facing hostile peers', () => {
  let leaf: GNode;
  beforeAll(async () => {
    leaf = await startGNode(0, { 'song.mp3': 'x'.repeat(1000) }, { links: 10 });
  });
  afterAll(async () => {
    await leaf.stop();
  });

  it("refuses a leaf as gtk-gnutella's leaves do: 204 Shielded leaf node, with hosts to try, then closes", async () => {
    const p = await rawPeer(leaf.port);
    p.write(leafConnect(['Accept-Encoding: deflate']));
    await p.closed;
    expect(p.text()).toMatch(/^GNUTELLA\/0\.6 204 Shielded leaf node \(10 peers max\)\r\n/);
    expect(p.text()).toMatch(/\r\nRemote-IP: 127\.0\.0\.1\r\n/);
  });

  it('answers a G2 servent (its step 3 says Content-Type: application/x-gnutella2) with 406 Protocol not acceptable, then closes', async () => {
    const p = await rawPeer(leaf.port);
    p.write(upConnect(['Accept: application/x-gnutella2']));
    await until(() => p.text().includes('\r\n\r\n'));
    expect(p.text()).toMatch(/^GNUTELLA\/0\.6 200 /);
    const step2 = p.text().length;
    p.write('GNUTELLA/0.6 200 OK\r\nContent-Type: application/x-gnutella2\r\n\r\n');
    await p.closed;
    expect(p.text().slice(step2)).toMatch(/^GNUTELLA\/0\.6 406 Protocol not acceptable\r\n/);
  });

  it('answers an alive ping with a pong of the same MUID and sends no relay', async () => {
    const p = await linkedUp(leaf.port);
    await until(() => p.descriptors.some((d) => d.type === 0x00)); // our own alive ping
    p.write(encodeDescriptor({ muid: muid(1), type: 0x00, ttl: 1, hops: 0, payload: Buffer.alloc(0) }));
    await until(() => p.descriptors.some((d) => d.type === 0x01));
    const pong = p.descriptors.find((d) => d.type === 0x01)!;
    expect(pong.muid.equals(muid(1))).toBe(true);
    expect(decodeMessage(pong)).toMatchObject({ kind: 'pong', port: leaf.port, ip: '127.0.0.1', files: 1 });
    // QRP RESET + PATCH were sent too (a leaf's first messages, spec 1.6).
    expect(p.descriptors.filter((d) => d.type === 0x30).length).toBeGreaterThanOrEqual(2);
    p.socket.destroy();
  });

  it('keeps the pongs peers send, but as a leaf answers a first ping with its own pong alone (gtk-gnutella leaves pass on no cache), an alive ping too', async () => {
    const a = await linkedUp(leaf.port);
    const b = await linkedUp(leaf.port);
    await until(() => a.descriptors.some((d) => d.type === 0x00));
    const ourPing = a.descriptors.find((d) => d.type === 0x00)!;
    a.write(encodeDescriptor({ muid: ourPing.muid, type: 0x01, ttl: 1, hops: 0, payload: encodePong({ port: 7777, ip: '127.0.0.9', files: 5, kbytes: 64 }) }));
    for (let i = 0; i < 200 && !/pong cache 1\b/.test((await leaf.node.run('gnutella', 'gstatus', [])).join('\n')); i++) await new Promise((r) => setTimeout(r, 50));
    b.write(encodeDescriptor({ muid: muid(30), type: 0x00, ttl: 3, hops: 0, payload: Buffer.alloc(0) }));
    b.write(encodeDescriptor({ muid: muid(31), type: 0x00, ttl: 1, hops: 0, payload: Buffer.alloc(0) }));
    b.write(encodeDescriptor({ muid: muid(32), type: 0x80, ttl: 2, hops: 1, payload: encodeQuery({ text: 'song' }) }));
    await until(() => b.descriptors.some((d) => d.type === 0x81 && d.muid.equals(muid(32))));
    const pongs = b.descriptors.filter((d) => d.type === 0x01 && d.muid.equals(muid(30))).map((d) => decodeMessage(d));
    expect(pongs).toEqual([expect.objectContaining({ port: leaf.port, files: 1 })]);
    expect(b.descriptors.filter((d) => d.type === 0x01 && d.muid.equals(muid(31)))).toHaveLength(1);
    // a's own pong is never served back to a
    a.write(encodeDescriptor({ muid: muid(33), type: 0x00, ttl: 3, hops: 0, payload: Buffer.alloc(0) }));
    a.write(encodeDescriptor({ muid: muid(34), type: 0x80, ttl: 2, hops: 1, payload: encodeQuery({ text: 'song' }) }));
    await until(() => a.descriptors.some((d) => d.type === 0x81 && d.muid.equals(muid(34))));
    expect(a.descriptors.filter((d) => d.type === 0x01 && d.muid.equals(muid(33)))).toHaveLength(1);
    a.socket.destroy();
    b.socket.destroy();
  });

  it('drops TTL 0, a ping past TTL+hops 15, invalid UTF-8 and truncated GGEP, keeps the link, answers good queries (past 15 too, as a gtk-gnutella leaf does)', async () => {
    const p = await linkedUp(leaf.port);
    const q = (id: number, ttl: number, hops: number, payload: Buffer): Buffer => encodeDescriptor({ muid: muid(id), type: 0x80, ttl, hops, payload });
    p.write(q(10, 0, 1, encodeQuery({ text: 'song' })));
    p.write(q(11, 10, 6, encodeQuery({ text: 'song' })));
    p.write(encodeDescriptor({ muid: muid(15), type: 0x00, ttl: 10, hops: 6, payload: Buffer.alloc(0) }));
    p.write(q(12, 2, 1, hex('80 00 73 ff fe 6f 00')));
    p.write(encodeDescriptor({ muid: muid(13), type: 0x00, ttl: 1, hops: 0, payload: hex('c3 82 42 48 45 01') }));
    p.write(q(14, 2, 1, encodeQuery({ text: 'song' })));
    await until(() => p.descriptors.some((d) => d.type === 0x81 && d.muid.equals(muid(14))));
    const hits = p.descriptors.filter((d) => d.type === 0x81);
    expect(hits.map((h) => h.muid[0])).toEqual([11, 14]);
    expect(hits[0]!.hops).toBe(0);
    const status = (await leaf.node.run('gnutella', 'gstatus', [])).join('\n');
    expect(status).toMatch(/ttl-zero 1/);
    expect(status).toMatch(/high-ttl 1/);
    expect(status).toMatch(/malformed 2/);
    expect(p.isClosed()).toBe(false);
    p.socket.destroy();
  });

  it('a length of 0xFFFFFFFF or a Query over its limit gets Bye 400 and closes that link only (spec 6)', async () => {
    const good = await linkedUp(leaf.port);
    for (const length of [0xffffffff, 4096]) {
      const bad = await linkedUp(leaf.port);
      const h = Buffer.alloc(23);
      h[16] = 0x80;
      h[17] = 1;
      h.writeUInt32LE(length, 19);
      bad.write(Buffer.concat([h, Buffer.alloc(Math.min(length, 4096))]));
      await bad.closed;
      const bye = bad.descriptors.find((d) => d.type === 0x02);
      expect(bye && decodeMessage(bye)).toMatchObject({ kind: 'bye', code: 400 });
      expect(bye!).toMatchObject({ ttl: 1, hops: 0 });
    }
    good.write(encodeDescriptor({ muid: muid(20), type: 0x80, ttl: 2, hops: 1, payload: encodeQuery({ text: 'song' }) }));
    await until(() => good.descriptors.some((d) => d.type === 0x81));
    expect(good.isClosed()).toBe(false);
    good.socket.destroy();
  });

  it('a 10 KB header line, 200 header lines and a 20 KB block get 413 in gtk-gnutella\'s words, then a close; a 0.4 connect and an oversized GET are closed without a word; the port still works', async () => {
    const cases: Array<[string, string]> = [
      [upConnect([`X-Big: ${'a'.repeat(10_000)}`]), 'Header line too long'],
      [upConnect(Array.from({ length: 200 }, (_, i) => `X-H${i}: 1`)), 'Header has too many lines'],
      [upConnect(Array.from({ length: 40 }, (_, i) => `X-H${i}: ${'b'.repeat(500)}`)), 'Header too large'],
    ];
    for (const [req, reason] of cases) {
      const p = await rawPeer(leaf.port);
      p.write(req);
      await p.closed;
      expect(p.text()).toBe(`GNUTELLA/0.6 413 ${reason}\r\nUser-Agent: peerdeck/0.1\r\nRemote-IP: 127.0.0.1\r\n\r\n`);
    }
    for (const req of ['GNUTELLA CONNECT/0.4\r\n\r\n', `GET / HTTP/1.1\r\n${Array.from({ length: 40 }, (_, i) => `X-H${i}: ${'b'.repeat(500)}`).join('\r\n')}\r\n\r\n`]) {
      const p = await rawPeer(leaf.port);
      p.write(req);
      await p.closed;
      expect(p.text()).toBe('');
    }
    const ok = await linkedUp(leaf.port);
    ok.socket.destroy();
  });

  it('a connect with a malformed header line (no colon) is read on, as gtk-gnutella does, and accepted', async () => {
    const p = await rawPeer(leaf.port);
    p.write(upConnect(['This line has no colon', 'X-Another: fine']));
    await until(() => p.text().includes('\r\n\r\n'));
    expect(p.text()).toMatch(/^GNUTELLA\/0\.6 200 /);
    p.socket.destroy();
  });

  it('never relays: a query from one ultrapeer reaches no other link; a Bye closes the link at once', async () => {
    const a = await linkedUp(leaf.port);
    const b = await linkedUp(leaf.port);
    await until(() => b.descriptors.some((d) => d.type === 0x30));
    a.write(encodeDescriptor({ muid: muid(50), type: 0x80, ttl: 4, hops: 0, payload: encodeQuery({ text: 'nothing matches this' }) }));
    a.write(encodeDescriptor({ muid: muid(51), type: 0x80, ttl: 4, hops: 0, payload: encodeQuery({ text: 'song' }) }));
    await until(() => a.descriptors.some((d) => d.type === 0x81));
    expect(b.descriptors.filter((d) => d.type === 0x80)).toEqual([]);
    a.write(encodeDescriptor({ muid: muid(52), type: 0x02, ttl: 1, hops: 0, payload: encodeBye(200, 'Shutting down', 'RawPeer/0.1') }));
    await a.closed;
    expect(b.isClosed()).toBe(false);
    b.socket.destroy();
  });

});

describe('our ultrapeer facing a leaf that relays', () => {
  let up: GNode;
  beforeAll(async () => {
    up = await startGNode(0, {}, { mode: 'ultrapeer' });
  });
  afterAll(async () => {
    await up.stop();
  });

  it('closes it with Bye 414', async () => {
    const p = await rawPeer(up.port);
    p.write(leafConnect(['Accept-Encoding: deflate']));
    await until(() => p.text().includes('\r\n\r\n'));
    expect(p.text()).toMatch(/^GNUTELLA\/0\.6 200/);
    expect(p.text()).toMatch(/X-Degree: (\d+)/);
    p.write('GNUTELLA/0.6 200 OK\r\n\r\n');
    p.binary({ inflate: true });
    p.write(encodeDescriptor({ muid: muid(30), type: 0x80, ttl: 2, hops: 1, payload: encodeQuery({ text: 'anything' }) }));
    await p.closed;
    await until(() => p.descriptors.some((d) => d.type === 0x02));
    const bye = p.descriptors.find((d) => d.type === 0x02);
    expect(bye && decodeMessage(bye)).toMatchObject({ kind: 'bye', code: 414 });
  });
});

describe('compressed links with a hostile peer', () => {
  let leaf: GNode;
  beforeAll(async () => {
    leaf = await startGNode(0, { 'song.mp3': 'x'.repeat(1000) });
  });
  afterAll(async () => {
    await leaf.stop();
  });

  async function compressedUp(opts: { peerDeflates: boolean }): Promise<RawPeer> {
    const p = await rawPeer(leaf.port);
    p.write(upConnect(['Accept-Encoding: deflate']));
    await until(() => p.text().includes('\r\n\r\n'));
    expect(p.text()).toMatch(/Content-Encoding: deflate/);
    p.write(`GNUTELLA/0.6 200 OK\r\n${opts.peerDeflates ? 'Content-Encoding: deflate\r\n' : ''}\r\n`);
    p.binary({ inflate: true, deflate: opts.peerDeflates });
    return p;
  }

  it('compresses our side when only the peer accepts deflate, and reads its plain side', async () => {
    const p = await compressedUp({ peerDeflates: false });
    p.write(encodeDescriptor({ muid: muid(40), type: 0x80, ttl: 2, hops: 1, payload: encodeQuery({ text: 'song' }) }));
    await until(() => p.descriptors.some((d) => d.type === 0x81));
    expect(p.isClosed()).toBe(false);
    p.socket.destroy();
  });

  it('a zlib bomb closes that link only', async () => {
    const good = await compressedUp({ peerDeflates: true });
    const bad = await compressedUp({ peerDeflates: true });
    // 64 MB of zero bytes: valid descriptors (TTL 0 pings) that would expand ~1000:1.
    bad.write(Buffer.alloc(64 * 1024 * 1024));
    await bad.closed;
    good.write(encodeDescriptor({ muid: muid(41), type: 0x80, ttl: 2, hops: 1, payload: encodeQuery({ text: 'song' }) }));
    await until(() => good.descriptors.some((d) => d.type === 0x81));
    expect(good.isClosed()).toBe(false);
    const status = (await leaf.node.run('gnutella', 'gstatus', [])).join('\n');
    expect(status).toMatch(/deflate in\+out/);
    good.socket.destroy();
  });
});
