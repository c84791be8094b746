/**
 * The one nick rule (src/nick.ts, README "Nicks"): every hostile nick is refused by it, by
 * `--nick` and by `/nick` alike; honest nicks in any one script pass; look-alikes compare
 * equal (UTS #39 skeletons); nicks from the network are shown safely.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chatFlags } from '../../protocols/chat/flags.js';
import { splitPlainLine } from '../../protocols/chat/plain.js';
import { parseConfig } from '../../src/config.js';
import { isGoodNick, MAX_NICK_CHARS, nickProblem, nickSkeleton, shownNick } from '../../src/nick.js';

/** Each hostile nick and (a piece of) the reason it is refused. */
const HOSTILE: ReadonlyArray<[nick: string, why: string]> = [
  ['', 'empty'],
  ['a'.repeat(33), 'longer than 32'],
  ['😀'.repeat(33), 'longer than 32'],
  ['a\u0000b', 'control'],
  ['a\u001b[2Jb', 'control'],
  ['bob\u0085', 'control'],
  ['bob\u007f', 'control'],
  ['a b', 'space'],
  ['a\tb', 'control'],
  ['a\u00a0b', 'space'],
  ['a\u3000b', 'space'],
  ['a\u2028b', 'space'],
  ['\u2800bob', 'space'],
  ['bo\u200bb', 'invisible'],
  ['bob\u200d', 'invisible'],
  ['\u202ebob', 'invisible'],
  ['bob\u2066', 'invisible'],
  ['\ufeffbob', 'invisible'],
  ['bo\u00adb', 'invisible'],
  ['bob\ufe0f', 'invisible'],
  ['\u3164', 'invisible'],
  ['bob\u034f', 'invisible'],
  ['bob\ue000', 'private-use'],
  ['bob\ud800', 'private-use'],
  ['bob\u{e0041}', 'invisible'],
  ['alice:', "':'"],
  ['a:b', "':'"],
  ['a/b', "'/'"],
  ['/quit', "'/'"],
  ['<bob>', "'<'"],
  ['bob>', "'<'"],
  ['alice~3f2a', "'~'"],
  ['*bob', "leading '*'"],
  ['\u0301bob', 'combining mark'],
  ['z\u0301\u0302\u0303\u0304', 'pile of combining marks'],
  ['b\u043eb', 'Latin and Cyrillic'],
  ['\u0430lice', 'Latin and Cyrillic'],
  ['b\u03bfb', 'Latin and Greek'],
  ['b\u0585b', 'Latin and Armenian'],
  ['\u0432\u03bf\u0432', 'Cyrillic and Greek'],
];

const HONEST = ['bob', 'Alice', 'a', 'x'.repeat(32), 'bob_2', 'o.neil', 'ann-marie', 'Борис', 'ゆき', 'ゆきyuki', '李小龙', 'Δημήτρης', 'José', 'Jose\u0301', 'Zoë', 'محمد', 'राम', '[afk]bob', 'bob!', '😀'.repeat(32)];

const PROTOCOLS = [chatFlags];
const asFlag = (nick: string): string | undefined => {
  try {
    parseConfig([`--nick=${nick}`], PROTOCOLS);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
};

describe('the nick rule', () => {
  it.each(HOSTILE)('refuses %j (%s), as --nick too', (nick, why) => {
    expect(nickProblem(nick)).toContain(why);
    expect(asFlag(nick)).toContain(why);
  });

  it.each(HONEST)('takes %j, as --nick too', (nick) => {
    expect(nickProblem(nick)).toBeUndefined();
    expect(asFlag(nick)).toBeUndefined();
  });

  it('is the one rule: --nick takes exactly what it takes, for any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.constantFrom(...HONEST, ...HOSTILE.map(([n]) => n))), (nick) => {
        expect(asFlag(nick) === undefined).toBe(isGoodNick(nick));
      }),
      { numRuns: 500 },
    );
  });

  it('a nc user\'s "nick: text" follows it too: other nicks show the line under the address', () => {
    expect(splitPlainLine('Борис: привет', '127.0.0.1:5')).toEqual({ nick: 'Борис', text: 'привет' });
    for (const [nick] of HOSTILE) {
      if (nick === '' || /[\s:\u0000-\u001f\u007f-\u009f\u2028]/u.test(nick)) continue; // not a "nick:" prefix at all
      expect(splitPlainLine(`${nick}: hi`, '127.0.0.1:5')?.nick, JSON.stringify(nick)).toBe('127.0.0.1:5');
    }
  });
});

describe('nick skeletons (UTS #39)', () => {
  it('look-alikes of bob are bob', () => {
    for (const fake of ['BOB', 'b\u043eb', 'b\u03bfb', '\u0432\u043e\u0432', '\u0412\u041e\u0412', 'b0b', 'ｂｏｂ', 'bo\u200bb', '\u202ebob', '\u{1d41b}\u{1d428}\u{1d41b}']) {
      expect(nickSkeleton(fake), JSON.stringify(fake)).toBe(nickSkeleton('bob'));
    }
    expect(nickSkeleton('a\u0435\u0440')).toBe(nickSkeleton('aep'));
    expect(nickSkeleton('\u0440\u043e\u0440')).toBe(nickSkeleton('pop')); // a wholly Cyrillic look-alike too
    expect(nickSkeleton('ALICE')).toBe(nickSkeleton('alice'));
    expect(nickSkeleton('a1ice')).toBe(nickSkeleton('alice'));
  });

  it('other nicks stay other', () => {
    for (const other of ['böb', 'bobby', 'Борис', 'ゆき', 'rob']) expect(nickSkeleton(other), other).not.toBe(nickSkeleton('bob'));
    expect(nickSkeleton('Борис')).not.toBe(nickSkeleton('Бориса'));
  });

  it('is stable: a skeleton is its own skeleton, and case never matters', () => {
    // Greek ν looks like v and Ν like N, υ like u and Υ like Y: pairs whose two cases have different skeletons.
    const letters = [...'abcdeghiklmnopqrstuvwxyzABIKLOST01|аАвВсСеЕнНоОрРтТуУхХԀԁіІјЈѕЅαΑβΒοΟρΡτΤχΧօՕ'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...letters), { maxLength: 20 }).map((a) => a.join('')), (s) => {
        expect(nickSkeleton(nickSkeleton(s))).toBe(nickSkeleton(s));
        expect(nickSkeleton(s.toUpperCase())).toBe(nickSkeleton(s.toLowerCase()));
      }),
      { numRuns: 300 },
    );
  });
});

describe('shownNick', () => {
  it('shows a nick from the network safely', () => {
    expect(shownNick('bob')).toBe('bob');
    expect(shownNick('Борис')).toBe('Борис');
    expect(shownNick('x\u202eevil')).toBe('x?evil');
    expect(shownNick('bo\u200bb')).toBe('bo?b');
    expect(shownNick('a\u001b[2Jb')).toBe('a[2Jb');
    expect(shownNick('n'.repeat(48))).toBe(`${'n'.repeat(31)}…`);
  });

  it('never lets a control, an invisible character or more than 32 characters through', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
        const shown = shownNick(s);
        expect(shown).not.toMatch(/[\u0000-\u001f\u007f-\u009f\p{Cf}\p{Default_Ignorable_Code_Point}\p{Cs}]/u);
        expect([...shown].length).toBeLessThanOrEqual(MAX_NICK_CHARS);
      }),
    );
  });
});
