/**
 * A P+2 node reads one line on each of its three ports (specs/pplus2.md: peer list on p,
 * query on p+1, download on p+2) from anyone: random bytes, with or without a newline, up to
 * past the line limit, sent whole, half-closed or not. Every exchange ends (answered or closed),
 * no handler bug is logged, and a download still works. Over real TCP on 127.0.0.1.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawExchange } from '../pplus2/raw-client.js';
import { startP2Node, type P2Node } from '../pplus2/pplus2-net.js';

const input = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  fc.tuple(fc.constantFrom('ok.bin', 'PEERS', 'ok', '*', '', '../ok.bin', 'ok.bin\0', '127.0.0.1:1'), fc.string({ maxLength: 8 }), fc.constantFrom('\n', '\r\n', '', '\n\n')).map(([a, b, nl]) => Buffer.from(a + b + nl)),
  fc.integer({ min: 1000, max: 3000 }).map((n) => Buffer.alloc(n, 0x61)),
);

describe('P+2: any line on any of its ports', () => {
  let node: P2Node;
  beforeAll(async () => {
    node = await startP2Node(0, { 'ok.bin': 'OK!' });
  }, 30_000);
  afterAll(async () => {
    await node?.stop();
  });

  it('ends every exchange, logs no bug, and still serves a download (property, real TCP)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 }), input, fc.boolean(), async (offset, data, halfClose) => {
        // A caller that neither ends its line nor closes waits out the request timeout (10 s;
        // test/pplus2/bad-peers.test.ts): here it half-closes instead.
        const r = await rawExchange(node.port + offset, data, 8_000, halfClose || !data.includes(0x0a));
        expect(r.closed).toBe(true);
        expect(node.of('log').filter((e) => e.level === 'error').map((e) => e.message)).toEqual([]);
      }),
      { numRuns: 60 },
    );
    expect((await rawExchange(node.port + 2, 'ok.bin\n')).bytes.toString()).toBe('OK!');
  }, 120_000);
});
