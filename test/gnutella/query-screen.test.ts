/**
 * Queries dropped unanswered and unrelayed as gtk-gnutella drops them
 * (query-screen.ts): too short (1 byte; 3 bytes from 2+ hops away) unless they
 * name a SHA-1, and a leaf's same query again within 1,700 s.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeDescriptor } from '../../protocols/gnutella/descriptor.js';
import { encodeQuery } from '../../protocols/gnutella/query.js';
import { MAX_REMEMBERED_QUERIES, REQUERY_MS, RequeryMemory, tooShort } from '../../protocols/gnutella/query-screen.js';
import { base32Encode } from '../../src/share/base32.js';
import { gstatus } from './gstatus.js';
import { startGNode, type GNode } from './gnutella-net.js';
import { leafConnect, linkedUp, rawPeer, until, type RawPeer } from './raw-peer.js';

describe('query screening', () => {
  it('too short: 1 byte, or 3 bytes from 2 or more hops away, unless a SHA-1 is named', () => {
    expect(tooShort('a', [], 0)).toBe(true);
    expect(tooShort('', [], 0)).toBe(true);
    expect(tooShort('', ['ab'.repeat(20)], 3)).toBe(false);
    expect(tooShort('ab', [], 1)).toBe(false);
    expect(tooShort('ab', [], 2)).toBe(true);
    expect(tooShort('abc', [], 2)).toBe(true);
    expect(tooShort('abcd', [], 2)).toBe(false);
    expect(tooShort('é', [], 0)).toBe(false); // 2 bytes of UTF-8
  });

  it('a re-query is the same text (or last SHA-1) within 1,700 s; at most MAX_REMEMBERED_QUERIES kept', () => {
    const m = new RequeryMemory();
    expect(m.again('song', [], 0)).toBe(false);
    expect(m.again('song', [], REQUERY_MS - 1)).toBe(true);
    expect(m.again('other', [], 1)).toBe(false);
    expect(m.again('song', [], REQUERY_MS)).toBe(false);
    expect(m.again('x', ['aa', 'bb'], 0)).toBe(false);
    expect(m.again('y', ['bb'], 1)).toBe(true);
    for (let i = 0; i < MAX_REMEMBERED_QUERIES; i++) m.again(`q${i}`, [], 2);
    expect(m.again('other', [], 3)).toBe(false); // forgotten
  });
});

describe('a leaf asked short queries', () => {
  let leaf: GNode;
  beforeAll(async () => {
    leaf = await startGNode(0, { 'ab abc abcd.txt': 'short words', 'other.txt': 'x' }, { links: 10 });
  });
  afterAll(async () => {
    await leaf.stop();
  });

  it('answers "ab" from 1 hop, not from 2; "abcd" from 2; never "a"; an empty text with a URN always', async () => {
    const p = await linkedUp(leaf.port);
    const sha1 = createHash('sha1').update('x').digest();
    const cases: Array<[string, number, string[], boolean]> = [
      ['a', 0, [], false],
      ['ab', 1, [], true],
      ['ab', 2, [], false],
      ['abc', 2, [], false],
      ['abcd', 2, [], true],
      ['', 3, [`urn:sha1:${base32Encode(sha1)}`], true],
    ];
    const muids: Buffer[] = [];
    for (const [text, hops, huge] of cases) {
      const muid = randomBytes(16);
      muids.push(muid);
      p.write(encodeDescriptor({ muid, type: 0x80, ttl: 2, hops, payload: encodeQuery({ text, huge }) }));
    }
    await until(() => p.descriptors.some((d) => d.type === 0x81 && d.muid.equals(muids.at(-1)!)));
    await new Promise((r) => setTimeout(r, 200));
    expect(cases.map((_, i) => p.descriptors.some((d) => d.type === 0x81 && d.muid.equals(muids[i]!)))).toEqual(cases.map((c) => c[3]));
    expect(await gstatus(leaf)).toMatch(/too-short 3/);
    p.socket.destroy();
  });
});

describe('an ultrapeer whose leaf searches again', () => {
  let up: GNode;
  beforeAll(async () => {
    up = await startGNode(0, {}, { mode: 'ultrapeer' });
  });
  afterAll(async () => {
    await up.stop();
  });

  it('drops the same query from the same leaf within 1,700 s, and takes another', async () => {
    const l: RawPeer = await rawPeer(up.port);
    l.write(leafConnect(['Accept-Encoding: deflate']));
    await until(() => l.text().includes('\r\n\r\n'));
    l.write('GNUTELLA/0.6 200 OK\r\n\r\n');
    l.binary({ inflate: true });
    const q = (text: string): Buffer => encodeDescriptor({ muid: randomBytes(16), type: 0x80, ttl: 3, hops: 0, payload: encodeQuery({ text }) });
    l.write(q('needle song'));
    l.write(q('needle song'));
    l.write(q('other song'));
    let status = '';
    for (let i = 0; i < 100 && !/requery 1\b/.test((status = await gstatus(up))); i++) await new Promise((r) => setTimeout(r, 50));
    expect(status).toMatch(/requery 1\b/);
    l.socket.destroy();
  });
});
