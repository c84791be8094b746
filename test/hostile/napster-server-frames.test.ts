/**
 * The Napster server's handlers take any frame a logged-in client sends (README "Napster
 * server", "Hostile input is normal input"): every message type the server knows, and others,
 * with bodies of random words, quotes, numbers and bytes. The frame decoder is fuzzed on its
 * own (test/napster/frame-decoder.test.ts); this fuzzes what comes after it, over real TCP.
 * No handler bug is logged, and a bystander keeps service.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as C from '../../protocols/napster/constants.js';
import { NapClient } from '../napster/nap-client.js';
import { startServer, type ServerFixture } from '../napster/server-fixture.js';

const TYPES = [...new Set(Object.entries(C).filter(([k, v]) => k.startsWith('MSG_') && typeof v === 'number').map(([, v]) => v as number))];

let server: ServerFixture;
let bystander: NapClient;
beforeAll(async () => {
  server = await startServer();
  bystander = await NapClient.login(server.port, 'bystander');
}, 30_000);
afterAll(async () => {
  bystander?.close();
  await server?.stop();
});

const word = fc.oneof(
  fc.constantFrom('bystander', 'fuzz', '#chan', 'chan', '"', '""', '"a b"', '0', '-1', '65535', '4294967296', '99999999999999999999', 'NaN', '1e9', '\\', '.mp3', 'C:\\x.mp3', '*'),
  fc.stringMatching(/^[A-Za-z0-9#"._-]{0,12}$/),
  fc.string({ maxLength: 10, unit: 'binary' }),
);
const frame = fc.tuple(fc.oneof(fc.constantFrom(...TYPES), fc.integer({ min: 0, max: 65535 })), fc.oneof(fc.array(word, { maxLength: 8 }).map((w) => w.join(' ')), fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1'))));

/** Bodies that have found bugs in parsers like these: empty, quotes, huge and negative numbers, bytes. */
const HOSTILE_BODIES = ['', ' ', '"', '"unterminated', 'bystander', 'bystander "', 'bystander "x" 0 0', '#chan', '#chan "', 'a'.repeat(2048), '-1 -1 -1 -1', '4294967296 99999999999999999999 NaN', '\u0000\u00ff\u0001', '"a" "b" "c" "d" "e" "f" "g" "h" "i"', 'fuzz 6699 "c" 7', '"C:\\x.mp3" 0123456789abcdef0123456789abcdef 1 128 44100 60'];

/** Whether the server still answers: the bystander's whois of itself comes back. */
async function alive(): Promise<void> {
  const from = bystander.frames.length;
  bystander.send(C.MSG_WHOIS, 'bystander');
  await bystander.waitType(C.MSG_WHOIS_REPLY, from);
}

/** Waits until the server has handled what `c` sent (its whois of itself is answered, or it was cut off). */
async function handled(c: NapClient, nick: string): Promise<void> {
  const from = c.frames.length;
  c.send(C.MSG_WHOIS, nick);
  await vi.waitFor(
    () => {
      if (!c.closed && !c.frames.slice(from).some((f) => f.type === C.MSG_WHOIS_REPLY)) throw new Error(`${nick}: not answered yet`);
    },
    { timeout: 10_000, interval: 5 },
  );
}

function bugs(): string[] {
  return server.node.of('log').filter((e) => e.level === 'error').map((e) => e.message);
}

describe('Napster server: any frame after login', () => {
  it(`takes hostile bodies of each of the ${TYPES.length} message types it knows without a handler bug`, async () => {
    for (const type of TYPES) {
      const c = await NapClient.login(server.port, `sweep${type}`);
      try {
        for (const body of HOSTILE_BODIES) c.send(type, body);
        await handled(c, `sweep${type}`);
        await alive();
      } finally {
        c.close();
      }
      expect(bugs(), `type ${type}`).toEqual([]);
    }
  }, 120_000);

  it('logs no handler bug, and a bystander keeps service (property, real TCP)', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 25 }), async (frames) => {
        const nick = `fuzz${run++}`;
        const c = await NapClient.login(server.port, nick);
        try {
          for (const [type, body] of frames) c.send(type, body);
          await handled(c, nick);
          await alive();
        } finally {
          c.close();
        }
        expect(bugs()).toEqual([]);
      }),
      { numRuns: 30 },
    );
  }, 120_000);
});
