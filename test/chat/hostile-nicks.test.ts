/**
 * Nicks from the network are shown safely (README "Nicks"): a node of an older version, or a
 * hostile one, may say any one-token nick up to 48 characters in HELLO or its lines; `/peers`,
 * `peer.up` and `chat.line` show it without controls, bidi overrides or zero-width characters,
 * cut to 32 characters.
 */
import { describe, expect, it } from 'vitest';
import type { TestNode } from '../testnet.js';
import { chatFixture, lines, waitUntil } from './chat-net.js';

const fx = chatFixture();

const EVIL = 'x\u202eevil\u200b';
const LONG = 'L'.repeat(48);

describe('hostile nicks from the network', () => {
  it('show safely in /peers, peer.up and chat.line', async () => {
    const net = await fx.net(1, () => ({ targetDegree: 0 }));
    const [a] = net.nodes as [TestNode];
    const p = await fx.raw(a);
    p.send(`HELLO peerdeck-chat/1 node=evil0001 nick=${EVIL} listen=- mesh=default\n`);
    await p.waitLine((l) => l.startsWith('HELLO '));
    await waitUntil(() => a.of('peer.up').length === 1, 5_000, 'peer.up');
    expect(a.of('peer.up')[0]!.nick).toBe('x?evil?');
    expect(a.node.peers().map((x) => x.nick)).toEqual(['x?evil?']);
    const lines0 = await a.node.run('core', 'peers', []);
    expect(lines0.join('\n')).not.toMatch(/[\u202e\u200b]/);
    p.send(`MSG ${'1'.repeat(32)} 5 evil0001 ${Date.now()} ${LONG} :hi\n`);
    p.send(`ACT ${'2'.repeat(32)} 5 evil0001 ${Date.now()} ${EVIL} :waves\n`);
    await waitUntil(() => lines(a).length === 1 && lines(a, 'action').length === 1, 5_000, 'lines');
    expect(lines(a)[0]!.nick).toBe(`${'L'.repeat(31)}…`);
    expect(lines(a, 'action')[0]!.nick).toBe('x?evil?');
    // A look-alike of our own nick (n0 with a zero-width space): the warning shows it safely too.
    p.send(`MSG ${'3'.repeat(32)} 5 evil0001 ${Date.now()} n\u200b0 :it is me\n`);
    await waitUntil(() => lines(a).length === 2, 5_000, 'look-alike line');
    expect(lines(a)[1]!.nick).toBe('n?0~evil');
    const warning = a.of('notice').map((e) => e.text).find((t) => t.startsWith('another node of the mesh also uses your nick'));
    expect(warning).toBe('another node of the mesh also uses your nick n?0; its lines show as n?0~evil (/nick to pick another)');
  });
});
