import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeDescriptor } from '../../protocols/gnutella/descriptor.js';
import { encodePush } from '../../protocols/gnutella/push.js';
import { encodeGiv } from '../../protocols/gnutella/giv.js';
import { startGNode, type GNode } from './gnutella-net.js';
import { leafConnect, linkedUp, rawPeer, until } from './raw-peer.js';
import { encodeQuery } from '../../protocols/gnutella/query.js';
import { encodeQueryHit } from '../../protocols/gnutella/query-hit.js';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { base32Encode } from '../../src/share/base32.js';
import { upConnect } from './raw-peer.js';
import type { ServentOptions } from '../../protocols/gnutella/servent.js';
import { saveTransferState } from '../../src/transfer/transfer-state.js';

const sha1 = (b: Buffer): string => createHash('sha1').update(b).digest('hex');

async function gstatus(n: GNode): Promise<string> {
  return (await n.node.run('gnutella', 'gstatus', [])).join('\n');
}

/** Polls `/gstatus` until it matches. */
async function statusShows(n: GNode, re: RegExp, ms = 15_000): Promise<string> {
  const t0 = Date.now();
  for (;;) {
    const s = await gstatus(n);
    if (re.test(s)) return s;
    if (Date.now() - t0 > ms) throw new Error(`node ${n.index}: /gstatus never matched ${re}:\n${s}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * An ultrapeer, a downloading leaf A and a sharing leaf B (firewalled, forced),
 * all ours on 127.0.0.1; waits for B's QRP table at the ultrapeer.
 */
async function pushNet(files: Record<string, Buffer>, o: { up?: Partial<ServentOptions>; a?: Partial<ServentOptions>; b?: Partial<ServentOptions> } = {}): Promise<[GNode, GNode, GNode]> {
  const up = await startGNode(0, {}, { mode: 'ultrapeer', ...o.up });
  const peers = [`127.0.0.1:${up.port}`];
  const a = await startGNode(1, {}, { peers, ...o.a });
  const b = await startGNode(2, files, { peers, firewalled: true, ...o.b });
  await statusShows(up, /qrp complete[\s\S]*qrp complete/);
  return [up, a, b];
}

async function searchOne(a: GNode, words: string[]): Promise<ReturnType<GNode['of']>[number] & { type: 'search.hit' }> {
  await a.node.run('files', 'search', ['-p', 'gnutella', ...words]);
  await a.waitFor(() => a.of('search.hit').length > 0, 15_000);
  return a.of('search.hit')[0]!;
}

async function fetched(a: GNode, n: number, data: Buffer): Promise<void> {
  await a.node.run('files', 'get', [String(n)]);
  await a.waitFor(() => a.of('transfer.done').length === 1 || a.of('transfer.failed').length > 0, 30_000);
  expect(a.of('transfer.failed')).toEqual([]);
  const done = a.of('transfer.done')[0]!;
  expect(done).toMatchObject({ verified: true, sha1: sha1(data), bytes: data.length });
  expect((await readFile(done.path)).equals(data)).toBe(true);
}

describe('push: downloads from a firewalled leaf (spec 4)', () => {
  const nodes: GNode[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });

  it('by a routed Push: B calls back with GIV and serves 512 KiB pieces on that one socket; A was proven reachable by a connect-back', async () => {
    const data = randomBytes(1_300_000);
    const net = await pushNet({ 'pushed_routed_file.bin': data }, { up: { pushProxy: false }, b: { maxPieceBytes: 512 * 1024 } });
    nodes.push(...net);
    const [up, a, b] = net;
    expect(await gstatus(b)).toContain('firewalled: forced by --gnutella-firewalled');
    // The ultrapeer connected back (the reason names the latest incoming connection: the
    // ultrapeer may also have dialled A since).
    await statusShows(up, /connect-backs asked 0, made 1/);
    await statusShows(a, /not firewalled: (connect-back|incoming connection) from 127\.0\.0\.1/);
    expect(a.of('notice').map((e) => e.text)).toEqual(['firewalled: no incoming connection yet (ultrapeers are asked to connect back)', 'not firewalled: incoming connection from 127.0.0.1']);
    expect(b.node.snapshot().status.gnutella?.firewalled).toBe(true);
    expect(a.node.snapshot().status.gnutella?.firewalled).toBe(false);

    const hit = await searchOne(a, ['pushed', 'routed']);
    expect(hit).toMatchObject({ name: 'pushed_routed_file.bin', size: data.length, firewalled: true });
    await fetched(a, hit.n, data);
    expect(await gstatus(a)).toMatch(/push: sent 1 routed, 0\/0 through proxies; waiting 0, GIVs matched 1/);
    expect(await gstatus(b)).toMatch(/pushes for us 1 \(called back 1, failed 0\)/);
    // Three ranged answers, all on the pushed connection (there is no other way in).
    expect(b.of('transfer.done').filter((d) => d.direction === 'up')).toHaveLength(3);
    expect(await gstatus(up)).toMatch(/push proxy for 0 leaves/);
  }, 90_000);

  it("through B's push proxy: B lists its ultrapeer in GGEP PUSH, A asks it over HTTP, no routed Push is sent", async () => {
    const data = randomBytes(200_000);
    const net = await pushNet({ 'proxied_push_file.bin': data });
    nodes.push(...net);
    const [up, a, b] = net;
    await statusShows(b, new RegExp(`push: proxies 127\\.0\\.0\\.1:${up.port}`));
    await statusShows(a, /not firewalled/);
    const hit = await searchOne(a, ['proxied', 'push']);
    expect(hit.firewalled).toBe(true);
    await fetched(a, hit.n, data);
    expect(await gstatus(a)).toMatch(/push: sent 0 routed, 1\/1 through proxies/);
    expect(await gstatus(up)).toMatch(/push proxy for 2 leaves \(served 1, gone 0, bad 0, over the rate 0\)/);

    // A resumed download asks the holder for the rest, over a fresh push (as /retry of a .part does).
    const numbered = a.node.search.hit(hit.n)!;
    const source = a.node.search.request('gnutella', numbered.hit).source;
    const opened = await source.open(150_000, new AbortController().signal);
    expect([opened.start, opened.total]).toEqual([150_000, data.length]);
    const chunks: Buffer[] = [];
    for await (const c of opened.stream) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(data.subarray(150_000))).toBe(true);
    expect(await gstatus(a)).toMatch(/sent 0 routed, 2\/2 through proxies; waiting 0, GIVs matched 2,/);
  }, 90_000);

  it('a push proxy that says 202 but never pushes: after a grace the routed Push is sent too, and the download completes', async () => {
    const data = randomBytes(100_000);
    const net = await pushNet({ 'lying_proxy_file.bin': data }, { up: { pushProxy: false }, a: { pushWaitMs: 3_000 } });
    nodes.push(...net);
    const [, a, b] = net;
    await statusShows(a, /not firewalled/);
    const hit = await searchOne(a, ['lying', 'proxy']);
    const asked: Array<[string | undefined, string | string[] | undefined]> = [];
    const liar = createHttpServer((req, res) => {
      asked.push([req.url, req.headers['x-node']]);
      res.writeHead(202, 'Push Proxy: Message Sent', { 'Content-Length': '0' });
      res.end();
    });
    await new Promise<void>((r) => liar.listen(0, '127.0.0.1', r));
    try {
      const numbered = a.node.search.hit(hit.n)!;
      const ref = { ...(numbered.hit.ref as Record<string, unknown>), proxies: [`127.0.0.1:${(liar.address() as { port: number }).port}`] };
      const t0 = Date.now();
      const opened = await a.node.search.request('gnutella', { ...numbered.hit, ref }).source.open(0, new AbortController().signal);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(900); // the grace: a third of the 3 s wait
      const chunks: Buffer[] = [];
      for await (const c of opened.stream) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).equals(data)).toBe(true);
      const guid = /servent GUID ([0-9a-f]{32})/.exec(await gstatus(b))![1]!;
      expect(asked).toEqual([[`/gnutella/push-proxy?ServerId=${base32Encode(Buffer.from(guid, 'hex'))}`, `127.0.0.1:${a.port}`]]);
      expect(await gstatus(a)).toMatch(/sent 1 routed, 1\/1 through proxies; waiting 0, GIVs matched 1,/);
    } finally {
      await new Promise<void>((r) => liar.close(() => r()));
    }
  }, 60_000);

  it('a push download brought back at start-up waits for the connect-back still to come, not BOTH_FIREWALLED at once', async () => {
    const data = randomBytes(300_000);
    const net = await pushNet({ 'revived_push_file.bin': data });
    nodes.push(...net);
    const [up, a] = net;
    const hit = await searchOne(a, ['revived', 'push']);
    // What a run killed during this download left: C starts with it, and links (so a connect-back
    // can prove it reachable) only after the download was brought back.
    const dir = await mkdtemp(join(tmpdir(), 'peerdeck-push-revive-'));
    const stateFile = join(dir, 'transfers.json');
    const ref = a.node.search.hit(hit.n)!.hit.ref;
    await saveTransferState(stateFile, [{ name: hit.name, peer: hit.source, protocol: 'gnutella', size: data.length, sha1: sha1(data), ref, part: null, state: 'queued', reason: null }]);
    // C is stopped before its state folder is removed: it writes transfers.json there while it runs
    // (rm racing that write failed with ENOTEMPTY under load).
    let started: GNode | undefined;
    try {
      const c = (started = await startGNode(3, {}, {}, { stateFile }));
      await c.waitFor(() => c.transfers.list()[0]?.state !== 'queued');
      await new Promise((r) => setTimeout(r, 300)); // the push would have been refused by now
      await c.node.run('gnutella', 'gconnect', [`127.0.0.1:${up.port}`]);
      await c.waitFor(() => c.of('transfer.done').length + c.of('transfer.failed').length > 0, 30_000);
      expect(c.of('transfer.failed')).toEqual([]);
      expect((await readFile(c.of('transfer.done')[0]!.path)).equals(data)).toBe(true);
    } finally {
      await started?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('both firewalled: our firewalled leaf does not answer a firewalled querier (flag bit 14), and a hit from a servent that ignores it fails at once with BOTH_FIREWALLED', async () => {
    // The sharing side: a firewalled leaf under a raw ultrapeer answers a plain query, but not one whose bit 14 says the querier is firewalled too.
    const b = await startGNode(2, { 'both_fw_file.bin': randomBytes(10_000) }, { firewalled: true, maintainMs: 600_000 });
    nodes.push(b);
    const upB = await linkedUp(b.port);
    await until(() => upB.descriptors.some((d) => d.type === 0x30));
    const fwMuid = Buffer.alloc(16, 0x61);
    const plainMuid = Buffer.alloc(16, 0x62);
    upB.write(encodeDescriptor({ muid: fwMuid, type: 0x80, ttl: 1, hops: 1, payload: encodeQuery({ text: 'both fw', flags: 0x8000 | 0x4000 }) }));
    upB.write(encodeDescriptor({ muid: plainMuid, type: 0x80, ttl: 1, hops: 1, payload: encodeQuery({ text: 'both fw', flags: 0x8000 }) }));
    await until(() => upB.descriptors.some((d) => d.type === 0x81 && d.muid.equals(plainMuid)));
    expect(upB.descriptors.filter((d) => d.type === 0x81 && d.muid.equals(fwMuid))).toEqual([]);
    upB.socket.destroy();

    // The downloading side: a firewalled leaf gets a push-only hit from a servent that answered anyway.
    const a = await startGNode(1, {}, { firewalled: true, maintainMs: 600_000 });
    nodes.push(a);
    const upA = await linkedUp(a.port);
    await until(() => upA.descriptors.some((d) => d.type === 0x30));
    await a.node.run('files', 'search', ['-p', 'gnutella', 'both', 'fw']);
    await until(() => upA.descriptors.some((d) => d.type === 0x80));
    const q = upA.descriptors.find((d) => d.type === 0x80)!;
    expect(q.payload.readUInt16BE(0) & 0x4000).toBe(0x4000); // our own query says we are firewalled
    const hit = encodeQueryHit({ port: 6346, ip: '127.0.0.1', speed: 100, results: [{ index: 1, size: 10_000, name: 'both_fw_file.bin' }], vendor: 'TEST', push: true, busy: false, uploaded: false, serventGuid: Buffer.alloc(16, 0x11) });
    upA.write(encodeDescriptor({ muid: q.muid, type: 0x81, ttl: 2, hops: 0, payload: hit }));
    await a.waitFor(() => a.of('search.hit').length > 0, 15_000);
    const t0 = Date.now();
    await a.node.run('files', 'get', [String(a.of('search.hit')[0]!.n)]);
    await a.waitFor(() => a.of('transfer.failed').length > 0, 5_000);
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(a.of('transfer.failed')[0]!.reason).toMatch(/^BOTH_FIREWALLED: 127\.0\.0\.1:6346 is firewalled and so are we \(firewalled: forced by --gnutella-firewalled\)/);
    expect(a.of('transfer.done')).toEqual([]);
    upA.socket.destroy();
  }, 60_000);

  it('a push nobody answers times out with PUSH_TIMEOUT instead of hanging', async () => {
    const data = randomBytes(10_000);
    const net = await pushNet({ 'gone_holder_file.bin': data }, { up: { pushProxy: false }, a: { pushWaitMs: 1_500 } });
    nodes.push(...net);
    const [, a, b] = net;
    await statusShows(a, /not firewalled/);
    const hit = await searchOne(a, ['gone', 'holder']);
    await b.stop();
    await a.node.run('files', 'get', [String(hit.n)]);
    await a.waitFor(() => a.of('transfer.failed').length > 0, 10_000);
    expect(a.of('transfer.failed')[0]!.reason).toMatch(/^PUSH_TIMEOUT: 127\.0\.0\.1:\d+ did not connect back within 2 s after a routed Push via 127\.0\.0\.1:\d+/);
    expect(await gstatus(a)).toMatch(/timed out 1/);
  }, 60_000);
});

describe('push: hostile and stray input', () => {
  const nodes: GNode[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });

  it('a Push for an unknown GUID is dropped and counted; a GIV nobody waits for and a bad GIV are closed; the servent carries on', async () => {
    const up = await startGNode(0, {}, { mode: 'ultrapeer' });
    nodes.push(up);
    const leaf = await startGNode(1, { 'x.bin': randomBytes(100) }, { peers: [`127.0.0.1:${up.port}`], firewalled: true });
    nodes.push(leaf);
    await statusShows(up, /qrp complete/);
    const p = await rawPeer(up.port);
    p.write(leafConnect(['GUID: 00112233445566778899aabbccddeeff', 'Accept-Encoding: deflate']));
    await until(() => p.text().includes('\r\n\r\n'));
    p.write('GNUTELLA/0.6 200 OK\r\n\r\n');
    p.binary({ inflate: true });
    const stranger = Buffer.alloc(16, 0x58);
    p.write(encodeDescriptor({ muid: Buffer.alloc(16, 1), type: 0x40, ttl: 3, hops: 0, payload: encodePush({ serventGuid: stranger, index: 1, ip: '127.0.0.1', port: 9 }) }));
    await statusShows(up, /dropped: unknown-guid 1/);
    expect(await gstatus(leaf)).toMatch(/pushes for us 0/);

    // A GIV for a download nobody started, and a garbled one.
    for (const bytes of [encodeGiv({ index: 1, serventGuid: stranger, name: 'file' }), Buffer.from('GIV x:zz/file\n\n')]) {
      const s = connect({ host: '127.0.0.1', port: up.port });
      s.on('error', () => undefined);
      s.write(bytes);
      await new Promise<void>((r) => s.once('close', () => r()));
    }
    await statusShows(up, /unmatched 1, timed out 0, bad 1/);
    // The link of the raw leaf and the real leaf are still up.
    expect(p.isClosed()).toBe(false);
    expect(up.node.snapshot().status.gnutella?.peers).toBe(2);
    p.socket.destroy();
  }, 60_000);

  it('a Push from another ultrapeer for a leaf we proxy goes down its link; the leaf calls back with GIV and serves HTTP on that socket', async () => {
    const data = randomBytes(50_000);
    const up = await startGNode(0, {}, { mode: 'ultrapeer' });
    nodes.push(up);
    const leaf = await startGNode(1, { 'raw_giv_file.bin': data }, { peers: [`127.0.0.1:${up.port}`], firewalled: true });
    nodes.push(leaf);
    await statusShows(up, /push proxy for 1 leaves/);
    const guid = /servent GUID ([0-9a-f]{32})/.exec(await gstatus(leaf))![1]!;

    // A downloader of our own making: a listening socket that takes the callback.
    const calls: Socket[] = [];
    const server = createServer((s) => calls.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const p = await rawPeer(up.port);
      p.write(upConnect());
      await until(() => p.text().includes('\r\n\r\n'));
      p.write('GNUTELLA/0.6 200 OK\r\n\r\n');
      p.binary();
      p.write(encodeDescriptor({ muid: Buffer.alloc(16, 9), type: 0x40, ttl: 2, hops: 0, payload: encodePush({ serventGuid: Buffer.from(guid, 'hex'), index: 0, ip: '127.0.0.1', port }) }));
      await until(() => calls.length === 1, 10_000);
      const sock = calls[0]!;
      let got = Buffer.alloc(0);
      sock.on('data', (c: Buffer) => (got = Buffer.concat([got, c])));
      await until(() => got.includes('\n\n'));
      expect(got.toString('latin1')).toBe(`GIV 0:${guid}/file\n\n`);
      got = Buffer.alloc(0);
      const urn = `urn:sha1:${base32Encode(createHash('sha1').update(data).digest())}`;
      sock.write(`GET /uri-res/N2R?${urn} HTTP/1.1\r\nHost: 127.0.0.1:0\r\nRange: bytes=1000-\r\n\r\n`);
      await until(() => {
        const end = got.indexOf('\r\n\r\n');
        return end !== -1 && got.length - end - 4 >= data.length - 1000;
      });
      const end = got.indexOf('\r\n\r\n');
      const head = got.subarray(0, end).toString('latin1');
      expect(head).toMatch(/^HTTP\/1\.1 206 /);
      expect(head).toContain(`X-Gnutella-Content-URN: ${urn}`);
      expect(head).toContain(`Content-Range: bytes 1000-${data.length - 1}/${data.length}`);
      expect(head).toContain(`X-Push-Proxy: 127.0.0.1:${up.port}`);
      expect(got.subarray(end + 4).equals(data.subarray(1000))).toBe(true);
      expect(await gstatus(leaf)).toMatch(/pushes for us 1 \(called back 1, failed 0\)/);
      sock.destroy();
      p.socket.destroy();
    } finally {
      for (const c of calls) c.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  }, 60_000);

  it("a connect-back in LimeWire's words or gtk-gnutella's bare blank line makes a servent not firewalled, and is closed", async () => {
    for (const words of ['CONNECT BACK\r\n\r\n', '\n\n']) {
      const n = await startGNode(0, {});
      nodes.push(n);
      expect(await gstatus(n)).toMatch(/^firewalled: no incoming connection yet/m);
      const s = connect({ host: '127.0.0.1', port: n.port });
      s.on('error', () => undefined);
      s.write(words);
      await new Promise<void>((r) => s.once('close', () => r()));
      await statusShows(n, /^not firewalled: connect-back from 127\.0\.0\.1$/m);
      expect(n.node.snapshot().status.gnutella?.firewalled).toBe(false);
    }
  }, 30_000);

  it('the push-proxy endpoint answers 400 to a malformed request and 410 for a servent that is not our leaf', async () => {
    const up = await startGNode(0, {}, { mode: 'ultrapeer' });
    nodes.push(up);
    const ask = async (path: string, headers: Record<string, string>): Promise<number> => {
      const res = await fetch(`http://127.0.0.1:${up.port}${path}`, { headers });
      await res.arrayBuffer();
      return res.status;
    };
    expect(await ask('/gnutella/push-proxy?ServerId=AERUKZ4JVPG677YAAAAAAAFKAA', {})).toBe(400);
    expect(await ask('/gnet/push-proxy?guid=nothex', { 'X-Node': '127.0.0.1:9' })).toBe(400);
    expect(await ask('/gnutella/push-proxy?ServerId=AERUKZ4JVPG677YAAAAAAAFKAA', { 'X-Node': '127.0.0.1:9' })).toBe(410);
    expect(await gstatus(up)).toMatch(/push proxy for 0 leaves \(served 0, gone 1, bad 2, over the rate 0\)/);
    // One address may ask 30 times a minute: every request makes a leaf connect somewhere.
    const statuses: number[] = [];
    for (let i = 0; i < 28; i++) statuses.push(await ask('/gnutella/push-proxy?ServerId=AERUKZ4JVPG677YAAAAAAAFKAA', { 'X-Node': '127.0.0.1:9' }));
    expect(statuses.slice(0, 27).every((st) => st === 410)).toBe(true);
    expect(statuses[27]).toBe(429);
    expect(await gstatus(up)).toMatch(/over the rate 1\)/);
  }, 30_000);
});
