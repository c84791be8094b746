/** fast-check generators for chat wire messages (test/chat). */
import fc from 'fast-check';
import type { ChatWire, FloodMessage, HelloMessage } from '../../protocols/chat/messages.js';
import { isMeshName, isNick, stripControls } from '../../protocols/chat/text.js';

const idChars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-';
const word = (min: number, max: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...idChars.split('')), { minLength: min, maxLength: max }).map((a) => a.join(''));

export const msgId = word(8, 64);
export const nodeId = word(1, 64);
export const token = word(1, 64);
export const nick = fc
  .oneof(word(1, 16), fc.string({ minLength: 1, maxLength: 24, unit: 'grapheme' }))
  .filter(isNick);
export const meshName = fc.oneof(word(1, 16), fc.string({ minLength: 1, maxLength: 24, unit: 'grapheme' })).filter(isMeshName);
/** Text as it survives the wire: valid Unicode, no control characters but tab. */
export const text = fc.string({ maxLength: 200, unit: 'grapheme' }).map(stripControls);
const hex = (n: number): fc.Arbitrary<string> =>
  fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b).toString('hex'));

const head = fc.record({
  id: msgId,
  hopsLeft: fc.integer({ min: 0, max: 255 }),
  origin: nodeId,
  at: fc.integer({ min: 0, max: 999_999_999_999_999 }),
  nick,
});

export const flood: fc.Arbitrary<FloodMessage> = fc.oneof(
  fc.tuple(head, fc.constantFrom('MSG' as const, 'ACT' as const, 'PART' as const), text).map(([h, type, t]) => ({ type, ...h, text: t })),
  head.map((h) => ({ type: 'JOIN' as const, ...h })),
  fc.tuple(head, nick).map(([h, n]) => ({ type: 'NICK' as const, ...h, newNick: n })),
);

export const hello: fc.Arbitrary<HelloMessage> = fc
  .record({ node: nodeId, nick, listen: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: null }), mesh: meshName, auth: fc.option(hex(16), { nil: undefined }) })
  .map(({ auth, ...rest }) => (auth === undefined ? { type: 'HELLO' as const, ...rest } : { type: 'HELLO' as const, ...rest, auth }));

const address = fc.oneof(
  fc.tuple(fc.ipV4(), fc.integer({ min: 1, max: 65535 })).map(([h, p]) => `${h}:${p}`),
  fc.tuple(fc.constantFrom('::1', 'fe80::1', '2001:db8::7'), fc.integer({ min: 1, max: 65535 })).map(([h, p]) => `[${h}]:${p}`),
  fc.tuple(fc.constantFrom('localhost', 'box.lan', 'a-b.example.org'), fc.integer({ min: 1, max: 65535 })).map(([h, p]) => `${h}:${p}`),
);

export const wire: fc.Arbitrary<ChatWire> = fc.oneof(
  flood,
  hello,
  hex(32).map((hmac) => ({ type: 'AUTH' as const, hmac })),
  fc.array(address, { maxLength: 32 }).map((addresses) => ({ type: 'PEERS' as const, addresses })),
  token.map((t) => ({ type: 'PING' as const, token: t })),
  token.map((t) => ({ type: 'PONG' as const, token: t })),
  text.map((reason) => ({ type: 'ERROR' as const, reason })),
);

export { splitAt } from '../chunking.js';
