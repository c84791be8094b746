/**
 * People Near Me (issue 14): real nodes with LAN discovery on loopback only (a random
 * multicast port of our own), never out of a real interface.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Testnet, TestNode } from '../testnet.js';
import { addrOf, chatNet, linked, settle, waitUntil } from './chat-net.js';

let net: Testnet | undefined;
afterEach(async () => {
  await net?.stop();
  net = undefined;
});

const nearNicks = async (t: TestNode): Promise<string[]> => (await t.node.run('chat', 'near', [])).slice(1).filter((l) => !l.startsWith('invitation') && l !== 'nobody near you').map((l) => l.split(' ')[0]!);
const waitAsync = (pred: () => Promise<boolean>, timeout: number, what: string): Promise<void> =>
  vi.waitFor(async () => {
    if (!(await pred())) throw new Error(`${what} not met`);
  }, { timeout, interval: 50 });
/** What the user is told: notices, and People Near Me's events (each with its sentence). */
const notices = (t: TestNode): string[] => t.events.flatMap((e) => (e.type === 'notice' || e.type === 'near.person' || e.type === 'near.invitation' ? [e.text] : []));

describe('chat: People Near Me', () => {
  it('sign-in shows, sign-out disappears; an invitation to a mesh accepted joins it; contacts-only refuses a stranger', async () => {
    const port = 40_000 + Math.floor(Math.random() * 20_000);
    const discovery = { port, interface: '127.0.0.1', intervalMs: 200 };
    const mesh = `nm${Math.random().toString(36).slice(2, 10)}`;
    // targetDegree 0: discovery finds them, but nobody dials; only an accepted invitation links.
    net = await chatNet(3, (i) => ({ discovery, mesh, targetDegree: 0, friendly: `Person ${i}`, ...(i === 2 ? { acceptFrom: 'contacts' as const } : {}) }));
    const [a, b, c] = net.nodes as [TestNode, TestNode, TestNode];
    const nick = (t: TestNode): string => t.node.snapshot().nick;
    await waitAsync(async () => (await nearNicks(a)).length === 2, 10_000, 'a sees b and c');
    expect(await nearNicks(a)).toEqual(expect.arrayContaining([nick(b), nick(c)]));
    expect((await a.node.run('chat', 'near', [])).join('\n')).toContain('(Person 1)');
    // b signs out: it disappears from a's list at once.
    await b.node.run('chat', 'signout', []);
    await waitAsync(async () => !(await nearNicks(a)).includes(nick(b)), 5_000, 'b gone');
    expect(notices(a)).toContain(`near: ${nick(b)} signed out`);
    expect(a.of('near.person').filter((e) => e.nick === nick(b)).map((e) => e.state)).toEqual(['here', 'signed-out']);
    expect(a.of('near.person')[0]).toMatchObject({ friendly: expect.stringMatching(/^Person [12]$/), address: '127.0.0.1', authority: expect.stringMatching(/^[0-9a-f]{40}$/) });
    await b.node.run('chat', 'signin', []);
    await waitAsync(async () => (await nearNicks(a)).includes(nick(b)), 5_000, 'b back');
    // a invites b to its mesh; b accepts and links to a.
    expect(linked(b)).toBe(0);
    expect(await a.node.run('chat', 'invite', [`${nick(b)} mesh come chat`])).toEqual([`invited ${nick(b)} to mesh at ${addrOf(a)}`]);
    await waitUntil(() => notices(b).some((t) => t.startsWith('invitation 1:')), 5_000, 'b invited');
    expect(notices(b).find((t) => t.startsWith('invitation 1:'))).toContain(`to mesh at ${addrOf(a)}: come chat`);
    expect(b.of('near.invitation')).toEqual([expect.objectContaining({ n: 1, kind: 'mesh', state: 'open', endpoint: addrOf(a), message: 'come chat', contact: false, nick: nick(a) })]);
    await b.node.run('chat', 'accept', ['1']);
    expect(b.of('near.invitation').map((e) => e.state)).toEqual(['open', 'accepted']);
    await waitUntil(() => linked(b) === 1 && linked(a) === 1, 5_000, 'b joined');
    await waitUntil(() => notices(a).includes(`${nick(b)} accepted your invitation`), 5_000, 'a told');
    // c accepts invitations from contacts only: a's is refused, c never sees it.
    await a.node.run('chat', 'invite', [`${nick(c)} mesh hello`]);
    await waitUntil(() => notices(a).includes(`${nick(c)} declined your invitation`), 5_000, 'c declines');
    await settle(200);
    expect(notices(c).some((t) => t.startsWith('invitation'))).toBe(false);
    expect(linked(c)).toBe(0);
  }, 30_000);
});
