import { createServer } from 'node:net';
import { deflateSync, constants as zc } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { NetError } from '../../src/errors.js';
import { handToHttp } from '../../src/net/http-handoff.js';
import { createServer as createHttpServer } from 'node:http';
import { managersClosedAfterEach, rawClient, recorder, waitUntil } from './helpers.js';

const manager = managersClosedAfterEach();

/** A deflate stream with a sync flush, as a peer that compresses its side sends it. */
function deflated(text: string | Buffer): Buffer {
  return deflateSync(text, { finishFlush: zc.Z_SYNC_FLUSH });
}

describe('connection core seams for Gnutella and Napster', () => {
  it('compresses each direction on its own (Gnutella negotiates them separately)', async () => {
    const server = recorder('z');
    const client = recorder('z');
    const gs = manager().group(server.opts);
    const gc = manager().group(client.opts);
    const l = await gs.listen(0, { host: '127.0.0.1' });
    const out = await gc.dial('127.0.0.1', l.port);
    await waitUntil(() => server.opened.length === 1);
    const inbound = server.opened[0]!;
    // only client -> server is compressed
    out.compressOut();
    inbound.compressIn();
    const line = 'q'.repeat(1000);
    out.send(`${line}\n`);
    await waitUntil(() => server.messages.length === 1);
    expect(server.messages[0]!.msg).toBe(line);
    expect(inbound.bytesIn).toBeLessThan(200);
    expect(inbound.compressed).toBe(false);
    expect(inbound.inflating).toBe(true);
    // server -> client stays plain
    inbound.send(`${line}\n`);
    await waitUntil(() => client.messages.length === 1);
    expect(client.messages[0]!.msg).toBe(line);
    expect(out.bytesIn).toBe(line.length + 1);
  });

  it('closes a link whose deflate stream expands past the ratio limit (a deflate bomb), others unharmed', async () => {
    const r = recorder('bomb', undefined, {});
    const slack = 16 * 1024;
    r.opts.handler.onOpen = (c) => {
      r.opened.push(c);
      c.compressIn({ maxRatio: 50, slackBytes: slack });
    };
    const g = manager().group(r.opts);
    const l = await g.listen(0, { host: '127.0.0.1' });
    const good = await rawClient(l.port);
    const bad = await rawClient(l.port);
    await waitUntil(() => r.opened.length === 2);
    // 2 MiB of short lines compress ~1000:1, twenty times what the limit lets through. (It was
    // 20 MiB: the handler then took about half a million lines before the limit, and the deflateSync and
    // those lines took seconds of CPU under load, past the wait below.)
    const bomb = deflated(Buffer.alloc(2 * 1024 * 1024, 'a\n'));
    const allowed = 50 * bomb.length + slack;
    expect(2 * 1024 * 1024).toBeGreaterThan(10 * allowed);
    bad.socket.write(bomb);
    // The close is certain (or the limit is broken): a wait bounded only against a hung test.
    await waitUntil(() => bad.ended(), 30_000);
    const reason = r.closed.find((c) => c.reason?.code === 'INFLATE_LIMIT')?.reason;
    expect(reason).toBeInstanceOf(NetError);
    expect(reason?.message).toMatch(/expands past 50:1/);
    // of the 1 M lines in the bomb, only what the ratio allows (plus one zlib chunk) reached the handler
    expect(r.messages.length * 2).toBeLessThanOrEqual(allowed + 64 * 1024);
    const before = r.messages.length;
    good.socket.write(deflated('still fine\n'));
    await waitUntil(() => r.messages.length === before + 1);
    expect(r.messages.at(-1)!.msg).toBe('still fine');
  });

  it('inflating pauses with the link: nothing more is decoded until resume()', async () => {
    const r = recorder('pz');
    r.opts.handler.onMessage = (conn, msg) => {
      r.messages.push({ conn, msg });
      if (r.messages.length === 1) conn.pause();
    };
    const g = manager().group(r.opts);
    const l = await g.listen(0, { host: '127.0.0.1' });
    const c = await rawClient(l.port);
    await waitUntil(() => r.opened.length === 1);
    const conn = r.opened[0]!;
    conn.compressIn();
    const lines = Array.from({ length: 50_000 }, (_, i) => `line ${i}\n`).join('');
    c.socket.write(deflated(lines)); // ~100 KB compressed, 600 KB inflated: many zlib chunks
    await waitUntil(() => r.messages.length === 1);
    await new Promise((res) => setTimeout(res, 100));
    expect(r.messages).toHaveLength(1);
    // zlib stopped too: not the whole 600 KB sits inflated in memory
    expect(conn.bufferedIn).toBeLessThan(200 * 1024);
    conn.resume();
    await waitUntil(() => r.messages.length === 50_000);
    expect(r.messages.at(-1)!.msg).toBe('line 49999');
  });

  it('end of stream means no more requests: a half-closed caller still gets a late answer', async () => {
    const answered: string[] = [];
    const r = recorder('half');
    r.opts.handler.onMessage = (conn, msg) => {
      r.messages.push({ conn, msg });
      // answer later, after the FIN has arrived
      setTimeout(() => {
        conn.send(`answer to ${msg}\n`);
        conn.close();
      }, 100);
    };
    r.opts.handler.onEnd = (conn) => answered.push(`end ${conn.id}`);
    const g = manager().group(r.opts);
    const l = await g.listen(0, { host: '127.0.0.1' });
    const c = await rawClient(l.port);
    c.socket.end('question\n');
    await waitUntil(() => c.ended());
    expect(c.received()).toBe('answer to question\n');
    expect(answered).toHaveLength(1);
    expect(r.closed[0]!.reason).toBeUndefined();
  });

  it('without an onEnd hook, end of stream still delivers every message, then closes', async () => {
    const r = recorder('eos');
    const g = manager().group(r.opts);
    const l = await g.listen(0, { host: '127.0.0.1' });
    const c = await rawClient(l.port);
    await waitUntil(() => r.opened.length === 1);
    r.opened[0]!.pause();
    c.socket.end('a\nb\nlast');
    await new Promise((res) => setTimeout(res, 100));
    expect(r.closed).toHaveLength(0); // paused: FIN waits behind the unread messages
    r.opened[0]!.resume();
    await waitUntil(() => r.closed.length === 1);
    expect(r.messages.map((m) => m.msg)).toEqual(['a', 'b', 'last']);
    expect(r.closed[0]!.reason?.code).toBe('CLOSED');
  });

  it('a detached or http-handed socket counts against the limits until it closes', async () => {
    const r = recorder('det', undefined, { limits: { maxInbound: 1 } });
    let detached: import('node:net').Socket | undefined;
    r.opts.handler.onMessage = (conn, msg) => {
      if (msg === 'detach') detached = conn.detach().socket;
    };
    const g = manager().group(r.opts);
    const l = await g.listen(0, { host: '127.0.0.1' });
    const first = await rawClient(l.port);
    first.socket.write('detach\n');
    await waitUntil(() => detached !== undefined);
    expect(g.connections.size).toBe(0);
    expect(g.count('in')).toBe(1);
    const second = await rawClient(l.port);
    await waitUntil(() => second.ended());
    expect(second.received()).toMatch(/inbound link limit \(1\)/);
    detached!.destroy();
    await waitUntil(() => g.count('in') === 0);
    const third = await rawClient(l.port);
    await waitUntil(() => r.opened.length === 2);
    third.socket.destroy();

    // the same through node:http: the socket is counted while http serves it
    let release: () => void = () => undefined;
    const held = new Promise<void>((res) => (release = res));
    const http = createHttpServer((_req, res) => void held.then(() => res.end('ok')));
    const m = manager();
    const gh = m.group<string>({
      ...recorder('h').opts,
      handler: { onMessage: (conn, line) => handToHttp(conn, http, Buffer.from(`${line}\r\n`)) },
    });
    const lh = await gh.listen(0, { host: '127.0.0.1' });
    const client = await rawClient(lh.port);
    client.socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await waitUntil(() => gh.count('in') === 1 && gh.connections.size === 0);
    expect(m.inbound).toBe(1);
    release();
    await waitUntil(() => client.ended());
    expect(client.received()).toMatch(/\r\n\r\nok$/);
    await waitUntil(() => m.inbound === 0);
    http.close();
  });

  it('calls onDrain when a congested link falls back to its low watermark', async () => {
    const drains: number[] = [];
    const r = recorder('drain', undefined, { queue: { highWater: 64 * 1024, lowWater: 16 * 1024, hardCap: 64 * 1024 * 1024 } });
    r.opts.handler.onDrain = (c) => drains.push(c.queuedBytes);
    const g = manager().group(r.opts);
    const l = await g.listen(0, { host: '127.0.0.1' });
    const c = await rawClient(l.port);
    c.socket.pause();
    await waitUntil(() => r.opened.length === 1);
    const conn = r.opened[0]!;
    for (let i = 0; i < 32; i++) conn.send(Buffer.alloc(1024 * 1024, 0x62)); // more than the kernel buffers
    expect(conn.congested).toBe(true);
    await new Promise((res) => setTimeout(res, 50));
    expect(drains).toHaveLength(0);
    c.socket.resume();
    await waitUntil(() => drains.length === 1);
    expect(drains[0]).toBeLessThanOrEqual(16 * 1024);
    expect(conn.congested).toBe(false);
  });

  it('onTimeout may keep an idle link (a keep-alive) or let it close', async () => {
    const seen: string[] = [];
    const r = recorder('ka', undefined, { timeouts: { handshakeMs: 0, idleMs: 100 } });
    r.opts.handler.onTimeout = (conn, err) => {
      seen.push(err.code);
      if (seen.length > 2) return false;
      conn.send('PING\n');
      return true;
    };
    const g = manager().group(r.opts);
    const l = await g.listen(0, { host: '127.0.0.1' });
    const c = await rawClient(l.port);
    await waitUntil(() => c.ended());
    expect(seen).toEqual(['IDLE_TIMEOUT', 'IDLE_TIMEOUT', 'IDLE_TIMEOUT']);
    expect(c.received()).toBe('PING\nPING\n');
    expect(r.closed[0]!.reason?.code).toBe('IDLE_TIMEOUT');

    const h = recorder('hs', undefined, { timeouts: { handshakeMs: 100, idleMs: 0 } });
    h.opts.handler.onTimeout = (_c, err) => (seen.push(err.code), false);
    const gh = manager().group(h.opts);
    const lh = await gh.listen(0, { host: '127.0.0.1' });
    const ch = await rawClient(lh.port);
    await waitUntil(() => ch.ended());
    expect(seen.at(-1)).toBe('HANDSHAKE_TIMEOUT');
  });

  it('dial() takes an abort signal: an aborted dial rejects with its reason and holds no slot', async () => {
    const target = await manager().group(recorder('target').opts).listen(0, { host: '127.0.0.1' });
    const g = manager().group(recorder('ab', undefined, { limits: { maxOutbound: 1 } }).opts);
    const ac = new AbortController();
    ac.abort(NetError.closed('user gave up'));
    await expect(g.dial('127.0.0.1', target.port, { signal: ac.signal })).rejects.toMatchObject({ code: 'CLOSED', message: 'user gave up' });
    const ac2 = new AbortController();
    const dial = g.dial('127.0.0.1', target.port, { signal: ac2.signal, timeoutMs: 20_000 });
    ac2.abort(NetError.timeout('search', 5));
    await expect(dial).rejects.toMatchObject({ code: 'TIMEOUT' });
    // the slot came back: a dial within maxOutbound 1 works
    const ok = await g.dial('127.0.0.1', target.port);
    expect(ok.closed).toBe(false);
    expect(g.count('out')).toBe(1);
  });

  it('a closing link keeps its count until the socket is gone', async () => {
    const silent = createServer(() => undefined); // never closes its side
    await new Promise<void>((res) => silent.listen(0, '127.0.0.1', res));
    const port = (silent.address() as { port: number }).port;
    const m = manager();
    const g = m.group(recorder('linger').opts);
    const conn = await g.dial('127.0.0.1', port);
    conn.close();
    expect(g.connections.size).toBe(0);
    expect(m.outbound).toBe(1); // FIN sent, the peer has not closed: the socket still exists
    await waitUntil(() => m.outbound === 0, 5_000); // destroyed after the close grace
    silent.close();
  });
});
