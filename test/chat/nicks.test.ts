/**
 * Nick theft (README "Nicks"): `/nick` of a nick a live node of the mesh uses is refused
 * with a warning, and two nodes that still share a nick are shown apart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Roster } from '../../protocols/chat/roster.js';
import type { Testnet, TestNode } from '../testnet.js';
import { chatNet, lines, link, waitUntil } from './chat-net.js';

let net: Testnet | undefined;
afterEach(async () => {
  await net?.stop();
  net = undefined;
});

describe('roster', () => {
  const self = { node: 'ffff0000', nick: 'me' };
  it('knows live nicks, forgets parted and silent nodes, and shows shared nicks apart', () => {
    const r = new Roster(1_000, 3);
    r.seen('aaaa1111', 'Alice', 0);
    expect(r.holder('alice', 500)).toEqual({ origin: 'aaaa1111', at: 0 });
    expect(r.holder('alice', 500, 'aaaa1111')).toBeUndefined();
    expect(r.holder('alice', 1_001)).toBeUndefined(); // silent too long
    expect(r.display('aaaa1111', 'Alice', 10, self)).toBe('Alice');
    r.seen('bbbb2222', 'alice', 20);
    expect(r.display('aaaa1111', 'Alice', 30, self)).toBe('Alice~aaaa');
    expect(r.display('bbbb2222', 'alice', 30, self)).toBe('alice~bbbb');
    expect(r.display('cccc3333', 'me', 30, self)).toBe('me~cccc');
    expect(r.display(self.node, 'me', 30, self)).toBe('me');
    r.left('bbbb2222');
    expect(r.display('aaaa1111', 'Alice', 40, self)).toBe('Alice');
    r.renamed('aaaa1111', 'Alice', 'ann', 50);
    expect(r.holder('alice', 60)).toBeUndefined();
    expect(r.holder('ANN', 60)?.origin).toBe('aaaa1111');
    for (let i = 0; i < 5; i++) r.seen(`node${i}`, `n${i}`, 70);
    expect(r.holder('ann', 80)).toBeUndefined(); // only 3 nodes are remembered
  });

  it('a nick that only looks like another (invisible characters, fullwidth letters, look-alike letters) is the same nick, shown safely', () => {
    const r = new Roster();
    r.seen('aaaa1111', 'bob', 0);
    for (const [fake, shown] of [['bo\u200bb', 'bo?b'], ['\u202ebob', '?bob'], ['b\u2060ob\ufeff', 'b?ob?'], ['ｂｏｂ', 'ｂｏｂ'], ['BO\u200dB', 'BO?B'], ['b\u043eb', 'b\u043eb'], ['\u0412\u041e\u0412', '\u0412\u041e\u0412'], ['b\u03bfb', 'b\u03bfb']]) {
      expect(r.holder(fake!, 10)?.origin, fake).toBe('aaaa1111');
      expect(r.display('cccc3333', fake!, 10, self)).toBe(`${shown}~cccc`);
    }
    expect(r.display('cccc3333', 'böb', 10, self)).toBe('böb'); // a letter with an accent is another nick
  });
});

describe('nicks over real sockets', () => {
  it('/nick of a nick a live node uses is refused with a warning; a free one is taken', async () => {
    net = await chatNet(3, () => ({ targetDegree: 0 }));
    const [a, b, c] = net.nodes as [TestNode, TestNode, TestNode];
    await link(a, b);
    await link(c, b);
    await a.node.run('chat', 'say', ['hi from n0']);
    await waitUntil(() => lines(c).length === 1, 5_000, 'c hears a');
    await expect(c.node.run('chat', 'nick', ['N0'])).rejects.toMatchObject({ code: 'REFUSED', message: 'N0 is in use by another node of the mesh (seen just now); pick another nick' });
    await expect(c.node.run('chat', 'nick', ['n1'])).rejects.toMatchObject({ code: 'REFUSED', message: expect.stringContaining('n1 is in use') });
    await expect(c.node.run('chat', 'nick', ['n\u200b0'])).rejects.toMatchObject({ code: 'USAGE', message: expect.stringContaining('an invisible character') });
    // A Cyrillic о or a wholly Cyrillic look-alike is n0 too; a nick that mixes scripts is refused outright.
    await expect(c.node.run('chat', 'nick', ['\u043f0'])).rejects.toMatchObject({ code: 'REFUSED', message: expect.stringContaining('is in use') });
    await expect(c.node.run('chat', 'nick', ['n\u043e'])).rejects.toMatchObject({ code: 'USAGE', message: expect.stringContaining('Latin and Cyrillic letters mixed') });
    await expect(c.node.run('chat', 'nick', ['c'.repeat(33)])).rejects.toMatchObject({ code: 'USAGE', message: expect.stringContaining('longer than 32') });
    expect(c.of('nick')).toHaveLength(0);
    expect(await c.node.run('chat', 'nick', ['Кира'])).toEqual([]);
    expect(await c.node.run('chat', 'nick', ['carol'])).toEqual([]);
    expect(await c.node.run('chat', 'nick', ['carol'])).toEqual(['your nick is already carol']);
    // a leaves: its nick is free again.
    await a.stop();
    await waitUntil(() => lines(c, 'part').length === 1, 5_000, 'a parts');
    expect(await c.node.run('chat', 'nick', ['n0'])).toEqual([]);
  });

  it('two nodes that share a nick are shown apart', async () => {
    net = await chatNet(3, (i) => ({ targetDegree: 0, ...(i < 2 ? { nick: 'alice' } : {}) }));
    const [a, b, c] = net.nodes as [TestNode, TestNode, TestNode];
    await link(a, c);
    await link(b, c);
    await a.node.run('chat', 'say', ['from the first alice']);
    await b.node.run('chat', 'say', ['from the second alice']);
    await waitUntil(() => lines(c).length === 2 && lines(a).length === 2, 5_000, 'lines');
    const [fromA, fromB] = [lines(c).find((l) => l.text === 'from the first alice')!, lines(c).find((l) => l.text === 'from the second alice')!];
    expect(fromB.nick).toBe(`alice~${fromB.origin.slice(0, 4)}`);
    expect(fromA.origin).not.toBe(fromB.origin);
    // a sees the other alice apart from itself; its own line stays plain "alice".
    expect(lines(a).find((l) => l.text === 'from the second alice')!.nick).toBe(`alice~${fromB.origin.slice(0, 4)}`);
    expect(lines(a).find((l) => l.text === 'from the first alice')!.nick).toBe('alice');
    // and each alice is told, once, that someone else uses her nick.
    await b.node.run('chat', 'say', ['again']);
    await waitUntil(() => lines(a).length === 3, 5_000, 'third line');
    expect(a.of('notice').filter((n) => n.text.includes('also uses your nick'))).toEqual([
      { type: 'notice', protocol: 'chat', text: `another node of the mesh also uses your nick alice; its lines show as alice~${fromB.origin.slice(0, 4)} (/nick to pick another)` },
    ]);
    expect(c.of('notice')).toHaveLength(0);
  });
});
