/**
 * The 100 (share) payload as the server reads it (specs/napster.md §4.1, §8):
 * the server reads the usual shape straight from the bytes and everything
 * else through the general field parser; whichever way, the answers must be
 * those of the spec's rules, here a plain model (splitFields + atoi). Random
 * well-formed and malformed payloads go through a real server on loopback;
 * the notices and the user's browse list must match the model's.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BITRATES, FREQUENCIES, MAX_PATH_BYTES, ZERO_MD5 } from '../../protocols/napster/constants.js';
import { atoi, splitFields } from '../../protocols/napster/messages.js';
import { quantise } from '../../protocols/napster/server/file-index.js';
import { NapClient } from './nap-client.js';
import { startServer, type ServerFixture } from './server-fixture.js';

/** What the spec's rules say a list of 100 payloads gives: the 404 notices, then the browse lines. */
function model(nick: string, payloads: string[]): { notices: string[]; browse: string[] } {
  const notices: string[] = [];
  const browse: string[] = [];
  const seen = new Set<string>();
  for (const text of payloads) {
    const f = splitFields(text);
    if (!f || f.length !== 6) {
      notices.push('parameters are unparsable');
      continue;
    }
    const path = f[0]!;
    if (path.length > MAX_PATH_BYTES) notices.push('filename too long');
    else if (!hasWord(path)) notices.push(`Sorry, unable to parse '${path}'`);
    else if (seen.has(path)) notices.push('duplicate file');
    else {
      seen.add(path);
      const br = BITRATES[quantise(BITRATES, atoi(f[3]!))]!;
      const freq = FREQUENCIES[quantise(FREQUENCIES, atoi(f[4]!))]!;
      const secs = Math.max(0, Math.min(atoi(f[5]!), 0xffffffff));
      browse.push(`${nick} "${path}" ${ZERO_MD5} ${atoi(f[2]!)} ${br} ${freq} ${secs}`);
    }
  }
  return { notices, browse };
}

/**
 * §3.1, written out plainly: the words are in the last two path components,
 * the suffix after the name's last `.` dropped; a word character is a letter,
 * digit, apostrophe or byte >= 0x80.
 */
function hasWord(path: string): boolean {
  const parts = path.split(/[\\/]/);
  const name = parts.at(-1)!;
  const dot = name.lastIndexOf('.');
  const text = `${parts.length > 1 ? parts.at(-2)! : ''} ${dot >= 0 ? name.slice(0, dot) : name}`;
  return /[A-Za-z0-9'\x80-\xff]/.test(text);
}

const pathChar = fc.constantFrom('a', 'B', ' ', '\\', '/', '.', '-', "'", '\xe9', '\xff', '"', '1');
const pathArb = fc.oneof(
  { weight: 8, arbitrary: fc.array(pathChar, { minLength: 0, maxLength: 12 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.constant('x'.repeat(MAX_PATH_BYTES + 1)) },
  { weight: 1, arbitrary: fc.constant('x'.repeat(MAX_PATH_BYTES)) },
);
const numArb = fc.oneof(
  { weight: 6, arbitrary: fc.nat({ max: 400_000 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('', '-5', '+7', '12abc', '007', '9'.repeat(15), '9'.repeat(16), '1"2', '99999999999') },
);
const sepArb = fc.oneof({ weight: 12, arbitrary: fc.constant(' ') }, { weight: 1, arbitrary: fc.constantFrom('', '  ') });
const payloadArb = fc
  .tuple(
    fc.boolean(),
    pathArb,
    fc.constantFrom('ffff', ZERO_MD5, '', 'a"b', '"md5 5"', '-'),
    fc.array(fc.tuple(sepArb, numArb), { minLength: 3, maxLength: 5 }),
    fc.constantFrom('', '', '', ' ', ' extra', '"'),
    sepArb,
  )
  .map(([quoted, path, md5, nums, tail, sep]) => `${quoted ? `"${path}"` : path}${sep}${md5}${nums.map(([s, n]) => s + n).join('')}${tail}`);

describe('share payloads (100), fast and general parsing alike', () => {
  let server: ServerFixture;
  let viewer: NapClient;
  let run = 0;
  beforeAll(async () => {
    server = await startServer({ floodCommands: 0 });
    viewer = await NapClient.login(server.port, 'viewer');
  });
  afterAll(async () => {
    viewer?.close();
    await server.stop();
  });

  it('gives the notices and browse list the field rules give, for any payload', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(payloadArb, { minLength: 1, maxLength: 25 }), async (payloads) => {
        const nick = `sharer${run++}`;
        const c = await NapClient.login(server.port, nick);
        try {
          for (const p of payloads) c.send(100, p);
          const answered = await c.ask(214, '', 214);
          const want = model(nick, payloads);
          expect(answered.filter((f) => f.type === 404).map((f) => f.text)).toEqual(want.notices);
          const from = viewer.frames.length;
          viewer.send(211, `${nick} 500`);
          await viewer.waitType(213, from);
          expect(viewer.frames.slice(from).filter((f) => f.type === 212).map((f) => f.text)).toEqual(want.browse);
        } finally {
          c.close();
          await vi.waitFor(async () => {
            const from = viewer.frames.length;
            viewer.send(211, nick);
            await viewer.waitType(213, from);
            if (!viewer.frames.slice(from).some((f) => f.type === 210)) throw new Error(`${nick} still online`);
          });
        }
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
