/**
 * What a chat node does with the lines of a linked neighbour (protocols/chat/link-protocol.ts,
 * flooder.ts, extensions.ts, names/): the codec is fuzzed on its own (codec.test.ts); this
 * sends what a hostile neighbour may, past HELLO and EXT, over real TCP: every verb with
 * well-formed, mutated and random fields, valid messages with a byte changed, and plain text.
 * The node logs no handler bug, closes at most that link, and its other neighbour still chats.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '../../protocols/chat/codec.js';
import { portOf, type Testnet, type TestNode } from '../testnet.js';
import { wire } from './arbitraries.js';
import { chatNet, link, lines, rawConnect, settle, waitUntil, type RawPeer } from './chat-net.js';

const VERBS = ['MSG', 'ACT', 'JOIN', 'PART', 'NICK', 'PEERS', 'PING', 'PONG', 'AUTH', 'ERROR', 'HELLO', 'EXT', 'SIG', 'NAMEQ', 'NAMEA', 'FOO'];
const field = fc.oneof(
  fc.constantFrom('', ':', ':hi', '0', '16', '255', '-1', '999999999999999999999', 'a'.repeat(64), 'a'.repeat(65), '127.0.0.1:1', '[::1]:2', 'x:0', 'peerdeck-chat/1', 'node=x', 'nick=x', 'all', 'global', '0.lobby', 'sig', 'names'),
  fc.stringMatching(/^[A-Za-z0-9_:.=-]{1,20}$/),
  fc.string({ maxLength: 12, unit: 'grapheme' }),
);
const line = fc.oneof(
  fc.tuple(fc.constantFrom(...VERBS), fc.array(field, { maxLength: 8 })).map(([v, f]) => [v, ...f].join(' ')),
  fc.tuple(wire, fc.nat(), fc.string({ maxLength: 3 })).map(([m, at, s]) => {
    const l = encode(m);
    const i = at % (l.length + 1);
    return l.slice(0, i) + s + l.slice(i + 1);
  }),
  wire.map(encode),
  fc.string({ maxLength: 60, unit: 'grapheme' }),
).map((l) => l.replace(/[\r\n\0]/g, ' '));

let net: Testnet;
let a: TestNode;
let b: TestNode;
beforeAll(async () => {
  net = await chatNet(2);
  [a, b] = net.nodes as [TestNode, TestNode];
  await link(a, b);
}, 30_000);
afterAll(async () => {
  await net?.stop();
});

async function neighbour(): Promise<RawPeer> {
  const p = await rawConnect(portOf(a, 'chat'));
  p.send(`HELLO peerdeck-chat/1 node=raw${randomBytes(6).toString('hex')} nick=raw${randomBytes(2).toString('hex')} listen=- mesh=default\n`);
  await p.waitLine((l) => l.startsWith('EXT '));
  p.send('EXT sig names\n');
  return p;
}

describe('chat: any line from a linked neighbour', () => {
  it('logs no handler bug, and the node keeps chatting with its other neighbour (property, real TCP)', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 20 }), async (ls) => {
        const p = await neighbour();
        try {
          p.send(ls.map((l) => `${l}\n`).join(''));
          // The node has read them once it answers a PING sent after them (or it closed the link).
          const token = `probe${++n}`;
          p.send(`PING ${token}\n`);
          await waitUntil(() => p.closed || p.lines.includes(`PONG ${token}`), 10_000, 'the fuzzed link answered or closed');
        } finally {
          p.socket.destroy();
        }
        expect(a.of('log').filter((e) => e.level === 'error').map((e) => e.message)).toEqual([]);
      }),
      { numRuns: 40 },
    );
    const text = `still here ${randomBytes(4).toString('hex')}`;
    await b.node.run('chat', 'say', [text]);
    await waitUntil(() => lines(a).some((e) => e.text === text), 10_000, 'a hears b');
  }, 120_000);

  it('before HELLO too: a first line of anything, then more, gives a plain peer, an error or a close, never a bug (property, real TCP)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(line, fc.constantFrom('HELLO', 'HELLO peerdeck-chat/1', 'HELLO peerdeck-chat/1 node=x nick=y listen=1 mesh=default auth=zz', 'AUTH 00', 'PEERS 127.0.0.1:1')), { minLength: 1, maxLength: 10 }), async (ls) => {
        const p = await rawConnect(portOf(a, 'chat'));
        try {
          p.send(ls.map((l) => `${l}\n`).join(''));
          await settle(30);
        } finally {
          p.socket.destroy();
        }
        expect(a.of('log').filter((e) => e.level === 'error').map((e) => e.message)).toEqual([]);
      }),
      { numRuns: 40 },
    );
    const text = `still here ${randomBytes(4).toString('hex')}`;
    await b.node.run('chat', 'say', [text]);
    await waitUntil(() => lines(a).some((e) => e.text === text), 10_000, 'a hears b');
  }, 120_000);
});
