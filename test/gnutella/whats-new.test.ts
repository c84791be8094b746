/**
 * "What's New?" queries (whats-new.ts), as gtk-gnutella answers and routes them:
 * our 3 newest files of the last two weeks; `WHAT` said in Features Supported;
 * an ultrapeer hands the query to leaves that said `WHAT` and share something,
 * and to other ultrapeers only while its hops as sent stay below 2.
 */
import { randomBytes } from 'node:crypto';
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShareEntry } from '../../src/share/share-entry.js';
import { answerQuery } from '../../protocols/gnutella/answer.js';
import { encodeDescriptor, type Descriptor } from '../../protocols/gnutella/descriptor.js';
import { decodeQuery, encodeQuery } from '../../protocols/gnutella/query.js';
import { decodeQueryHit } from '../../protocols/gnutella/query-hit.js';
import { QrpTable } from '../../protocols/gnutella/qrp-table.js';
import { decodeVendor } from '../../protocols/gnutella/vendor.js';
import { encodeFeaturesSupported, isWhatsNew, newestFiles, saysWhatsNew, WHATS_NEW_MAX_AGE_MS } from '../../protocols/gnutella/whats-new.js';
import { startGNode, type GNode } from './gnutella-net.js';
import { leafConnect, rawPeer, until, upConnect, type RawPeer } from './raw-peer.js';

const DAY = 24 * 3_600_000;
const NOW = Date.UTC(2026, 11, 1);
const entry = (index: number, name: string, ageDays: number, sha1 = true): ShareEntry =>
  ({ index, name, size: 10, mtimeMs: NOW - ageDays * DAY, ...(sha1 ? { sha1: index.toString(16).padStart(40, '0') } : {}) }) as unknown as ShareEntry;

describe('What is new', () => {
  it('is the text WhatIsNewXOXO in any case, or GGEP WH', () => {
    const q = (text: string, wh = false) => decodeQuery(encodeQuery({ text, ...(wh ? { ggep: [{ id: 'WH', data: Buffer.from([1]) }] } : {}) }));
    expect(isWhatsNew(q('WhatIsNewXOXO'))).toBe(true);
    expect(isWhatsNew(q('whatisnewxoxo'))).toBe(true);
    expect(isWhatsNew(q('WhatIsNewXOXO '))).toBe(false);
    expect(isWhatsNew(q('new songs'))).toBe(false);
    expect(isWhatsNew(q('new songs', true))).toBe(true);
  });

  it('answers with the 3 newest hashed files of the last two weeks, newest first; one naming a SHA-1 gets nothing', () => {
    const files = [entry(1, 'd', 4), entry(2, 'a', 1), entry(3, 'old', 15), entry(4, 'c', 3), entry(5, 'unhashed', 0, false), entry(6, 'b', 2)];
    expect(newestFiles(files, NOW).map((e) => e.name)).toEqual(['a', 'b', 'c']);
    expect(newestFiles([entry(1, 'edge', WHATS_NEW_MAX_AGE_MS / DAY)], NOW).map((e) => e.name)).toEqual(['edge']);
    const share = { search: () => files, bySha1: () => undefined };
    const hits = answerQuery(decodeQuery(encodeQuery({ text: 'WhatIsNewXOXO' })), share, 50, () => newestFiles(files, NOW));
    expect(hits.flat().map((r) => r.name)).toEqual(['a', 'b', 'c']);
    const urn = decodeQuery(encodeQuery({ text: 'WhatIsNewXOXO', huge: ['urn:sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5'] }));
    expect(answerQuery(urn, share, 50, () => newestFiles(files, NOW))).toEqual([]);
  });

  it("reads WHAT in a Features Supported message (version 0 is 'no')", () => {
    expect(saysWhatsNew(decodeVendor(encodeFeaturesSupported()))).toBe(true);
    expect(saysWhatsNew(decodeVendor(encodeFeaturesSupported([{ name: 'HSEP', version: 1 }, { name: 'WHAT', version: 0 }])))).toBe(false);
    expect(saysWhatsNew(decodeVendor(encodeFeaturesSupported([{ name: 'HSEP', version: 1 }, { name: 'WHAT', version: 1 }])))).toBe(true);
    const truncated = decodeVendor(encodeFeaturesSupported());
    expect(saysWhatsNew({ ...truncated, body: truncated.body.subarray(0, 5) })).toBeUndefined();
  });
});

const query = (text: string, hops: number, opts: { wh?: boolean; muid?: Buffer } = {}): Buffer =>
  encodeDescriptor({ muid: opts.muid ?? randomBytes(16), type: 0x80, ttl: 3, hops, payload: encodeQuery({ text, ...(opts.wh ? { ggep: [{ id: 'WH', data: Buffer.from([1]) }] } : {}) }) });

/** A ping answered: everything the peer sent before it has been taken in. */
async function synced(p: RawPeer): Promise<void> {
  const muid = randomBytes(16);
  p.write(encodeDescriptor({ muid, type: 0x00, ttl: 1, hops: 0, payload: Buffer.alloc(0) }));
  await until(() => p.descriptors.some((d) => d.type === 0x01 && d.muid.equals(muid)));
}
const isFeatures = (d: Descriptor): boolean => d.type === 0x31 && d.payload.readUInt16LE(4) === 10 && d.payload.readUInt32LE(0) === 0;

describe('a leaf asked what is new', () => {
  let leaf: GNode;
  beforeAll(async () => {
    leaf = await startGNode(0, { 'a.txt': 'a', 'b.txt': 'bb', 'c.txt': 'ccc', 'd.txt': 'dddd', 'old.txt': 'eeeee' }, { links: 10 });
    const now = Date.now();
    const age: Record<string, number> = { 'a.txt': 1, 'b.txt': 2, 'c.txt': 3, 'd.txt': 4, 'old.txt': 20 };
    for (const [name, days] of Object.entries(age)) {
      const t = new Date(now - days * DAY);
      await utimes(join(leaf.shareDir, name), t, t);
    }
    await leaf.share.rescan();
    await leaf.share.whenHashed();
  });
  afterAll(async () => {
    await leaf.stop();
  });

  it('says WHAT after the handshake and answers with its 3 newest files, by text or by GGEP WH', async () => {
    const p = await rawPeer(leaf.port);
    p.write(upConnect(['Vendor-Message: 0.2']));
    await until(() => p.text().includes('\r\n\r\n'));
    p.write('GNUTELLA/0.6 200 OK\r\n\r\n');
    p.binary();
    await until(() => p.descriptors.some(isFeatures));
    expect(saysWhatsNew(decodeVendor(p.descriptors.find(isFeatures)!.payload))).toBe(true);
    for (const q of [query('WhatIsNewXOXO', 0), query('whatever', 0, { wh: true })]) {
      const muid = q.subarray(0, 16);
      p.write(q);
      await until(() => p.descriptors.some((d) => d.type === 0x81 && d.muid.equals(muid)));
      const hit = decodeQueryHit(p.descriptors.find((d) => d.type === 0x81 && d.muid.equals(muid))!.payload);
      expect(hit.results.map((r) => r.name)).toEqual(['a.txt', 'b.txt', 'c.txt']);
    }
    p.socket.destroy();
  });
});

describe('an ultrapeer relaying what is new', () => {
  let up: GNode;
  beforeAll(async () => {
    up = await startGNode(0, {}, { mode: 'ultrapeer' });
  });
  afterAll(async () => {
    await up.stop();
  });

  async function link(connect: string, leaf: boolean, after: Buffer[] = []): Promise<RawPeer> {
    const p = await rawPeer(up.port);
    p.write(connect);
    await until(() => p.text().includes('\r\n\r\n'));
    p.write('GNUTELLA/0.6 200 OK\r\n\r\n');
    p.binary({ inflate: leaf });
    for (const b of after) p.write(b);
    await synced(p);
    return p;
  }
  const table = (): Buffer[] => {
    const t = new QrpTable();
    t.addFile('some song.mp3');
    return t.updateMessages().map((payload) => encodeDescriptor({ muid: randomBytes(16), type: 0x30, ttl: 1, hops: 0, payload }));
  };
  const features = encodeDescriptor({ muid: Buffer.alloc(16), type: 0x31, ttl: 1, hops: 0, payload: encodeFeaturesSupported() });

  it('to leaves that said WHAT and share, and to ultrapeers only below 2 hops', async () => {
    const what = await link(leafConnect(['Accept-Encoding: deflate']), true, [features, ...table()]);
    const plain = await link(leafConnect(['Accept-Encoding: deflate']), true, table());
    const a = await link(upConnect(), false);
    const b = await link(upConnect(), false);
    const got = (p: RawPeer, muid: Buffer): boolean => p.descriptors.some((d) => d.type === 0x80 && d.muid.equals(muid));
    const near = query('WhatIsNewXOXO', 0);
    b.write(near);
    await synced(b);
    await until(() => got(what, near.subarray(0, 16)) && got(a, near.subarray(0, 16)));
    // One naming a SHA-1 is dropped: nobody gets it.
    const urn = encodeDescriptor({ muid: randomBytes(16), type: 0x80, ttl: 3, hops: 0, payload: encodeQuery({ text: 'WhatIsNewXOXO', huge: ['urn:sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5'] }) });
    b.write(urn);
    await synced(b);
    const far = query('WhatIsNewXOXO', 1);
    b.write(far);
    await synced(b);
    await until(() => got(what, far.subarray(0, 16)));
    await new Promise((r) => setTimeout(r, 200));
    expect(got(a, far.subarray(0, 16))).toBe(false);
    expect(got(plain, near.subarray(0, 16)) || got(plain, far.subarray(0, 16))).toBe(false);
    expect(got(what, urn.subarray(0, 16)) || got(a, urn.subarray(0, 16))).toBe(false);
    for (const p of [what, plain, a, b]) p.socket.destroy();
  });
});
