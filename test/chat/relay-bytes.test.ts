/**
 * What a relay sends on, byte for byte (issue 9): a flooded line is forwarded as the bytes
 * it arrived in with only hops-left changed (rewritten in the received chunk and sent as a
 * piece of it where the width stays the same), and must come out exactly as the plain way
 * (parse, then encode with the new hops-left) would send it, in the order the lines came,
 * whatever the chunking: copies dropped, CRLF lines, a hops-left that changes width,
 * control characters to strip, link-local lines between floods, lines that go no further.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeLine, parseLine } from '../../protocols/chat/codec.js';
import type { TestNode } from '../testnet.js';
import { chatFixture, waitUntil } from './chat-net.js';

const fx = chatFixture();
const HOPS = 16;

/** A script of lines as a neighbour sends them (terminators included), ids starting with `p`. */
function script(p: string, runLength: number): string[] {
  const id = (n: number): string => `${p}${n.toString(16).padStart(4, '0')}`;
  const o = '0123456789abcdef0123456789abcdef';
  const s = [
    `MSG ${id(1)} 16 ${o} 1700000000001 alice :one\n`,
    `MSG ${id(1)} 16 ${o} 1700000000001 alice :one\n`, // a copy: dropped
    `MSG ${id(2)} 10 ${o} 1700000000002 alice :ten to nine\n`, // 10 -> 9: the width changes
    `MSG ${id(3)} 16 ${o} 1700000000003 alice :with CRLF\r\n`,
    `PING tok${p}\n`,
    `MSG ${id(4)} 16 ${o} 1700000000004 alice :a\u0001b\u0085c\n`, // controls: stripped, re-encoded
    `JOIN ${id(5)} 5 ${o} 1700000000005 alice\n`,
    `MSG ${id(6)} 1 ${o} 1700000000006 alice :last hop\n`, // delivered, not forwarded
    `MSG ${id(7)} 200 ${o} 1700000000007 alice :capped at our 16\n`,
    `NICK ${id(8)} 16 ${o} 1700000000008 alice bob\n`,
    `ACT ${id(9)} 16 ${o} 1700000000009 bob :é ünïcödé 🙂\n`,
    `PART ${id(10)} 3 ${o} 1700000000010 bob :bye\n`,
  ];
  for (let k = 0; k < runLength; k++) s.push(`MSG ${id(100 + k)} 16 ${o} ${1700000001000 + k} bob :run line ${k}\n`);
  s.push(`MSG ${id(3)} 16 ${o} 1700000000003 alice :with CRLF\n`); // a late copy
  return s;
}

/** What the plain way sends on for the script: each new flood re-encoded with hops-left - 1. */
function expected(lines: string[]): string {
  const seen = new Set<string>();
  let out = '';
  for (const l of lines) {
    const m = parseLine(l.replace(/\r?\n$/, ''));
    if (m.type !== 'MSG' && m.type !== 'ACT' && m.type !== 'JOIN' && m.type !== 'PART' && m.type !== 'NICK') continue;
    if (seen.has(m.id)) continue;
    seen.add(m.id);
    const hops = Math.min(m.hopsLeft, HOPS) - 1;
    if (hops > 0) out += encodeLine({ ...m, hopsLeft: hops });
  }
  return out;
}

/** The lines of `raw` whose id starts with `p`, terminators included. */
function ours(raw: Buffer, p: string): string {
  return raw
    .toString('utf8')
    .split(/(?<=\n)/)
    .filter((l) => l.split(' ')[1]?.startsWith(p))
    .join('');
}

describe('the relay forwards the bytes it received, with only hops-left changed', () => {
  it('sends what parse-and-encode would send, in order, for lines in one chunk and split at any points', async () => {
    const net = await fx.net(1, () => ({ targetDegree: 0, hops: HOPS }));
    const node = net.nodes[0] as TestNode;
    const a = await fx.hello(node, 'aaaa0001');
    const c = await fx.hello(node, 'cccc0001');
    const got: Buffer[] = [];
    c.socket.on('data', (d: Buffer | string) => got.push(Buffer.from(d)));
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 12 }), fc.integer({ min: 1, max: 40 }), async (cuts, runLength) => {
        const p = `r${(round++).toString(36).padStart(5, '0')}x`;
        const lines = script(p, runLength);
        const bytes = Buffer.from(lines.join(''));
        const points = [...new Set(cuts.map((n) => n % bytes.length))].sort((x, y) => x - y);
        let from = 0;
        for (const at of [...points, bytes.length]) {
          if (at > from) a.socket.write(bytes.subarray(from, at));
          from = at;
          await new Promise((r) => setImmediate(r));
        }
        const want = expected(lines);
        await waitUntil(() => ours(Buffer.concat(got), p).length >= want.length, 10_000, 'forwarded lines');
        expect(ours(Buffer.concat(got), p)).toBe(want);
        expect(a.closed).toBe(false);
      }),
      { numRuns: 25 },
    );
    // The link-local PINGs were answered on A's link and never forwarded.
    expect(c.lines.some((l) => l.startsWith('PING tok'))).toBe(false);
  });
});
