/**
 * Peer names over the chat mesh (issue 14 "Peer names"): real nodes on 127.0.0.1 in a line,
 * a hand-written extended peer sending forged, tampered, stale and replayed records.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ephemeralIdentity } from '../../protocols/chat/identity.js';
import { encodeRecord, makeRecord } from '../../protocols/chat/names/record.js';
import { NetError } from '../../src/errors.js';
import { createChatPlugin } from '../../protocols/chat/index.js';
import { portOf, startTestNode, type Testnet, type TestNode } from '../testnet.js';
import { addrOf, chatNet, chatOpts, link, linked, rawConnect, settle, waitUntil } from './chat-net.js';

let net: Testnet | undefined;
afterEach(async () => {
  await net?.stop();
  net = undefined;
});

async function namesStats(t: TestNode): Promise<Record<string, number>> {
  const out = (await t.node.run('chat', 'peernames', [])).join('\n');
  const n = (re: RegExp): number => Number(re.exec(out)?.[1] ?? NaN);
  return { cache: n(/cache: (\d+) records?;/), sent: n(/sent (\d+) name lines?;/), forged: n(/forged (\d+)/), stale: n(/stale (\d+)/), replayed: n(/replayed (\d+)/) };
}

describe('chat: peer names', () => {
  it('10-node line: register on one end, resolve from the other, cached on the way, /connect by name; after expiry and leaving, a clean failure', async () => {
    const names = { ttlMs: 4_000, resolveMs: 4_000 };
    net = await chatNet(10, () => ({ targetDegree: 0, names }));
    const n = net.nodes;
    for (let i = 0; i + 1 < n.length; i++) await link(n[i]!, n[i + 1]!);
    await settle(200);
    const [reg] = await n[0]!.node.run('chat', 'register', ['printer']);
    const name = /registered ([0-9a-f]{40}\.printer)/.exec(reg ?? '')?.[1];
    expect(name).toBeDefined();
    const out = await n[9]!.node.run('chat', 'resolve', [name!]);
    expect(out[0]).toBe('1 record (from the mesh):');
    expect(out[1]).toContain(`chat@${addrOf(n[0]!)}`);
    expect(out[1]).toContain('secured');
    // Every node the answer passed cached it: the middle one answers without asking.
    const mid = await n[5]!.node.run('chat', 'resolve', [name!]);
    expect(mid[0]).toBe('1 record (from cache):');
    // /connect by name dials the published chat endpoint.
    const before = linked(n[9]!);
    await n[9]!.node.run('chat', 'connect', [name!]);
    await waitUntil(() => linked(n[9]!) > before);
    // The owner leaves; once the record expires nobody answers for it.
    await n[0]!.stop();
    await n[9]!.node.run('chat', 'unregister', []);
    await settle(names.ttlMs + 200);
    const err = await n[9]!.node.run('chat', 'resolve', [name!]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetError);
    expect((err as NetError).code).toBe('NOT_FOUND');
  }, 40_000);

  it('expanding ring: a secured name near the asker is found without the query reaching the far end; a far one is found by the second round', async () => {
    net = await chatNet(7, () => ({ targetDegree: 0, names: { resolveMs: 4_000, ringHops: 2, ringMs: 3_000 } }));
    const n = net.nodes;
    for (let i = 0; i + 1 < n.length; i++) await link(n[i]!, n[i + 1]!);
    await settle(200);
    const seen = async (t: TestNode): Promise<number> => Number(/queries seen (\d+)/.exec((await t.node.run('chat', 'peernames', [])).join('\n'))?.[1] ?? NaN);
    const near = /registered (\S+)/.exec((await n[2]!.node.run('chat', 'register', ['near']))[0] ?? '')![1]!;
    expect((await n[0]!.node.run('chat', 'resolve', [near]))[0]).toBe('1 record (from the mesh):');
    await settle(500);
    // Two hops out: nodes 1 and 2 saw it; node 2 (the owner) answered and did not forward; 3 to 6 never saw it.
    expect(await Promise.all(n.map(seen))).toEqual([0, 1, 1, 0, 0, 0, 0]);
    // The ring's wait follows how long ring answers take (4 x that, at least 50 ms, at most ringMs):
    // node 0 has learned it; node 6 never asked, so it would wait the whole 3 s.
    const wait = Number(/ring wait (\d+) ms/.exec((await n[0]!.node.run('chat', 'peernames', [])).join('\n'))?.[1]);
    expect(wait).toBeGreaterThanOrEqual(50);
    expect(wait).toBeLessThan(3_000);
    expect((await n[6]!.node.run('chat', 'peernames', [])).join('\n')).toContain('ring wait 3000 ms');
    const far = /registered (\S+)/.exec((await n[6]!.node.run('chat', 'register', ['far']))[0] ?? '')![1]!;
    // Found through the whole line after the learned wait, well before the 3 s ringMs would have allowed.
    const t0 = Date.now();
    expect((await n[0]!.node.run('chat', 'resolve', [far]))[1]).toContain(`chat@${addrOf(n[6]!)}`);
    expect(Date.now() - t0).toBeLessThan(3_000);
    await settle(300);
    // The ring (nodes 1, 2), then the whole line (1 to 6).
    expect(await Promise.all(n.map(seen))).toEqual([0, 3, 3, 1, 1, 1, 1]);
  }, 40_000);

  it('an unsecured name is shown as spoofable and every registration of it is returned', async () => {
    net = await chatNet(3, () => ({ targetDegree: 0, names: { resolveMs: 3_000 } }));
    const [a, b, c] = net.nodes as [TestNode, TestNode, TestNode];
    await link(a, b);
    await link(b, c);
    await settle(200);
    await a.node.run('chat', 'register', ['lobby', '--unsecured']);
    await c.node.run('chat', 'register', ['lobby', '--unsecured']);
    const out = await b.node.run('chat', 'resolve', ['0.lobby']);
    expect(out[0]).toBe('2 records (from the mesh):');
    expect(out.slice(1).every((l) => l.includes('unsecured (spoofable)'))).toBe(true);
    expect(out.join('\n')).toContain(addrOf(a));
    expect(out.join('\n')).toContain(addrOf(c));
  });

  it('drops and counts a forged name, a tampered record, an expired one and a replayed older one', async () => {
    net = await chatNet(1);
    const t = net.nodes[0]!;
    const p = await rawConnect(portOf(t, 'chat'));
    p.send(`HELLO peerdeck-chat/1 node=raw${randomBytes(4).toString('hex')} nick=raw listen=- mesh=default\n`);
    await p.waitLine((l) => l.startsWith('EXT '));
    p.send('EXT sig names\n');
    const victim = ephemeralIdentity();
    const mallory = ephemeralIdentity();
    const now = Date.now();
    const qid = (): string => randomBytes(12).toString('hex');
    const send = (r: ReturnType<typeof makeRecord>): void => p.send(`NAMEA ${qid()} ${encodeRecord(r)}\n`);
    // Forged: mallory signs a record for the victim's name.
    const forged = makeRecord(`${mallory.authority}.bank`, 'global', ['chat@127.0.0.1:9'], now, 60_000, mallory);
    send({ ...forged, name: `${victim.authority}.bank` });
    // Tampered: the victim's genuine record with its endpoints changed.
    const genuine = makeRecord(`${victim.authority}.bank`, 'global', ['chat@127.0.0.1:7000'], now, 60_000, victim);
    send({ ...genuine, endpoints: ['chat@127.0.0.1:6666'] });
    // Expired (a replay from long ago).
    send(makeRecord(`${victim.authority}.bank`, 'global', ['chat@127.0.0.1:7000'], now - 120_000, 60_000, victim));
    // The genuine one, then an older genuine one replayed.
    send(genuine);
    send(makeRecord(`${victim.authority}.bank`, 'global', ['chat@127.0.0.1:5555'], now - 5_000, 60_000, victim));
    await waitUntil(() => t.events.length > 0 && p.lines.length > 0);
    await settle(300);
    expect(await namesStats(t)).toMatchObject({ forged: 2, stale: 1, replayed: 1, cache: 1 });
    expect((await t.node.run('chat', 'peernames', [])).join('\n')).toContain('cache: 1 record;');
    const out = await t.node.run('chat', 'resolve', [`${victim.authority}.bank`]);
    expect(out).toHaveLength(2);
    expect(out[1]).toContain('chat@127.0.0.1:7000');
    expect(t.of('chat.line').filter((e) => !e.self)).toHaveLength(0);
    expect(t.of('notice')).toHaveLength(0);
    expect(p.closed).toBe(false);
  });
});

describe('chat: a neighbour that answers a resolution again and again', () => {
  // An unsecured name gathers answers for a moment after the first: every answer used to be
  // kept, so the same record sent 300 times made a 300-record /resolve (and memory without
  // bound while the flood lasted). One record per publisher, at most 8 publishers.
  it('gathers one record per publisher and at most 8, however many answers come', async () => {
    net = await chatNet(1, () => ({ names: { resolveMs: 4_000 } }));
    const t = net.nodes[0]!;
    const p = await rawConnect(portOf(t, 'chat'));
    p.send(`HELLO peerdeck-chat/1 node=raw${randomBytes(4).toString('hex')} nick=raw listen=- mesh=default\n`);
    await p.waitLine((l) => l.startsWith('EXT '));
    p.send('EXT sig names\n');
    await settle(100);
    const resolving = t.node.run('chat', 'resolve', ['0.lobby']);
    const q = await p.waitLine((l) => l.startsWith('NAMEQ '));
    const qid = q.split(' ')[1]!;
    const anyone = ephemeralIdentity();
    const now = Date.now();
    const rec = (port: number): string => `NAMEA ${qid} ${encodeRecord(makeRecord('0.lobby', 'global', [`chat@127.0.0.1:${port}`], now, 60_000, anyone))}\n`;
    p.send(rec(7000).repeat(300) + Array.from({ length: 30 }, (_, i) => rec(7001 + i)).join(''));
    const out = await resolving;
    expect(out[0]).toBe('8 records (from the mesh):');
    expect(new Set(out.slice(1)).size).toBe(8);
    expect(p.closed).toBe(false);
  });
});

describe('chat: clouds', () => {
  it('/clouds: Global, and a LinkLocal cloud for the loopback discovery interface with its scope id, peers and names', async () => {
    const port = 40_000 + Math.floor(Math.random() * 20_000);
    const discovery = { port, interface: '127.0.0.1', intervalMs: 200 };
    const mesh = `cl${Math.random().toString(36).slice(2, 10)}`;
    net = await chatNet(2, (i) => (i === 0 ? { discovery, mesh } : { discovery: false, mesh }));
    const [a, b] = net.nodes as [TestNode, TestNode];
    await link(a, b);
    await a.node.run('chat', 'register', ['local', '--cloud', 'linklocal']);
    const out = await a.node.run('chat', 'clouds', []);
    expect(out[0]).toBe('Global (global, scope id 0): 1 peer, 0 names');
    expect(out[1]).toMatch(/^LinkLocal_lo\S* \(linklocal, scope id [1-9]\d*\): 1 peer, 1 name$/);
    expect(await b.node.run('chat', 'clouds', [])).toEqual(['Global (global, scope id 0): 1 peer, 0 names']);
  });

  it('closes the link of a neighbour that sends a malformed name line', async () => {
    net = await chatNet(1);
    const t = net.nodes[0]!;
    const p = await rawConnect(portOf(t, 'chat'));
    p.send(`HELLO peerdeck-chat/1 node=raw${randomBytes(4).toString('hex')} nick=raw listen=- mesh=default\n`);
    await p.waitLine((l) => l.startsWith('EXT '));
    p.send('EXT sig names\nNAMEQ nothex 5 all 0.x\n');
    await p.waitClosed();
    expect(p.lines.some((l) => l.startsWith('ERROR :BAD_MESSAGE'))).toBe(true);
  });
});

describe('chat: --connect by peer name', () => {
  it('resolves the name once linked and keeps a link to its chat endpoint', async () => {
    net = await chatNet(2, () => ({ targetDegree: 0 }));
    const [a, b] = net.nodes as [TestNode, TestNode];
    await link(a, b);
    const [reg] = await a.node.run('chat', 'register', ['home']);
    const name = /registered (\S+)/.exec(reg ?? '')?.[1] ?? '';
    const c = await startTestNode(2, () => [createChatPlugin(chatOpts({ targetDegree: 0, connect: [addrOf(b), name] }))]);
    try {
      await waitUntil(() => linked(c) === 2 && linked(a) === 2, 15_000, 'c linked to b and to a by name');
    } finally {
      await c.stop();
    }
  }, 30_000);
});
