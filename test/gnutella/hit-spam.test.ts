/**
 * Hits gtk-gnutella drops as spam or as hostile (hit-screen.ts), over real
 * sockets: a raw ultrapeer answers a real leaf's search, through our ultrapeer,
 * with a batch of bad hits and one clean hit last. The ultrapeer routes only the
 * clean one (each bad one counted by reason in /gstatus), and the leaf's user sees
 * only it. A leaf screens the hits for its own search the same way.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeDescriptor, type Descriptor } from '../../protocols/gnutella/descriptor.js';
import { MAX_SANE_SIZE, screenHit, SPAM_FILE_INDEX, type HitScreenContext } from '../../protocols/gnutella/hit-screen.js';
import { decodeQueryHit, encodeQueryHit, type HitResultInit } from '../../protocols/gnutella/query-hit.js';
import { parseSpamSha1s, MAX_SPAM_SHA1S } from '../../protocols/gnutella/spam-sha1s.js';
import { sha1Urn } from '../../src/share/base32.js';
import { eventually, gstatus, openLinks } from './gstatus.js';
import { startGNode, type GNode } from './gnutella-net.js';
import { linkedRawPeer, linkedUp, until, upConnect, type RawPeer } from './raw-peer.js';

const nodes: GNode[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempFile(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'peerdeck-spam-'));
  dirs.push(dir);
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

const SPAM_SHA1 = 'ab'.repeat(20);
const CLEAN_SHA1 = 'cd'.repeat(20);

/** One hit payload: a clean record unless `records` says otherwise. */
function hit(opts: { guid?: Buffer; ip?: string; records?: HitResultInit[] } = {}): Buffer {
  return encodeQueryHit({
    port: 6346,
    ip: opts.ip ?? '127.0.0.1',
    speed: 1000,
    results: opts.records ?? [{ index: 1, size: 1000, name: 'spamtest song clean.mp3', sha1: CLEAN_SHA1 }],
    vendor: 'RAWP',
    push: false,
    busy: false,
    uploaded: false,
    serventGuid: opts.guid ?? randomBytes(16),
  });
}

const guidOf = async (n: GNode): Promise<Buffer> => Buffer.from(/servent GUID ([0-9a-f]{32})/.exec(await gstatus(n))![1]!, 'hex');

/** Waits for the query with `word` to reach the raw peer. */
async function queryAt(p: RawPeer, word: string): Promise<Descriptor> {
  await until(() => p.descriptors.some((d) => d.type === 0x80 && d.payload.includes(word)), 15_000);
  return p.descriptors.find((d) => d.type === 0x80 && d.payload.includes(word))!;
}

/** Sends each payload as a hit for `q`, as relayed from one hop beyond the raw peer. */
function answer(p: RawPeer, q: Descriptor, payloads: Buffer[]): void {
  for (const payload of payloads) p.write(encodeDescriptor({ muid: q.muid, type: 0x81, ttl: 3, hops: 1, payload }));
}

describe('the hit screen', () => {
  const ctx = (over: Partial<HitScreenContext> = {}): HitScreenContext => ({
    muid: Buffer.alloc(16, 7),
    ourGuid: Buffer.alloc(16, 1),
    ourIp: '198.51.100.1',
    ourPort: 6346,
    hostile: (ip) => ip === '10.6.6.6',
    spamSha1: (h) => h === SPAM_SHA1,
    ...over,
  });
  const verdict = (payload: Buffer, c = ctx()): string => {
    const v = screenHit(decodeQueryHit(payload), c);
    return v.kind === 'pass' ? 'pass' : v.reason;
  };
  const rec = (r: Partial<HitResultInit>): HitResultInit => ({ index: 1, size: 1000, name: 'a.mp3', ...r });

  it('passes a clean hit and names each reason gtk-gnutella drops for', () => {
    expect(verdict(hit())).toBe('pass');
    expect(verdict(hit({ guid: Buffer.alloc(16, 1) }))).toBe('own-result');
    expect(verdict(hit({ ip: '198.51.100.1' }))).toBe('own-result');
    expect(verdict(hit({ ip: '198.51.100.1' }), ctx({ ourIp: undefined }))).toBe('pass');
    expect(verdict(hit({ guid: Buffer.alloc(16, 7) }))).toBe('bad-result');
    expect(verdict(hit({ guid: Buffer.alloc(16, 0) }))).toBe('blank-servent-id');
    expect(verdict(hit({ ip: '10.6.6.6' }))).toBe('hostile-ip');
    expect(verdict(hit({ records: [rec({ sha1: 'ab'.repeat(19) })] }))).toBe('malformed-sha1');
    expect(verdict(hit({ records: [rec({ index: 2 }), rec({ index: 3, sha1: SPAM_SHA1 })] }))).toBe('spam-sha1');
    expect(verdict(hit({ records: [rec({ index: 2 }), rec({ index: 5 }), rec({ index: 2 })] }))).toBe('spam-index');
    expect(verdict(hit({ records: [rec({ index: SPAM_FILE_INDEX })] }))).toBe('spam-index');
    expect(verdict(hit({ records: [rec({ size: 0 })] }))).toBe('bogus-size');
    expect(verdict(hit({ records: [rec({ size: MAX_SANE_SIZE + 1 })] }))).toBe('bogus-size');
    expect(verdict(hit({ records: [rec({ size: MAX_SANE_SIZE })] }))).toBe('pass');
  });

  it('reads a spam list of urn:sha1:, base32 and hex lines, capped', () => {
    const base32 = sha1Urn(SPAM_SHA1).slice('urn:sha1:'.length);
    const p = parseSpamSha1s([`urn:sha1:${base32}`, `${base32.toLowerCase()} # again`, CLEAN_SHA1.toUpperCase(), 'urn:sha1:SHORT', ''].join('\n'));
    expect([...p.set]).toEqual([SPAM_SHA1, CLEAN_SHA1]);
    expect(p.problems).toEqual([{ line: 4, why: 'not a SHA-1 (urn:sha1:BASE32, BASE32 or 40 hex digits): urn:sha1:SHORT' }]);
    const many = Array.from({ length: MAX_SPAM_SHA1S + 3 }, (_, i) => i.toString(16).padStart(40, '0')).join('\n');
    const capped = parseSpamSha1s(many);
    expect(capped.set.size).toBe(MAX_SPAM_SHA1S);
    expect(capped.cut).toBe(`only the first ${MAX_SPAM_SHA1S} SHA-1s are kept`);
  });
});

describe('spam hits over real links', () => {
  it('our ultrapeer routes only the clean hit of a batch to the searching leaf, and counts each drop by reason', async () => {
    const spam = await tempFile('spam.txt', `${sha1Urn(SPAM_SHA1)}\n`);
    const hostiles = await tempFile('hostiles.txt', '10.6.6.0/24\n');
    const up = await startGNode(0, {}, { mode: 'ultrapeer', dqHopMs: 300, searchMs: 8_000, spamSha1: spam, hostiles });
    nodes.push(up);
    const asker = await startGNode(1, {}, { links: 1, peers: [`127.0.0.1:${up.port}`] });
    nodes.push(asker);
    const r = await linkedRawPeer(up.port, upConnect(), false);
    await eventually(async () => (await openLinks(asker, 'ultrapeer')).length === 1 && (await openLinks(up, 'ultrapeer')).length === 1, 20_000);
    const upGuid = await guidOf(up);

    await asker.node.run('files', 'search', ['-p', 'gnutella', 'spamtest', 'song']);
    const q = await queryAt(r, 'spamtest');
    const bad = (name: string, r0: Partial<HitResultInit>): HitResultInit[] => [{ index: 1, size: 1000, name, ...r0 }];
    answer(r, q, [
      hit({ guid: upGuid, records: bad('spamtest song own.mp3', {}) }),
      hit({ records: [...bad('spamtest song a.mp3', { index: 4 }), ...bad('spamtest song b.mp3', { index: 4 })] }),
      hit({ records: bad('spamtest song empty.mp3', { size: 0 }) }),
      hit({ records: bad('spamtest song listed.mp3', { sha1: SPAM_SHA1 }) }),
      hit({ ip: '10.6.6.6', records: bad('spamtest song hostile.mp3', {}) }),
      hit({ records: bad('spamtest song badurn.mp3', { sha1: 'ab'.repeat(19) }) }),
      hit({ guid: Buffer.alloc(16), records: bad('spamtest song blank.mp3', {}) }),
      hit(),
    ]);
    await asker.waitFor(() => asker.of('search.hit').some((h) => h.name === 'spamtest song clean.mp3'), 15_000);
    expect(asker.of('search.hit').map((h) => h.name)).toEqual(['spamtest song clean.mp3']);
    const drops = /drops: ([^;]*);/.exec(await gstatus(up))![1]!;
    for (const reason of ['own-result', 'spam-index', 'bogus-size', 'spam-sha1', 'hostile-ip', 'malformed-sha1', 'blank-servent-id']) expect(drops).toContain(`${reason} 1`);
    expect((await up.node.run('gnutella', 'ghostiles', []))[1]).toBe('hits and queries dropped: hostile-ip 1, own-result 1, blank-servent-id 1, malformed-sha1 1, spam-sha1 1, spam-index 1, bogus-size 1');
    r.socket.destroy();
  }, 60_000);

  it("a leaf shows its user none of the spam hits its ultrapeer sends for its search", async () => {
    const spam = await tempFile('spam.txt', `${SPAM_SHA1}\n`);
    const leaf = await startGNode(0, {}, { searchMs: 8_000, spamSha1: spam });
    nodes.push(leaf);
    const r = await linkedUp(leaf.port);
    await eventually(async () => (await openLinks(leaf, 'ultrapeer')).length === 1, 20_000);
    const leafGuid = await guidOf(leaf);
    await leaf.node.run('files', 'search', ['-p', 'gnutella', 'spamtest', 'song']);
    const q = await queryAt(r, 'spamtest');
    answer(r, q, [
      hit({ guid: leafGuid, records: [{ index: 1, size: 10, name: 'spamtest song own.mp3' }] }),
      hit({ records: [{ index: 1, size: 10, name: 'spamtest song listed.mp3', sha1: SPAM_SHA1 }] }),
      hit(),
    ]);
    await leaf.waitFor(() => leaf.of('search.hit').some((h) => h.name === 'spamtest song clean.mp3'), 15_000);
    expect(leaf.of('search.hit').map((h) => h.name)).toEqual(['spamtest song clean.mp3']);
    expect(await gstatus(leaf)).toMatch(/drops: [^;]*own-result 1/);
    expect(await gstatus(leaf)).toMatch(/drops: [^;]*spam-sha1 1/);
    r.socket.destroy();
  }, 60_000);
});
