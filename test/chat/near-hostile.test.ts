/**
 * People Near Me shows what the LAN says about a person safely (README "People Near Me"):
 * a nick with a bidi override or a zero-width space, or a friendly name with bidi
 * controls, reaches neither `/near`, the notice nor the `near.person` event as it came.
 * The node listens for discovery on loopback only; the datagram goes to 127.0.0.1.
 */
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contacts } from '../../protocols/chat/contacts.js';
import { ephemeralIdentity } from '../../protocols/chat/identity.js';
import { INVITE_BURST, NEAR_TELL_BURST, NearMe } from '../../protocols/chat/near-me.js';
import { ManualClock } from '../../src/clock.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Testnet, TestNode } from '../testnet.js';
import { chatNet, waitUntil } from './chat-net.js';

let net: Testnet | undefined;
afterEach(async () => {
  await net?.stop();
  net = undefined;
});

describe('People Near Me from a hostile LAN', () => {
  it('shows a nick and a friendly name without bidi overrides or invisible characters', async () => {
    const port = 40_000 + Math.floor(Math.random() * 20_000);
    net = await chatNet(1, () => ({ discovery: { port, interface: '127.0.0.1', intervalMs: 200 }, mesh: `nh${Math.random().toString(36).slice(2, 10)}`, targetDegree: 0 }));
    const [a] = net.nodes as [TestNode];
    const friendly = Buffer.from('Ali\u202ece\u2066 Smith', 'utf8').toString('base64url');
    const datagram = `peerdeck-near/1 in evil0001 ${'a'.repeat(40)} x\u202eevil\u200b chat ${friendly}`;
    const udp = createSocket('udp4');
    try {
      await waitUntil(() => {
        udp.send(datagram, port, '127.0.0.1');
        return a.of('near.person').length > 0;
      }, 10_000, 'a sees the person');
    } finally {
      udp.close();
    }
    const e = a.of('near.person')[0]!;
    expect(e.nick).toBe('x?evil?');
    expect(e.friendly).toBe('Alice Smith');
    expect(e.text).toBe('near: x?evil? (Alice Smith) is near you');
    const listing = (await a.node.run('chat', 'near', [])).join('\n');
    expect(listing).toContain('x?evil? (Alice Smith)');
    expect(listing).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u200b]/);
  }, 30_000);

  // An answer to an invitation is no signed datagram: anyone on the LAN can send one. It used
  // to be a notice each ("X accepted your invitation"), for invitations never sent, as many
  // as came. Now only an answer to an invitation we sent, from the one invited, once.
  it('tells nothing for an answer to an invitation it never sent', async () => {
    const port = 40_000 + Math.floor(Math.random() * 20_000);
    net = await chatNet(1, () => ({ discovery: { port, interface: '127.0.0.1', intervalMs: 200 }, mesh: `nr${Math.random().toString(36).slice(2, 10)}`, targetDegree: 0 }));
    const [a] = net.nodes as [TestNode];
    const authority = /^authority ([0-9a-f]{40})$/.exec((await a.node.run('chat', 'identity', []))[0] ?? '')?.[1];
    expect(authority).toBeDefined();
    const udp = createSocket('udp4');
    try {
      const forged = Array.from({ length: 20 }, (_, i) => `peerdeck-reply/1 ${i.toString(16).padStart(16, '0')} ${authority} ${'b'.repeat(40)} accepted`);
      const presence = `peerdeck-near/1 in late0001 ${'c'.repeat(40)} late chat -`;
      await waitUntil(() => {
        for (const d of forged) udp.send(d, port, '127.0.0.1');
        udp.send(presence, port, '127.0.0.1');
        return a.of('near.person').length > 0;
      }, 10_000, 'a hears the datagrams');
    } finally {
      udp.close();
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(a.of('notice').filter((e) => e.text.includes('your invitation'))).toEqual([]);
  }, 30_000);

  // Keys and invitation ids cost a LAN host nothing: 60 senders, one signed invitation each,
  // used to be 60 signature checks and 60 invitations at once.
  it(`checks ${INVITE_BURST} invitations at once, from any number of senders`, async () => {
    const port = 40_000 + Math.floor(Math.random() * 20_000);
    net = await chatNet(1, () => ({ discovery: { port, interface: '127.0.0.1', intervalMs: 200 }, mesh: `ni${Math.random().toString(36).slice(2, 10)}`, targetDegree: 0 }));
    const [a] = net.nodes as [TestNode];
    const authority = /^authority ([0-9a-f]{40})$/.exec((await a.node.run('chat', 'identity', []))[0] ?? '')?.[1];
    const nick = a.node.snapshot().nick;
    const dir = await mkdtemp(join(tmpdir(), 'peerdeck-near-senders-'));
    const invitations: string[] = [];
    try {
      for (let i = 0; i < 60; i++) {
        const sent: string[] = [];
        const m = new NearMe({ identity: ephemeralIdentity(), contacts: new Contacts(dir), clock: new ManualClock(), node: `s${i}`, nick: () => `s${i}`, friendly: '', protocols: () => ['chat'], endpoints: () => ['chat@127.0.0.1:9'], acceptFrom: 'anyone', expireMs: 15_000, send: (d) => sent.push(d), notice: () => undefined, event: () => undefined, run: () => Promise.resolve([]) });
        m.receive(Buffer.from(`peerdeck-near/1 in target01 ${authority} ${nick} chat -`), '127.0.0.1');
        m.invite(nick, 'mesh', `from ${i}`);
        invitations.push(sent.at(-1)!);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const udp = createSocket('udp4');
    try {
      for (const d of invitations) udp.send(d, port, '127.0.0.1');
      await waitUntil(() => a.of('near.invitation').length >= INVITE_BURST, 10_000, 'the first invitations');
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      udp.close();
    }
    // A few more may pass as the rate refills while they arrive (2 a second).
    expect(a.of('near.invitation').length).toBeLessThanOrEqual(INVITE_BURST + 4);
  }, 30_000);

  // Presence is not signed: a LAN host saying a new name for one node, or signing it out and
  // in, in every datagram made an event and a notice each.
  it(`tells at most ${NEAR_TELL_BURST} comings, changes and goings at once`, async () => {
    const port = 40_000 + Math.floor(Math.random() * 20_000);
    net = await chatNet(1, () => ({ discovery: { port, interface: '127.0.0.1', intervalMs: 200 }, mesh: `nf${Math.random().toString(36).slice(2, 10)}`, targetDegree: 0 }));
    const [a] = net.nodes as [TestNode];
    const udp = createSocket('udp4');
    try {
      for (let i = 0; i < 300; i++) {
        udp.send(`peerdeck-near/1 in flap0001 ${'e'.repeat(40)} flap chat ${Buffer.from(`name ${i}`).toString('base64url')}`, port, '127.0.0.1');
        if (i % 3 === 0) udp.send('peerdeck-near/1 out flap0001', port, '127.0.0.1');
      }
      await waitUntil(() => a.of('near.person').length > 0, 10_000, 'the first of them');
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      udp.close();
    }
    // A few more may pass as the rate refills while they arrive (10 a second).
    expect(a.of('near.person').length).toBeLessThanOrEqual(NEAR_TELL_BURST + 10);
  }, 30_000);
});
