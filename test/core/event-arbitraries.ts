/**
 * fast-check arbitraries for the `--json` event tests (test/core/event-json.test.ts,
 * test/core/event-bytes.test.ts): strings made to hurt every escape class JSON has, odd
 * numbers, and chat.line events built in the order every producer builds them.
 */
import fc from 'fast-check';
import type { AppEvent, ChatLineKind } from '../../src/app-api.js';

export type ChatLine = Extract<AppEvent, { type: 'chat.line' }>;

/** Strings made to hurt: every escape class JSON has, mixed with ordinary text. */
export const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('utf8')), // invalid UTF-8, decoded as a relay decodes it
  fc.array(fc.constantFrom('"', '\\', '\n', '\r', '\t', '\b', '\f', '\u0000', '\u001f', '\u007f', '\u0080', '\u07ff', '\u0800', '\uffff', '\u2028', '\u2029', '\ud800', '\udbff', '\udc00', '\udfff', '\ud83d\ude00', '</script>', 'é', 'a', ' ', '{}'), { maxLength: 12 }).map((a) => a.join('')),
);

/** Numbers as events carry them, odd ones included (-0, NaN, infinities, past 2^53, tiny, huge). */
export const num = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -0, 9, 10, 1_700_000_000_000, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, 1e21, 5e-324, NaN, Infinity, -Infinity));

const kind = fc.constantFrom<ChatLineKind>('msg', 'action', 'join', 'part', 'nick');

/** A chat.line built in the order every producer builds it (AppEvent's declaration order). */
export const chatLine = fc
  .tuple(fc.oneof(fc.constant('chat'), hostile), kind, hostile, hostile, hostile, hostile, num, num, fc.boolean(), fc.option(hostile, { nil: undefined }), fc.option(fc.boolean(), { nil: undefined }))
  .map(([protocol, k, id, nick, text, origin, at, hops, self, signedBy, contact]): ChatLine => {
    const e: ChatLine = { type: 'chat.line', protocol, kind: k, id, nick, text, origin, at, hops, self };
    if (signedBy !== undefined) e.signedBy = signedBy;
    if (contact !== undefined) e.contact = contact;
    return e;
  });
