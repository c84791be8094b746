/**
 * The hand-written `--json` text of hot events (src/event-json.ts, issue 9) is exactly
 * JSON.stringify's, whatever the strings hold: quotes, backslashes, controls, lone and
 * paired surrogates, U+2028/9, emoji, empty strings.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../src/app-api.js';
import { eventJson, eventJsonLine, jsonString } from '../../src/event-json.js';
import { chatNet, lines, link, waitUntil } from '../chat/chat-net.js';
import type { Testnet, TestNode } from '../testnet.js';
import { chatLine, hostile, num } from './event-arbitraries.js';

let net: Testnet | undefined;
afterEach(async () => {
  await net?.stop();
  net = undefined;
});

describe('--json event text', () => {
  it('writes a string exactly as JSON.stringify does', () => {
    fc.assert(fc.property(hostile, (s) => {
      expect(jsonString(s)).toBe(JSON.stringify(s));
    }), { numRuns: 5000 });
  });

  it('writes chat.line events exactly as JSON.stringify does, hostile strings and odd numbers included', () => {
    fc.assert(fc.property(chatLine, (e) => {
      expect(eventJson(e)).toBe(JSON.stringify(e));
      expect(eventJsonLine(e)).toBe(JSON.stringify(e) + '\n');
    }), { numRuns: 3000 });
  });

  it('writes runs of chat.line events that repeat a nick, origin or time exactly as JSON.stringify does (the reused text)', () => {
    const few = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T[]> => fc.array(arb, { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(few(hostile), few(hostile), few(num), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), hostile), { minLength: 1, maxLength: 20 }), (nicks, origins, ats, picks) => {
        for (const [n, o, t, text] of picks) {
          const e: AppEvent = { type: 'chat.line', protocol: 'chat', kind: (['msg', 'action', 'join'] as const)[t % 3]!, id: `x${n}${t}`, nick: nicks[n % nicks.length]!, text, origin: origins[o % origins.length]!, at: ats[t % ats.length]!, hops: 1 + (o % 2), self: t % 2 === 0 };
          expect(eventJson(e)).toBe(JSON.stringify(e));
          expect(eventJsonLine(e)).toBe(JSON.stringify(e) + '\n');
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('leaves out an optional field that is present but undefined, as JSON.stringify does', () => {
    const e: AppEvent = { type: 'chat.line', protocol: 'chat', kind: 'msg', id: 'x', nick: 'n', text: 't', origin: 'o', at: 1, hops: 0, self: true, signedBy: undefined, contact: undefined };
    expect(eventJson(e)).toBe(JSON.stringify(e));
  });

  it('hands every other event to JSON.stringify', () => {
    const events: AppEvent[] = [
      { type: 'ready', ports: { chat: 1 } },
      { type: 'notice', protocol: 'chat', text: 'a "quoted" \u0001 notice' },
      { type: 'peer.down', protocol: 'chat', address: '127.0.0.1:1', direction: 'in', reason: 'x' },
    ];
    for (const e of events) expect(eventJson(e)).toBe(JSON.stringify(e));
  });

  it('writes the chat.line events real chat nodes emit (own and relayed lines, actions, joins) as JSON.stringify does', async () => {
    net = await chatNet(2, () => ({ targetDegree: 0 }));
    const [a, b] = net.nodes as [TestNode, TestNode];
    await link(a, b);
    await a.node.run('chat', 'say', ['a "quoted" line with \\ and \u2028 and \ud83d\ude00']);
    await a.node.run('chat', 'me', ['waves </script>']);
    await waitUntil(() => lines(b).length === 1 && lines(b, 'action').length === 1, 5_000, 'b hears a');
    const events = [...a.of('chat.line'), ...b.of('chat.line')];
    expect(events.length).toBeGreaterThanOrEqual(4);
    for (const e of events) expect(eventJson(e)).toBe(JSON.stringify(e));
  });
});
