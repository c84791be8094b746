/**
 * Signed chat lines (issue 14 "Signed messages"): real nodes on 127.0.0.1; a hand-written
 * extended peer sends tampered, forged and replayed lines; a classic node in the middle
 * still relays.
 */
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encode } from '../../protocols/chat/codec.js';
import { Contacts } from '../../protocols/chat/contacts.js';
import { ephemeralIdentity, IDENTITY_FILE, loadIdentity } from '../../protocols/chat/identity.js';
import type { MsgMessage } from '../../protocols/chat/messages.js';
import { encodeSigned, signFlood } from '../../protocols/chat/signing.js';
import { portOf, type Testnet, type TestNode } from '../testnet.js';
import { chatNet, lines, link, rawConnect, settle, waitUntil, type RawPeer } from './chat-net.js';

let net: Testnet | undefined;
afterEach(async () => {
  await net?.stop();
  net = undefined;
});

async function authority(t: TestNode): Promise<string> {
  const out = await t.node.run('chat', 'identity', []);
  const a = /^authority ([0-9a-f]{40})$/.exec(out[0] ?? '')?.[1];
  if (!a) throw new Error(`no authority in ${out.join(' | ')}`);
  return a;
}

async function counters(t: TestNode): Promise<Record<string, number>> {
  const out = (await t.node.run('chat', 'identity', [])).join('\n');
  const n = (re: RegExp): number => Number(re.exec(out)?.[1] ?? NaN);
  return { verified: n(/verified (\d+)/), bad: n(/bad signature (\d+)/), replayed: n(/replayed (\d+)/), unsigned: n(/unsigned (\d+)/) };
}

/** A hand-written extended node: says HELLO and EXT, then whatever the test sends. */
async function extPeer(t: TestNode): Promise<RawPeer> {
  const p = await rawConnect(portOf(t, 'chat'));
  p.send(`HELLO peerdeck-chat/1 node=raw${randomBytes(4).toString('hex')} nick=raw listen=- mesh=default\n`);
  await p.waitLine((l) => l.startsWith('EXT '));
  p.send('EXT sig names\n');
  return p;
}

function msg(text: string, at = Date.now(), nick = 'mallory'): MsgMessage {
  return { type: 'MSG', id: randomBytes(16).toString('hex'), hopsLeft: 16, origin: 'rawnode1', at, nick, text };
}

describe('chat: signed lines', () => {
  it('creates the key on first start (mode 0600) and keeps it across restarts', async () => {
    net = await chatNet(1);
    const t = net.nodes[0]!;
    const a = await authority(t);
    const st = await stat(join(t.dataDir, IDENTITY_FILE));
    expect(st.mode & 0o777).toBe(0o600);
    expect((await loadIdentity(t.dataDir)).authority).toBe(a);
  });

  it('--sign: the far end sees the line marked with the sender authority; unsigned lines carry no mark', async () => {
    net = await chatNet(3, (i) => ({ targetDegree: 0, ...(i === 0 ? { sign: true } : {}) }));
    const [a, b, c] = net.nodes as [TestNode, TestNode, TestNode];
    await link(a, b);
    await link(b, c);
    await settle(200);
    await a.node.run('chat', 'say', ['hello', 'signed']);
    await b.node.run('chat', 'say', ['plain', 'one']);
    await waitUntil(() => lines(c).length === 2 && lines(a).length === 2);
    const signed = lines(c).find((e) => e.text === 'hello signed');
    expect(signed?.signedBy).toBe(await authority(a));
    expect(lines(c).find((e) => e.text === 'plain one')?.signedBy).toBeUndefined();
    expect(lines(a).find((e) => e.self)?.signedBy).toBe(await authority(a));
    expect((await counters(c)).verified).toBeGreaterThanOrEqual(1);
  });

  it('checks signatures on the thread pool yet delivers and relays each link\'s lines in order, bad ones dropped in place', async () => {
    net = await chatNet(2);
    const [a, b] = net.nodes as [TestNode, TestNode];
    await link(a, b);
    const p = await extPeer(a);
    const me = ephemeralIdentity();
    const other = ephemeralIdentity();
    // 3,000 lines in one write (past the 1,024 a link may have waiting: it is paused and resumed); every 100th is forged.
    let batch = '';
    const want: string[] = [];
    for (let i = 0; i < 3_000; i++) {
      const m = msg(`line ${i}`);
      const tag = signFlood(m, me);
      batch += `${encodeSigned(i % 100 === 7 ? { ...tag, key: other.publicKey } : tag, encode(m))}\n`;
      if (i % 100 !== 7) want.push(`line ${i}`);
    }
    p.send(batch);
    await waitUntil(() => lines(b).length === want.length, 60_000, 'all relayed');
    expect(lines(a).map((e) => e.text)).toEqual(want);
    expect(lines(b).map((e) => e.text)).toEqual(want);
    expect(await counters(a)).toMatchObject({ verified: want.length, bad: 30 });
    expect(p.closed).toBe(false);
  }, 90_000);

  it('drops and counts a tampered line, a replayed old line and a forged key; never shows them', async () => {
    net = await chatNet(2);
    const [a, b] = net.nodes as [TestNode, TestNode];
    await link(a, b);
    const p = await extPeer(a);
    const me = ephemeralIdentity();
    const good = msg('good line');
    p.send(`${encodeSigned(signFlood(good, me), encode(good))}\n`);
    const tampered = msg('pay alice 10');
    const tag = signFlood(tampered, me);
    p.send(`${encodeSigned(tag, encode({ ...tampered, text: 'pay mallory 1000' }))}\n`);
    const forged = msg('i am someone else');
    const other = ephemeralIdentity();
    p.send(`${encodeSigned({ ...signFlood(forged, me), key: other.publicKey }, encode(forged))}\n`);
    const old = msg('old news', Date.now() - 11 * 60_000);
    p.send(`${encodeSigned(signFlood(old, me), encode(old))}\n`);
    // The same signed line again (a replay inside the window): shown once.
    p.send(`${encodeSigned(signFlood(good, me), encode(good))}\n`);
    await waitUntil(() => lines(b).some((e) => e.text === 'good line'));
    await settle(300);
    for (const t of [a, b]) {
      expect(lines(t).map((e) => e.text)).toEqual(['good line']);
      expect(lines(t)[0]?.signedBy).toBe(me.authority);
    }
    expect(await counters(a)).toMatchObject({ verified: 1, bad: 2, replayed: 1 });
    expect(p.closed).toBe(false);
  });

  it('a classic node in the middle still relays (unsigned past it); --require-signed drops unsigned lines', async () => {
    net = await chatNet(4, (i) => ({ targetDegree: 0, ...(i === 0 ? { sign: true } : i === 1 ? { classic: true } : i === 3 ? { requireSigned: true } : {}) }));
    const [a, old, b, strict] = net.nodes as [TestNode, TestNode, TestNode, TestNode];
    await link(a, old);
    await link(old, b);
    await link(a, strict);
    await settle(200);
    await a.node.run('chat', 'say', ['through', 'the', 'old', 'node']);
    await waitUntil(() => lines(b).length === 1 && lines(old).length === 1 && lines(strict).length === 1);
    expect(lines(old)[0]?.text).toBe('through the old node');
    expect(lines(old)[0]?.signedBy).toBeUndefined();
    expect(lines(b)[0]?.signedBy).toBeUndefined(); // the classic node carried the classic line
    expect(lines(strict)[0]?.signedBy).toBe(await authority(a));
    // b's own unsigned line reaches a (unsigned) but the strict node drops it.
    await b.node.run('chat', 'say', ['unsigned', 'from', 'b']);
    await waitUntil(() => lines(a).length === 2);
    await settle(300);
    expect(lines(strict).map((e) => e.text)).toEqual(['through the old node']);
    expect((await counters(strict)).unsigned).toBeGreaterThanOrEqual(1);
    // An nc user at the strict node is told once why its lines go nowhere.
    const nc = await rawConnect(portOf(strict, 'chat'));
    try {
      nc.send('hello?\nanyone?\n');
      await nc.waitLine((l) => l.includes('signed lines only'));
      await settle(300);
      expect(nc.lines.filter((l) => l.startsWith('* '))).toEqual(['* this node shows signed lines only: yours are not shown (a plain peer cannot sign)']);
      expect(lines(strict).map((e) => e.text)).toEqual(['through the old node']);
    } finally {
      nc.socket.destroy();
    }
  });

  it('a classic node sent a SIG line directly ignores it and keeps the link', async () => {
    net = await chatNet(1, () => ({ classic: true }));
    const t = net.nodes[0]!;
    const p = await rawConnect(portOf(t, 'chat'));
    p.send('HELLO peerdeck-chat/1 node=rawx1 nick=raw listen=- mesh=default\n');
    await p.waitLine((l) => l.startsWith('HELLO '));
    const m = msg('signed for nobody');
    p.send(`EXT sig names\n${encodeSigned(signFlood(m, ephemeralIdentity()), encode(m))}\nMSG ${'ab'.repeat(16)} 16 rawx1 ${Date.now()} raw :plain after\n`);
    await waitUntil(() => lines(t).length === 1);
    expect(lines(t)[0]?.text).toBe('plain after');
    expect(p.lines.some((l) => l.startsWith('EXT'))).toBe(false);
  });
});

describe('chat: contacts', () => {
  it('/contact add stores a signer (kept in contacts.json); its lines show its name; another key under its nick is a loud warning', async () => {
    net = await chatNet(2, (i) => ({ targetDegree: 0, ...(i === 0 ? { sign: true } : {}) }));
    const [a, b] = net.nodes as [TestNode, TestNode];
    await link(a, b);
    await a.node.run('chat', 'say', ['first']);
    await waitUntil(() => lines(b).length === 1);
    const nick = lines(b)[0]!.nick;
    expect(lines(b)[0]?.contact).toBeUndefined();
    const [added] = await b.node.run('chat', 'contact', ['add', nick]);
    expect(added).toBe(`contact ${nick}: authority ${await authority(a)}`);
    expect(await b.node.run('chat', 'contacts', [])).toEqual([`${nick}: ${await authority(a)}`]);
    const stored = new Contacts(b.dataDir);
    await stored.load();
    expect(stored.list().map((c) => c.authority)).toEqual([await authority(a)]);
    await a.node.run('chat', 'say', ['second']);
    await waitUntil(() => lines(b).length === 2);
    expect(lines(b)[1]).toMatchObject({ text: 'second', signedBy: nick, contact: true });
    // Someone else signs under the contact's nick.
    const p = await extPeer(b);
    const impostor = msg('trust me', Date.now(), nick);
    p.send(`${encodeSigned(signFlood(impostor, ephemeralIdentity()), encode(impostor))}\n`);
    await waitUntil(() => lines(b).length === 3);
    expect(lines(b)[2]?.contact).toBeUndefined();
    expect(lines(b)[2]?.signedBy).toMatch(/^[0-9a-f]{40}$/);
    expect(b.of('error').some((e) => e.message.startsWith(`WARNING: ${nick} now signs with another key`))).toBe(true);
  });
});

describe('chat: SIG line parser under hostile input', () => {
  it('returns a message or throws a NetError for any line', async () => {
    const fc = await import('fast-check');
    const { parseSigned } = await import('../../protocols/chat/signing.js');
    const { NetError } = await import('../../src/errors.js');
    const key = ephemeralIdentity().publicKey;
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.constantFrom('', `${key} `, `${key} ${'A'.repeat(86)} `, `${key} ${'A'.repeat(86)} MSG `), (s, prefix) => {
        try {
          parseSigned(prefix + s);
        } catch (err) {
          if (!(err instanceof NetError)) throw err;
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
