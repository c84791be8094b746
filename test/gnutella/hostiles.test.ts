/**
 * The hostile-address list (hostiles.ts, list-file.ts) as gtk-gnutella keeps
 * hostiles.txt: the parser on fixtures and random input (never throws, bounded),
 * and a real servent that refuses a hostile address with `550 Hostile IP address
 * banned` at both doors, keeps hostile hosts out of its host cache, does not
 * dial them, and reloads the list on `/ghostiles reload`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeDescriptor } from '../../protocols/gnutella/descriptor.js';
import { Hostiles, parseHostiles } from '../../protocols/gnutella/hostiles.js';
import { MAX_LINE_CHARS, MAX_LIST_BYTES, MAX_LIST_LINES, MAX_REPORTED_PROBLEMS, readListFile } from '../../protocols/gnutella/list-file.js';
import { encodePong } from '../../protocols/gnutella/pong.js';
import { packHosts } from '../../protocols/gnutella/ipv4.js';
import { eventually, gstatus } from './gstatus.js';
import { startGNode, type GNode } from './gnutella-net.js';
import { linkedRawPeer, linkedUp, rawPeer, until, upConnect } from './raw-peer.js';
import { encodePush } from '../../protocols/gnutella/push.js';
import { encodeQuery } from '../../protocols/gnutella/query.js';

const nodes: GNode[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempFile(text: string | Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'peerdeck-hostiles-'));
  dirs.push(dir);
  const file = join(dir, 'hostiles.txt');
  await writeFile(file, text);
  return file;
}

describe('parsing a hostiles file', () => {
  it('reads addresses, CIDR ranges and a-b ranges with # comments; bad lines are reported by number and skipped', () => {
    const p = parseHostiles(['# BearShare hostiles', '10.1.2.3', '  192.168.0.0/16  # a comment', '', '172.16.0.1 - 172.16.0.9', 'not.an.ip', '10.0.0.0/33', '10.0.0.9 - 10.0.0.1', '300.1.1.1', '1.2.3.4/8'].join('\n'));
    expect(p.entries).toHaveLength(4);
    expect(p.problems).toEqual([
      { line: 6, why: 'not an IPv4 address or range: not.an.ip' },
      { line: 7, why: 'not a prefix length (0-32): /33' },
      { line: 8, why: 'range ends before it starts: 10.0.0.9 - 10.0.0.1' },
      { line: 9, why: 'not an IPv4 address or range: 300.1.1.1' },
    ]);
    for (const ip of ['10.1.2.3', '192.168.200.1', '172.16.0.5', '1.9.9.9']) expect(p.list.check(ip, 'ipv4')).toBe(true);
    for (const ip of ['10.1.2.4', '172.16.0.10', '192.169.0.1', '2.0.0.1']) expect(p.list.check(ip, 'ipv4')).toBe(false);
  });

  it('takes the listed and the shunned as hostile, a mapped ::ffff: address as its IPv4', async () => {
    const h = new Hostiles(await tempFile('10.0.0.0/8\r\n'), (ip) => ip === '11.0.0.1');
    expect(await h.load(0)).toEqual([`hostile addresses: 1 from ${h.file}`]);
    expect(h.has('10.200.0.1')).toBe(true);
    expect(h.has('::ffff:10.200.0.1')).toBe(true);
    expect(h.hasHost('10.0.0.1:6346')).toBe(true);
    expect(h.has('11.0.0.1')).toBe(true);
    expect(h.listed('11.0.0.1')).toBe(false);
    expect(h.has('12.0.0.1')).toBe(false);
    expect(h.has('::1')).toBe(false);
  });

  it('never throws on random text, and every line is an entry, a bad line, blank or a comment', () => {
    const line = fc.oneof(fc.string({ maxLength: 300 }), fc.ipV4(), fc.tuple(fc.ipV4(), fc.integer({ min: -1, max: 40 })).map(([ip, b]) => `${ip}/${b}`), fc.tuple(fc.ipV4(), fc.ipV4()).map(([a, b]) => `${a} - ${b}`));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 60 }), (lines) => {
        const text = lines.join('\n');
        const p = parseHostiles(text);
        expect(p.entries.length + p.bad).toBeLessThanOrEqual(text.split('\n').length);
        expect(p.problems.length).toBeLessThanOrEqual(MAX_REPORTED_PROBLEMS);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        const p = parseHostiles(Buffer.from(bytes).toString('utf8'));
        expect(p.problems.length).toBeLessThanOrEqual(MAX_REPORTED_PROBLEMS);
      }),
      { numRuns: 300 },
    );
  });

  it('caps lines, line length and bytes read', async () => {
    const long = parseHostiles(`${'1'.repeat(MAX_LINE_CHARS + 1)}\n10.0.0.1`);
    expect(long.problems).toEqual([{ line: 1, why: `line longer than ${MAX_LINE_CHARS} characters` }]);
    expect(long.entries).toHaveLength(1);
    const many = parseHostiles('10.0.0.1\n'.repeat(MAX_LIST_LINES + 5));
    expect(many.entries).toHaveLength(MAX_LIST_LINES);
    expect(many.cut).toBe(`only the first ${MAX_LIST_LINES} lines are read`);
    const big = await readListFile(await tempFile(Buffer.alloc(MAX_LIST_BYTES + 100, 0x0a)));
    expect(big.text.length).toBe(MAX_LIST_BYTES);
    expect(big.cut).toBe(`only the first ${MAX_LIST_BYTES} bytes are read`);
  });
});

/** The first line a connect (or HTTP request) from `localAddress` gets, and whether the socket then closed. */
async function answerFrom(port: number, localAddress: string, request: string): Promise<string> {
  const s = connect({ host: '127.0.0.1', port, localAddress });
  s.on('error', () => undefined);
  let text = '';
  s.on('data', (c: Buffer) => (text += c.toString('latin1')));
  await new Promise<void>((resolve) => s.once('connect', () => resolve()));
  s.write(request);
  await new Promise<void>((resolve) => s.once('close', () => resolve()));
  return text.split('\r\n')[0] ?? '';
}

describe('a servent with --gnutella-hostiles', () => {
  it('refuses a hostile address at the Gnutella and HTTP doors with 550, takes others, and reloads the list', async () => {
    const file = await tempFile('# test\n127.0.0.2/31\nbad line\n');
    const up = await startGNode(0, {}, { mode: 'ultrapeer', hostiles: file });
    nodes.push(up);
    expect(await answerFrom(up.port, '127.0.0.2', upConnect())).toBe('GNUTELLA/0.6 550 Hostile IP address banned');
    expect(await answerFrom(up.port, '127.0.0.3', 'GET /uri-res/N2R?urn:sha1:AAAA HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('HTTP/1.1 550 Hostile IP address banned');
    const ok = await rawPeer(up.port, '127.0.0.4');
    ok.write(upConnect());
    await until(() => ok.text().includes('\r\n\r\n'));
    expect(ok.text()).toMatch(/^GNUTELLA\/0\.6 200/);
    ok.socket.destroy();
    expect(await gstatus(up)).toMatch(/hostiles: 1 hostile ranges from .*refused 2 connections/);

    await writeFile(file, '127.0.0.3\n');
    const reload = await up.node.run('gnutella', 'ghostiles', ['reload']);
    expect(reload[0]).toBe(`hostile addresses: 1 from ${file}`);
    const now = await rawPeer(up.port, '127.0.0.2');
    now.write(upConnect());
    await until(() => now.text().includes('\r\n\r\n'));
    expect(now.text()).toMatch(/^GNUTELLA\/0\.6 200/);
    now.socket.destroy();
    expect(await answerFrom(up.port, '127.0.0.3', upConnect())).toBe('GNUTELLA/0.6 550 Hostile IP address banned');
  }, 30_000);

  it('says bad lines by number at start, keeps hostile hosts of pongs out of its cache and does not dial them', async () => {
    const file = await tempFile('127.0.0.2/31\n127.0.0.50\nnonsense\n');
    const up = await startGNode(0, {}, { mode: 'ultrapeer', hostiles: file, peers: ['127.0.0.50:9'] });
    nodes.push(up);
    expect(up.of('log').map((e) => e.message)).toEqual(expect.arrayContaining([`gnutella: hostile addresses: 2 from ${file}, 1 bad line skipped`, `gnutella:   ${file}:3: not an IPv4 address or range: nonsense`]));
    await eventually(async () => /not dialled [1-9]/.test(await gstatus(up)), 10_000, () => gstatus(up));
    const p = await linkedRawPeer(up.port, upConnect(), false);
    const ping = p.descriptors.find((d) => d.type === 0x00)!;
    const before = Number(/host cache (\d+)/.exec(await gstatus(up))?.[1]);
    // Our pong: from a hostile address, with one hostile and one clean host in IPP.
    const ipp = packHosts([
      { ip: '127.0.0.3', port: 6346 },
      { ip: '127.0.0.9', port: 1 },
    ]);
    p.write(encodeDescriptor({ muid: ping.muid, type: 0x01, ttl: 1, hops: 0, payload: encodePong({ port: 6346, ip: '127.0.0.2', files: 0, kbytes: 0, ggep: [{ id: 'IPP', data: ipp }] }) }));
    await eventually(async () => /hosts not cached 2/.test(await gstatus(up)), 10_000, () => gstatus(up));
    const status = await gstatus(up);
    expect(Number(/host cache (\d+)/.exec(status)?.[1])).toBe(before + 1);
    p.socket.destroy();
  }, 30_000);

  it('makes no push callback to a hostile address and answers no OOB query whose reply address is hostile', async () => {
    const file = await tempFile('127.0.0.2\n');
    const leaf = await startGNode(0, { 'pushword song.txt': 'some bytes' }, { hostiles: file });
    nodes.push(leaf);
    const up = await linkedUp(leaf.port);
    await until(() => leaf.of('peer.up').length > 0);
    const leafGuid = Buffer.from(/servent GUID ([0-9a-f]{32})/.exec(await gstatus(leaf))![1]!, 'hex');
    const called: string[] = [];
    const servers = await Promise.all(
      ['127.0.0.2', '127.0.0.1'].map(
        (host) =>
          new Promise<Server>((resolve) => {
            const srv = createServer((sock) => {
              called.push(host);
              sock.destroy();
            });
            srv.listen(0, host, () => resolve(srv));
          }),
      ),
    );
    try {
      const portOf = (s: Server): number => (s.address() as AddressInfo).port;
      const push = (ip: string, port: number, tag: number): Buffer => encodeDescriptor({ muid: Buffer.alloc(16, tag), type: 0x40, ttl: 2, hops: 1, payload: encodePush({ serventGuid: leafGuid, index: 1, ip, port }) });
      up.write(Buffer.concat([push('127.0.0.2', portOf(servers[0]!), 0x41), push('127.0.0.1', portOf(servers[1]!), 0x42)]));
      await until(() => called.includes('127.0.0.1'), 15_000);
      expect(called).toEqual(['127.0.0.1']);
      await eventually(async () => /pushes not made 1/.test(await gstatus(leaf)), 10_000, () => gstatus(leaf));

      // OOB queries (flag 0x0400 with the mark): the MUID's first 4 bytes are where hits would go.
      const oob = (ip: string): Buffer => {
        const m = randomBytes(16);
        ip.split('.').forEach((b, k) => (m[k] = Number(b)));
        return m;
      };
      const hostileMuid = oob('127.0.0.2');
      const cleanMuid = oob('127.0.0.1');
      const payload = encodeQuery({ text: 'pushword song', flags: 0x8000 | 0x0400 });
      for (const muid of [hostileMuid, cleanMuid]) up.write(encodeDescriptor({ muid, type: 0x80, ttl: 2, hops: 1, payload }));
      await until(() => up.descriptors.some((d) => d.type === 0x81 && d.muid.equals(cleanMuid)), 15_000);
      expect(up.descriptors.some((d) => d.type === 0x81 && d.muid.equals(hostileMuid))).toBe(false);
      expect(await gstatus(leaf)).toMatch(/drops: [^;]*hostile-ip 1/);
    } finally {
      for (const srv of servers) srv.close();
    }
    up.socket.destroy();
  }, 30_000);
});

