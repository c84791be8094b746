import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAll } from '../../src/codec/decoder.js';
import { HeaderBlockDecoder } from '../../src/codec/header-block-decoder.js';
import { NetError } from '../../src/errors.js';
import {
  acceptorConfirm,
  acceptorRespond,
  connectRequest,
  initiatorDecide,
  isConnectLine,
  peerHeaders,
  type AcceptView,
  type LocalInfo,
  tooLargeResponse,
} from '../../protocols/gnutella/handshake.js';
import { headerBlockFault, parseHeaderBlock, type HeaderBlock } from '../../protocols/gnutella/headers.js';
import { parseTryHosts } from '../../protocols/gnutella/try-hosts.js';
import { everySplit } from '../chunking.js';

/** A transcript block with CRLF line ends and the empty line. */
function block(text: string): Buffer {
  return Buffer.from(`${text.trim().split('\n').join('\r\n')}\r\n\r\n`, 'latin1');
}

function parse(bytes: Buffer): HeaderBlock {
  const [lines] = decodeAll(new HeaderBlockDecoder(16 * 1024), bytes);
  if (!lines) throw new Error('no block');
  return parseHeaderBlock(lines);
}

/** wire 5.1: gtk-gnutella ultrapeer's 200 to a leaf. */
const GTKG_UP_RESPONSE = block(`GNUTELLA/0.6 200 OK
User-Agent: gtk-gnutella/1.2.3-14-ga331a-dirty (2024-03-03; Topless; Linux x86_64)
Pong-Caching: 0.1
Bye-Packet: 0.1
GGEP: 0.5
GUID: 3e2f3102bd7cfd2e4b3c23c8238f3a45
Vendor-Message: 0.2
Remote-IP: 127.0.0.1
X-Ultrapeer: True
X-Requeries: False
Accept-Encoding: deflate
X-Ultrapeer-Needed: True
X-Query-Routing: 0.1
X-Ultrapeer-Query-Routing: 0.1
X-Degree: 15
X-Max-TTL: 4
X-Dynamic-Querying: 0.1
X-Ext-Probes: 0.1
X-Guess: 0.2
X-Live-Since: Sat, 01 Mar 2025 12:00:03 +0000
X-Features: tls/1.0, browse/1.0, sflag/0.1, HSEP/0.2`);

/** wire 5.3: gtk-gnutella (ultrapeer) connecting out. */
const GTKG_CONNECT = block(`GNUTELLA CONNECT/0.6
Node: 127.0.0.1:6346
Remote-IP: 127.0.0.1
User-Agent: gtk-gnutella/1.2.3-14-ga331a-dirty (2024-03-03; Topless; Linux x86_64)
Pong-Caching: 0.1
Bye-Packet: 0.1
GGEP: 0.5
GUID: 3e2f3102bd7cfd2e4b3c23c8238f3a45
Vendor-Message: 0.2
X-Query-Routing: 0.2
X-Requeries: False
Upgrade: TLS/1.0
Accept-Encoding: deflate
X-Token: Z8L3QWrO+ZZoBgID2xK3hqw7KG2rBXp2KO+9; FpQ=
X-Live-Since: Sat, 01 Mar 2025 12:00:07 +0000
X-Ultrapeer: True
X-Ultrapeer-Query-Routing: 0.1
X-Degree: 17
X-Max-TTL: 4
X-Dynamic-Querying: 0.1
X-Ext-Probes: 0.1
X-Guess: 0.2
X-Features: tls/1.0, browse/1.0, sflag/0.1, HSEP/0.2`);

/** wire 5.1: the probe's leaf request. */
const PROBE_LEAF_REQUEST = block(`GNUTELLA CONNECT/0.6
User-Agent: InteropProbe/0.1
Listen-IP: 127.0.0.1:6399
Remote-IP: 127.0.0.1
X-Ultrapeer: False
X-Query-Routing: 0.1
X-Ultrapeer-Query-Routing: 0.1
X-Max-TTL: 4
X-Dynamic-Querying: 0.1
X-Degree: 32
Accept-Encoding: identity
Pong-Caching: 0.1
GGEP: 0.5
Vendor-Message: 0.2`);

const leaf: LocalInfo = { role: 'leaf', guid: Buffer.alloc(16, 0xab), listen: { ip: '127.0.0.1', port: 6346 }, deflate: true };
const up: LocalInfo = { ...leaf, role: 'ultrapeer', guid: Buffer.alloc(16, 0xcd) };
const view: AcceptView = { remoteIp: '127.0.0.1', freeUltrapeerSlots: 3, freeLeafSlots: 10, connectedGuids: new Set(), tryHosts: [{ ip: '10.0.0.9', port: 6346 }] };

describe('header blocks', () => {
  it("gtk-gnutella's response parses for every split point", () => {
    const want = parse(GTKG_UP_RESPONSE);
    expect(want.headers.get('x-ultrapeer')).toBe('True');
    expect(want.headers.size).toBe(20);
    for (const chunks of everySplit(GTKG_UP_RESPONSE)) {
      const d = new HeaderBlockDecoder(16 * 1024);
      const got = chunks.flatMap((c) => decodeAll(d, c));
      expect(parseHeaderBlock(got[0]!)).toEqual(want);
    }
  });

  it('unfolds continuation lines and joins repeated headers', () => {
    const b = parse(block('GNUTELLA/0.6 503 Busy\nX-Try-Ultrapeers: 1.2.3.4:6346,\n\t5.6.7.8:6347\nX-Try: 9.9.9.9\nx-try: 8.8.8.8:1 2004-12-18T23:47Z'));
    expect(b.headers.get('x-try-ultrapeers')).toBe('1.2.3.4:6346, 5.6.7.8:6347');
    expect(peerHeaders(b).tryHosts).toEqual([
      { ip: '1.2.3.4', port: 6346 },
      { ip: '5.6.7.8', port: 6347 },
      { ip: '9.9.9.9', port: 6346 },
      { ip: '8.8.8.8', port: 1 },
    ]);
  });

  it('refuses 10 KB header lines and 200 header lines with PROTOCOL; skips a line without a colon (and its continuation), as gtk-gnutella does', () => {
    const long = [`GNUTELLA CONNECT/0.6`, `X-Big: ${'a'.repeat(10_000)}`];
    expect(() => parseHeaderBlock(long)).toThrowError(expect.objectContaining({ code: 'PROTOCOL' }));
    const many = ['GNUTELLA CONNECT/0.6', ...Array.from({ length: 200 }, (_, i) => `X-H${i}: 1`)];
    expect(() => parseHeaderBlock(many)).toThrowError(expect.objectContaining({ code: 'PROTOCOL' }));
    const odd = parseHeaderBlock(['GNUTELLA CONNECT/0.6', 'X-Ultrapeer: False', 'no colon here', '\tcontinued', ': no name', 'User-Agent: Odd/1']);
    expect([...odd.headers]).toEqual([
      ['x-ultrapeer', 'False'],
      ['user-agent', 'Odd/1'],
    ]);
  });

  it('names what is over the limits as gtk-gnutella does in its 413 (spec 1.5)', () => {
    expect(headerBlockFault(['GNUTELLA CONNECT/0.6', `X-Big: ${'a'.repeat(1_017)}`])).toBeUndefined();
    expect(headerBlockFault(['GNUTELLA CONNECT/0.6', `X-Big: ${'a'.repeat(1_018)}`])).toBe('Header line too long');
    expect(headerBlockFault(['GNUTELLA CONNECT/0.6', ...Array.from({ length: 64 }, (_, i) => `X-H${i}: 1`)])).toBeUndefined();
    expect(headerBlockFault(['GNUTELLA CONNECT/0.6', ...Array.from({ length: 65 }, (_, i) => `X-H${i}: 1`)])).toBe('Header has too many lines');
    expect(tooLargeResponse('Header too large', {}, '10.0.0.1').toString('latin1')).toBe('GNUTELLA/0.6 413 Header too large\r\nUser-Agent: peerdeck/0.1\r\nRemote-IP: 10.0.0.1\r\n\r\n');
  });

  it('random lines give a block or a NetError (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 80 }), { maxLength: 80 }), (lines) => {
        try {
          parseHeaderBlock(lines);
        } catch (err) {
          expect(err).toBeInstanceOf(NetError);
        }
      }),
    );
  });

  it('try hosts: bad items skipped, at most 64 kept', () => {
    expect(parseTryHosts('999.1.1.1:5, host.example:6346, 1.2.3.4:0, 1.2.3.4:70000, ::1, 4.3.2.1')).toEqual([{ ip: '4.3.2.1', port: 6346 }]);
    expect(parseTryHosts(Array.from({ length: 500 }, () => '1.1.1.1:1').join(','))).toHaveLength(64);
  });
});

describe('our handshake as gtk-gnutella sees it', () => {
  const req = parse(connectRequest(leaf, '127.0.0.1'));

  it('our leaf request carries what gtk-gnutella and LimeWire require, our own User-Agent, < 30 lines', () => {
    const h = req.headers;
    expect(req.startLine).toBe('GNUTELLA CONNECT/0.6');
    expect(h.get('user-agent')).toMatch(/^peerdeck\//);
    expect(h.get('user-agent')).not.toMatch(/gtk-gnutella|limewire/i);
    expect(h.get('x-ultrapeer')).toBe('False');
    expect(h.get('accept-encoding')).toBe('deflate');
    expect(h.get('x-query-routing')).toBe('0.1');
    expect(Number(h.get('x-max-ttl'))).toBeLessThan(5);
    expect(h.get('x-requeries')).toBe('False');
    expect(h.get('guid')).toBe('ab'.repeat(16));
    expect(h.size).toBeLessThan(30);
  });

  it("as a leaf initiator we accept gtk-gnutella's 200 and compress our side (wire 5.1)", () => {
    const d = initiatorDecide(parse(GTKG_UP_RESPONSE), leaf, { freeUltrapeerSlots: 3, connectedGuids: new Set() });
    if (d.kind !== 'accept') throw new Error(d.kind);
    expect(d).toMatchObject({ peerRole: 'ultrapeer', compressOut: true, compressIn: false });
    expect(d.peer.guid).toBe('3e2f3102bd7cfd2e4b3c23c8238f3a45');
    expect(d.final.toString()).toBe('GNUTELLA/0.6 200 OK\r\nContent-Encoding: deflate\r\nX-Ultrapeer: False\r\n\r\n');
  });

  it('with Content-Encoding: deflate (wire 5.2) our input is inflated', () => {
    const res = parse(Buffer.concat([GTKG_UP_RESPONSE.subarray(0, -2), Buffer.from('Content-Encoding: deflate\r\n\r\n')]));
    const d = initiatorDecide(res, leaf, { freeUltrapeerSlots: 3, connectedGuids: new Set() });
    expect(d).toMatchObject({ kind: 'accept', compressIn: true });
  });

  it('refusals of wire 5.5 are read as refusals with their hosts', () => {
    for (const text of ['GNUTELLA/0.6 403 Normal nodes refused', 'GNUTELLA/0.6 409 Already connected', 'GNUTELLA/0.6 429 Banned for 5m 0s', 'GNUTELLA/0.6 403 Gnet connection not compressed']) {
      const d = initiatorDecide(parse(block(`${text}\nUser-Agent: gtk-gnutella/1.2.3\nX-Try-Ultrapeers: 1.2.3.4:6346`)), leaf, { freeUltrapeerSlots: 3, connectedGuids: new Set() });
      expect(d).toMatchObject({ kind: 'refused', code: Number(text.split(' ')[1]), tryHosts: [{ ip: '1.2.3.4', port: 6346 }] });
    }
  });

  it('refuses in step 3 an acceptor that says it speaks G2, with 406 as gtk-gnutella does', () => {
    const res = parse(Buffer.concat([GTKG_UP_RESPONSE.subarray(0, -2), Buffer.from('Content-Type: application/x-gnutella2\r\n\r\n')]));
    expect(initiatorDecide(res, leaf, { freeUltrapeerSlots: 3, connectedGuids: new Set() })).toMatchObject({ kind: 'refuse', code: 406, reason: 'Protocol not acceptable' });
  });

  it('a leaf refuses a leaf or an already connected GUID in step 3', () => {
    const leafResponse = parse(block('GNUTELLA/0.6 200 OK\nX-Ultrapeer: False'));
    expect(initiatorDecide(leafResponse, leaf, { freeUltrapeerSlots: 3, connectedGuids: new Set() })).toMatchObject({ kind: 'refuse', code: 503 });
    expect(
      initiatorDecide(parse(GTKG_UP_RESPONSE), leaf, { freeUltrapeerSlots: 3, connectedGuids: new Set(['3e2f3102bd7cfd2e4b3c23c8238f3a45']) }),
    ).toMatchObject({ kind: 'refuse', code: 409 });
  });

  it('as a leaf acceptor we take gtk-gnutella (wire 5.3) and compress our side', () => {
    const d = acceptorRespond(parse(GTKG_CONNECT), leaf, view);
    if (d.kind !== 'accept') throw new Error(d.kind);
    expect(d.compressOut).toBe(true);
    const res = parse(d.response);
    expect(res.startLine).toBe('GNUTELLA/0.6 200 OK');
    expect(res.headers.get('content-encoding')).toBe('deflate');
    expect(res.headers.get('x-ultrapeer')).toBe('False');
    expect(acceptorConfirm(parse(block('GNUTELLA/0.6 200 OK\nContent-Encoding: deflate')))).toEqual({ kind: 'ok', compressIn: true, becameLeaf: false });
    expect(acceptorConfirm(parse(block('GNUTELLA/0.6 200 OK')))).toEqual({ kind: 'ok', compressIn: false, becameLeaf: false });
    // Leaf guidance taken (spec 1.2, 3.1), the boolean compared case-insensitively.
    expect(acceptorConfirm(parse(block('GNUTELLA/0.6 200 OK\nX-Ultrapeer: false')))).toEqual({ kind: 'ok', compressIn: false, becameLeaf: true });
    expect(acceptorConfirm(parse(block('GNUTELLA/0.6 200 OK\nX-Ultrapeer: True')))).toMatchObject({ becameLeaf: false });
    expect(acceptorConfirm(parse(block('GNUTELLA/0.6 403 High Outdegree and Dynamic Querying Required')))).toMatchObject({ kind: 'refused', code: 403 });
    // A G2 servent (its step 3 says Content-Type: application/x-gnutella2) gets gtk-gnutella's 406.
    const g2 = acceptorConfirm(parse(block('GNUTELLA/0.6 200 OK\nContent-Type: application/x-gnutella2')), { userAgent: 'peerdeck/test' }, '10.1.2.3');
    expect(g2.kind).toBe('not-acceptable');
    if (g2.kind === 'not-acceptable') expect(g2.response.toString()).toBe('GNUTELLA/0.6 406 Protocol not acceptable\r\nUser-Agent: peerdeck/test\r\nRemote-IP: 10.1.2.3\r\n\r\n');
    expect(acceptorConfirm(parse(block('GNUTELLA/0.6 200 OK\nContent-Type: application/x-gnutella-packets')))).toMatchObject({ kind: 'ok' });
  });

  it('our ultrapeer refuses a leaf that cannot inflate as gtk-gnutella does (appendix 2), unless it runs without deflate itself', () => {
    const d = acceptorRespond(parse(PROBE_LEAF_REQUEST), up, view);
    expect(d).toMatchObject({ kind: 'refuse', code: 403, reason: 'Gnet connection not compressed' });
    // As gtk-gnutella's send_error: no hosts to try on a 403, and no X-Ultrapeer on a 4xx.
    if (d.kind === 'refuse') expect([...parse(d.response).headers.keys()]).toEqual(['user-agent', 'remote-ip']);
    expect(acceptorRespond(parse(PROBE_LEAF_REQUEST), { ...up, deflate: false }, view)).toMatchObject({ kind: 'accept' });
  });

  it('our ultrapeer advertises its degree and guides an ultrapeer candidate to become its leaf (spec 3.1)', () => {
    const d = acceptorRespond(parse(GTKG_CONNECT), { ...up, degree: 40 }, { ...view, needUltrapeers: false });
    if (d.kind !== 'accept') throw new Error(d.kind);
    const h = parse(d.response).headers;
    expect(h.get('x-degree')).toBe('40');
    expect(h.get('x-ultrapeer-needed')).toBe('False');
    expect(h.get('x-ext-probes')).toBe('0.1');
    expect(Number(h.get('x-max-ttl'))).toBeLessThanOrEqual(4);
    const needed = acceptorRespond(parse(GTKG_CONNECT), up, { ...view, needUltrapeers: true });
    if (needed.kind === 'accept') expect(parse(needed.response).headers.get('x-ultrapeer-needed')).toBe('True');
    else throw new Error(needed.kind);
  });

  it('our ultrapeer takes the probe leaf and offers what a gtk-gnutella leaf requires (appendix 20)', () => {
    const d = acceptorRespond(parse(PROBE_LEAF_REQUEST), { ...up, deflate: false }, view);
    if (d.kind !== 'accept') throw new Error(d.kind);
    expect(d).toMatchObject({ peerRole: 'leaf', compressOut: false });
    const h = parse(d.response).headers;
    expect(Number(h.get('x-degree'))).toBeGreaterThanOrEqual(16);
    expect(h.get('x-dynamic-querying')).toBe('0.1');
    expect(h.get('x-ultrapeer')).toBe('True');
  });

  it("acceptor refusals in gtk-gnutella's codes and words: no X-Ultrapeer 403, a leaf's 204 to anything but an ultrapeer, same GUID 409, no slots 503 (N max), 0.4 dropped", () => {
    const noUp = acceptorRespond(parse(block('GNUTELLA CONNECT/0.6\nUser-Agent: x')), up, view);
    expect(noUp).toMatchObject({ kind: 'refuse', code: 403, reason: 'Normal nodes refused' });
    const toLeaf = acceptorRespond(parse(PROBE_LEAF_REQUEST), leaf, { ...view, maxUltrapeers: 3 });
    expect(toLeaf).toMatchObject({ kind: 'refuse', code: 204, reason: 'Shielded leaf node (3 peers max)' });
    if (toLeaf.kind === 'refuse') {
      expect(parse(toLeaf.response).startLine).toBe('GNUTELLA/0.6 204 Shielded leaf node (3 peers max)');
      expect(parse(toLeaf.response).headers.get('x-try-ultrapeers')).toBe('10.0.0.9:6346');
      expect(parse(toLeaf.response).headers.get('x-ultrapeer')).toBe('False');
    }
    const full = acceptorRespond(parse(GTKG_CONNECT), up, { ...view, freeUltrapeerSlots: 0 });
    if (full.kind === 'refuse') expect(parse(full.response).headers.get('x-ultrapeer')).toBe('True');
    const again = acceptorRespond(parse(GTKG_CONNECT), up, { ...view, connectedGuids: new Set(['3e2f3102bd7cfd2e4b3c23c8238f3a45']) });
    if (again.kind === 'refuse') expect([...parse(again.response).headers.keys()]).toEqual(['user-agent', 'remote-ip', 'x-try-ultrapeers']);
    expect(acceptorRespond(parse(block('GNUTELLA CONNECT/0.6\nUser-Agent: x')), leaf, view)).toMatchObject({ kind: 'refuse', code: 204, reason: 'Shielded leaf node' });
    expect(acceptorRespond(parse(GTKG_CONNECT), up, { ...view, freeUltrapeerSlots: 0, maxUltrapeers: 32 })).toMatchObject({ kind: 'refuse', code: 503, reason: 'Too many ultra connections (32 max)' });
    expect(acceptorRespond(parse(PROBE_LEAF_REQUEST), { ...up, deflate: false }, { ...view, freeLeafSlots: 0, maxLeaves: 100 })).toMatchObject({ kind: 'refuse', code: 503, reason: 'Too many leaf connections (100 max)' });
    const dup = acceptorRespond(parse(GTKG_CONNECT), up, { ...view, connectedGuids: new Set(['3e2f3102bd7cfd2e4b3c23c8238f3a45']) });
    expect(dup).toMatchObject({ kind: 'refuse', code: 409 });
    expect(acceptorRespond(parse(GTKG_CONNECT), leaf, { ...view, freeUltrapeerSlots: 0 })).toMatchObject({ kind: 'refuse', code: 503 });
    expect(acceptorRespond(parse(block('GNUTELLA CONNECT/0.4')), up, view)).toMatchObject({ kind: 'drop' });
    expect(isConnectLine('GNUTELLA CONNECT/0.7')).toBe(true);
  });
});
