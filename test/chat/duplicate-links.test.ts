/**
 * Two nodes that dial each other at once (README "Mesh upkeep"): one link stays, and the
 * duplicate closed on purpose is not reported as a lost or refused link: no error, no
 * `peer.down` but with the DUPLICATE code, and the TUI and headless text say it quietly.
 */
import { describe, expect, it } from 'vitest';
import type { AppEvent } from '../../src/app-api.js';
import { formatEvent } from '../../src/event-text.js';
import { UiModel } from '../../tui/ui-model.js';
import type { TestNode } from '../testnet.js';
import { addrOf, chatFixture, linked, settle, waitUntil } from './chat-net.js';

const fx = chatFixture();
const ROUNDS = 6;

/** Every event a node emitted, in order. */
function recorded(t: TestNode): AppEvent[] {
  const all: AppEvent[] = [];
  t.node.subscribe((e) => all.push(e));
  return all;
}

describe('both nodes dial each other at once', () => {
  it('one link stays; the duplicate closes quietly, never as REFUSED or an error', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const net = await fx.net(2, () => ({ targetDegree: 0 }));
      const [a, b] = net.nodes as [TestNode, TestNode];
      const seen = [recorded(a), recorded(b)] as const;
      await Promise.all([a.node.run('chat', 'connect', [addrOf(b)]), b.node.run('chat', 'connect', [addrOf(a)])]);
      await waitUntil(() => linked(a) === 1 && linked(b) === 1 && a.node.peers().length === 1 && b.node.peers().length === 1, 5_000, 'one link each');
      await settle(300);
      for (const [i, events] of seen.entries()) {
        const downs = events.filter((e) => e.type === 'peer.down');
        const ups = events.filter((e) => e.type === 'peer.up');
        const where = `round ${round}, node ${i}: ${JSON.stringify(events.filter((e) => e.type !== 'log'))}`;
        for (const d of downs) expect(d.type === 'peer.down' && d.reason, where).toMatch(/^DUPLICATE: /);
        expect(events.filter((e) => e.type === 'error'), where).toEqual([]);
        expect(ups.length - downs.length, where).toBe(1);
        expect(events.filter((e) => e.type === 'notice').map((e) => e.type === 'notice' && e.text), where).toEqual([expect.stringMatching(/^(connected to|already linked to) /)]);
        // What a user sees: no line that says a link was lost.
        const ui = new UiModel('me', ['chat'], 100, () => 0);
        for (const e of events) ui.apply(e);
        const chatTab = ui.tab('chat')!;
        const shown: string[] = [];
        for (let s = chatTab.lines.firstSeq; s < chatTab.lines.endSeq; s++) shown.push((chatTab.lines.get(s)?.spans ?? []).map((x) => x.text).join(''));
        expect(shown.filter((t) => t.includes('link down')), where).toEqual([]);
        expect(shown.filter((t) => t.includes('peer up')), where).toHaveLength(1);
        for (const d of downs) expect(formatEvent(d)).not.toMatch(/^peer down/);
      }
      await net.stop();
    }
  }, 120_000);

  it('the node whose link is replaced does not dial the other node again', async () => {
    const net = await fx.net(2, () => ({ targetDegree: 3 }));
    const nodes = net.nodes as [TestNode, TestNode];
    const idOf = async (t: TestNode): Promise<string> => {
      const p = await fx.hello(t, `probe${Math.random().toString(36).slice(2, 8)}`);
      const id = /node=(\S+)/.exec(p.lines.find((l) => l.startsWith('HELLO ')) ?? '')?.[1] ?? '';
      p.socket.destroy();
      return id;
    };
    const [id0, id1] = [await idOf(nodes[0]), await idOf(nodes[1])];
    // The node with the larger id dials first; the rule keeps the link the smaller id dials, so
    // when that one dials too, the first link is replaced on both ends.
    const [small, big] = id0 < id1 ? nodes : [nodes[1], nodes[0]];
    const seen = recorded(big);
    await big.node.run('chat', 'connect', [addrOf(small)]);
    await waitUntil(() => linked(big) === 1 && linked(small) === 1, 5_000, 'first link');
    await small.node.run('chat', 'connect', [addrOf(big)]);
    await waitUntil(() => seen.some((e) => e.type === 'log' && /closed: DUPLICATE/.test(e.message)), 5_000, 'the first link replaced');
    await settle(2_500); // a redial waits out the address's backoff (1 s) first
    // Its link replaced, the node lost no neighbour: it dials nobody (a dial of the other node
    // would be one more duplicate, closed after the replacement).
    const logs = seen.flatMap((e) => (e.type === 'log' ? [e.message] : []));
    const replaced = logs.findIndex((m) => /closed: DUPLICATE: replaced by another link/.test(m));
    expect(replaced).toBeGreaterThanOrEqual(0);
    expect(logs.slice(replaced + 1).filter((m) => /DUPLICATE/.test(m)), logs.join('\n')).toEqual([]);
    expect(linked(big) === 1 && linked(small) === 1).toBe(true);
  }, 60_000);
});
