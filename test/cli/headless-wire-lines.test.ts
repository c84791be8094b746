/**
 * A real headless `--json` relay prints the lines a neighbour floods to it from their bytes
 * (src/wire-chat-line.ts, issue 9): each printed line is exactly JSON.stringify's text of the
 * event parseLine's message makes (keys in order, quotes, backslashes, tabs, non-ASCII, a
 * line ending in CRLF, a text with controls stripped, and every verb).
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { encode, parseLine } from '../../protocols/chat/codec.js';
import { chatPort, clisStoppedAfterEach } from './cli-process.js';

const cli = clisStoppedAfterEach();

/** The `chat.line` kind each flood verb shows as (README "Events"). */
const KIND_OF_VERB = { MSG: 'msg', ACT: 'action', JOIN: 'join', PART: 'part', NICK: 'nick' } as const;

describe('headless --json relay, lines printed from their bytes', () => {
  it('prints each line a neighbour floods exactly as JSON.stringify of its event', async () => {
    const node = await cli(['--chat-port', '0', '--chat-host', '127.0.0.1', '--no-discovery', '--nick', 'relay']);
    await node.waitEvent((e) => e.type === 'ready');
    const sock = connect({ host: '127.0.0.1', port: chatPort(node) });
    const hello = new Promise<void>((resolve) => sock.once('data', () => resolve()));
    sock.write(`HELLO peerdeck-chat/1 node=${randomBytes(16).toString('hex')} nick=peer listen=- mesh=default\n`);
    await hello;
    await node.waitEvent((e) => e.type === 'peer.up');
    const origin = randomBytes(16).toString('hex');
    const texts = ['plain words', 'say "hi" \\ back\tslash', 'é ü 漢字 \ud83d\ude00 \u2028', '', 'bell\u0007 and \u0085 stripped', ' :colon'];
    const wire: string[] = [];
    let k = 0;
    const id = (): string => `${origin.slice(0, 8)}${String(k++).padStart(8, '0')}`;
    wire.push(encode({ type: 'JOIN', id: id(), hopsLeft: 16, origin, at: 1_700_000_000_000, nick: 'peer' }));
    for (const text of texts) {
      wire.push(encode({ type: 'MSG', id: id(), hopsLeft: 16, origin, at: 1_700_000_000_001, nick: 'peer', text }));
      wire.push(encode({ type: 'ACT', id: id(), hopsLeft: 9, origin, at: 1_700_000_000_002, nick: 'peer', text }));
    }
    wire.push(encode({ type: 'NICK', id: id(), hopsLeft: 16, origin, at: 1_700_000_000_003, nick: 'peer', newNick: 'peer2' }));
    wire.push(encode({ type: 'PART', id: id(), hopsLeft: 16, origin, at: 1_700_000_000_004, nick: 'peer2', text: 'bye "all"' }));
    // Controls go raw on the wire (encode strips them): the relay strips them when it shows the line.
    wire[3] = wire[3]!.replace(' :', ' :\u0001');
    sock.write(wire.map((l, i) => (i % 3 === 0 ? `${l}\r\n` : `${l}\n`)).join(''));
    // (Our own JOIN is printed too: only the neighbour's lines count here.)
    const printed = (): string[] => node.lines.filter((l) => l.startsWith('{"type":"chat.line"') && l.includes(origin));
    await vi.waitFor(() => expect(printed().length).toBe(wire.length), { timeout: 15_000, interval: 20 });
    const out = printed();
    wire.forEach((l, i) => {
      const m = parseLine(l);
      if (m.type !== 'MSG' && m.type !== 'ACT' && m.type !== 'JOIN' && m.type !== 'PART' && m.type !== 'NICK') throw new Error(l);
      const got = JSON.parse(out[i]!) as { hops: number };
      const text = m.type === 'JOIN' ? '' : m.type === 'NICK' ? m.newNick : m.text;
      const event = { type: 'chat.line', protocol: 'chat', kind: KIND_OF_VERB[m.type], id: m.id, nick: m.nick, text, origin, at: m.at, hops: got.hops, self: false };
      expect(out[i]).toBe(JSON.stringify(event));
    });
    sock.destroy();
  });
});
