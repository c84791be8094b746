import { describe, expect, it } from 'vitest';
import { authProof } from '../../protocols/chat/auth.js';
import type { TestNode } from '../testnet.js';
import { portOf } from '../testnet.js';
import { chatFixture, lines, link, settle, waitUntil } from './chat-net.js';

const fx = chatFixture();

const PW = 'correct horse battery staple';

describe('mesh password', () => {
  it('nodes with the right password link and chat; the password never crosses the wire', async () => {
    const net = await fx.net(3, () => ({ targetDegree: 0, password: PW }));
    const [a, b, c] = net.nodes as [TestNode, TestNode, TestNode];
    await link(a, b);
    await link(c, b);
    await a.node.run('chat', 'say', ['secret meeting']);
    await waitUntil(() => lines(c).length === 1, 5_000, 'c hears a');
    // Watch the wire from the outside: a raw peer sees HELLO with a nonce, then AUTH, never the password.
    const r = await fx.raw(a);
    r.send(`HELLO peerdeck-chat/1 node=watcher nick=w listen=- mesh=default auth=${'00'.repeat(16)}\n`);
    await r.waitLine((l) => l.startsWith('AUTH '));
    expect(r.lines[0]).toMatch(/^HELLO peerdeck-chat\/1 .* auth=[0-9a-f]{32}$/);
    expect(r.lines.join('\n')).not.toContain(PW);
  });

  it('a wrong password links nothing and gets no chat traffic', async () => {
    const net = await fx.net(3, (i) => ({ targetDegree: 0, password: i === 2 ? 'guess' : PW }));
    const [a, b, c] = net.nodes as [TestNode, TestNode, TestNode];
    await link(a, b);
    await c.node.run('chat', 'connect', [`127.0.0.1:${portOf(a, 'chat')}`]);
    await waitUntil(() => c.of('error').length > 0, 5_000, 'c told');
    expect(c.of('error')[0]!.message).toMatch(/AUTH_FAILED/);
    await a.node.run('chat', 'say', ['not for c']);
    await c.node.run('chat', 'say', ['c speaks']);
    await waitUntil(() => lines(b).length === 1, 5_000, 'b hears a');
    await settle(200);
    expect(lines(c).map((l) => l.text)).toEqual(['c speaks']);
    expect(lines(a).map((l) => l.text)).toEqual(['not for c']);
    expect(c.of('peer.up')).toHaveLength(0);
  });

  it('a node without the password, and a raw peer with a bad or reflected proof, are refused', async () => {
    const net = await fx.net(2, (i) => ({ targetDegree: 0, ...(i === 0 ? { password: PW } : {}) }));
    const [a, b] = net.nodes as [TestNode, TestNode];
    await b.node.run('chat', 'connect', [`127.0.0.1:${portOf(a, 'chat')}`]);
    await waitUntil(() => b.of('error').length > 0, 5_000, 'b told');
    expect(b.of('error')[0]!.message).toMatch(/AUTH_FAILED/);

    const bad = await fx.raw(a);
    bad.send(`HELLO peerdeck-chat/1 node=mallory nick=m listen=- mesh=default auth=${'11'.repeat(16)}\n`);
    await bad.waitLine((l) => l.startsWith('AUTH '));
    bad.send(`AUTH ${'ab'.repeat(32)}\n`);
    await bad.waitClosed();
    expect(bad.lines.at(-1)).toBe('ERROR :AUTH_FAILED: wrong mesh password');

    // Reflection: send a's own proof back.
    const refl = await fx.raw(a);
    refl.send(`HELLO peerdeck-chat/1 node=mallory2 nick=m listen=- mesh=default auth=${'22'.repeat(16)}\n`);
    const theirs = await refl.waitLine((l) => l.startsWith('AUTH '));
    refl.send(`${theirs}\n`);
    await refl.waitClosed();
    expect(refl.lines.at(-1)).toBe('ERROR :AUTH_FAILED: wrong mesh password');

    // And the right proof from a raw peer does link (the test can tell success from failure).
    const good = await fx.raw(a);
    const ours = { node: 'honest', nonce: '33'.repeat(16) };
    good.send(`HELLO peerdeck-chat/1 node=honest nick=h listen=- mesh=default auth=${ours.nonce}\n`);
    const hello = await good.waitLine((l) => l.startsWith('HELLO '));
    const m = / node=(\S+) .* auth=([0-9a-f]+)$/.exec(hello)!;
    good.send(`AUTH ${authProof(PW, ours, { node: m[1]!, nonce: m[2]! })}\n`);
    await waitUntil(() => a.of('peer.up').length === 1, 5_000, 'honest raw peer linked');
    await a.node.run('chat', 'say', ['welcome']);
    await good.waitLine((l) => l.startsWith('MSG ') && l.endsWith(' :welcome'));
    expect(lines(b)).toHaveLength(0);
  });

  it('a refused node is told why in its own words: its mesh, its missing password', async () => {
    const net = await fx.net(3, (i) => ({ targetDegree: 0, ...(i === 0 ? { password: PW } : {}), ...(i === 2 ? { mesh: 'other' } : {}) }));
    const [a, b, c] = net.nodes as [TestNode, TestNode, TestNode];
    await b.node.run('chat', 'connect', [`127.0.0.1:${portOf(a, 'chat')}`]);
    await c.node.run('chat', 'connect', [`127.0.0.1:${portOf(b, 'chat')}`]);
    await waitUntil(() => b.of('error').length > 0 && c.of('error').length > 0, 5_000, 'b and c told');
    expect(b.of('error')[0]!.message).toMatch(/AUTH_FAILED: peer refused us: its mesh needs a password \(--mesh-password-file\); we offered none$/);
    expect(c.of('error')[0]!.message).toMatch(/WRONG_MESH: peer refused us: it is in mesh "default", we are in "other"$/);
  });
});
