/**
 * The one nick rule (README "Nicks"): what a nick may be, how two nicks are compared, and
 * how a nick from the network is shown. `--nick`, `/nick`, a `nc` user's `nick: text`, a
 * chat plugin's nick option and `chat-run.json` all ask `nickProblem`, so a nick one of them
 * takes the others take too. The model is src/share/remote-name.ts: one guard, every hostile
 * nick tested (test/core/nick.test.ts).
 *
 * The comparison follows Unicode UTS #39 (security mechanisms): a nick is compared by its
 * *skeleton*, what it looks like, so `bоb` with a Cyrillic `о`, `ｂｏｂ` and `b\u200bob` are all
 * bob. A chosen nick may not mix Latin letters with Cyrillic, Greek or Armenian ones (UTS #39
 * "highly restrictive"), while a nick wholly in one script (`Борис`, `ゆき`, `ゆきyuki`) is fine.
 */
import { shownText } from './shown-text.js';

/** Longest nick, in characters (code points). */
export const MAX_NICK_CHARS = 32;

/**
 * Characters no terminal draws: zero-width spaces and joiners, bidi controls, the BOM, soft
 * hyphen, variation selectors, Hangul fillers (Unicode Default_Ignorable_Code_Point, plus
 * format characters).
 */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}]/gu;
const HAS_INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}]/u;
// C0 and C1 controls, DEL.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// Any space or line/paragraph separator, and the blank braille pattern (drawn as a space).
const SPACE = /[\s\p{Z}\u2800]/u;
// Unassigned, private-use and lone surrogate code points: nobody can tell what they look like.
const UNKNOWN = /[\p{Cn}\p{Co}\p{Cs}]/u;
/** A base letter followed by more combining marks than any script needs (zalgo text). */
const STACKED_MARKS = /\p{M}{4,}/u;
/** The scripts whose letters pass for Latin ones; a nick uses at most one of them. */
const LOOKALIKE_SCRIPTS: ReadonlyArray<[name: string, re: RegExp]> = [
  ['Latin', /\p{Script=Latin}/u],
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Greek', /\p{Script=Greek}/u],
  ['Armenian', /\p{Script=Armenian}/u],
];

/**
 * Why `nick` cannot be a nick, or undefined when it can: 1-32 characters; no space, control,
 * invisible, unassigned or private-use character; no `:` (the `nick: text` of plain peers,
 * the wire's text marker) or `/` (commands); no `<` or `>` (`<nick> text` lines); no `~` (it
 * marks nodes that share a nick: `alice~3f2a`); not starting with `*` (`* nick waves`) or
 * a combining mark; no pile of combining marks; letters of at most one of Latin, Cyrillic,
 * Greek and Armenian.
 */
export function nickProblem(nick: string): string | undefined {
  if (nick.length === 0) return 'empty';
  let chars = 0;
  for (const _ of nick) if (++chars > MAX_NICK_CHARS) return `longer than ${MAX_NICK_CHARS} characters`;
  if (CONTROL.test(nick)) return 'a control character';
  if (HAS_INVISIBLE.test(nick)) return 'an invisible character (zero-width, bidi control, ...)';
  if (SPACE.test(nick)) return 'a space';
  if (UNKNOWN.test(nick)) return 'an unassigned or private-use character';
  if (/[:/]/.test(nick)) return "':' or '/'";
  if (/[<>]/.test(nick)) return "'<' or '>'";
  if (nick.includes('~')) return "'~' (it marks nodes that share a nick: alice~3f2a)";
  if (nick.startsWith('*')) return "a leading '*'";
  if (/^\p{M}/u.test(nick)) return 'a leading combining mark';
  if (STACKED_MARKS.test(nick)) return 'a pile of combining marks';
  const scripts = LOOKALIKE_SCRIPTS.filter(([, re]) => re.test(nick)).map(([name]) => name);
  if (scripts.length > 1) return `${scripts.join(' and ')} letters mixed (they look alike: write it in one script)`;
  return undefined;
}

/** Whether `nick` follows the rule (nickProblem). */
export function isGoodNick(nick: string): boolean {
  return nickProblem(nick) === undefined;
}

/**
 * Look-alikes (UTS #39 confusables.txt, the common ones): Cyrillic, Greek and Armenian
 * letters and digits that look like a Latin letter, mapped to it. Case-sensitive, before
 * lowercasing: Greek `Ν` looks like N, `ν` like v, `Υ` like Y, `υ` like u (so those pairs alone are not one letter
 * in two cases). Not `I` for `l`: nicks compare case-insensitively, and `I` is `i`.
 */
const LOOKALIKES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    // Cyrillic
    а: 'a', А: 'A', В: 'B', в: 'b', г: 'r', п: 'n', с: 'c', С: 'C', ԁ: 'd', е: 'e', Е: 'E', ё: 'ë', Ё: 'Ë', һ: 'h', Н: 'H', н: 'h', і: 'i', І: 'I', ї: 'ï', Ї: 'Ï',
    ј: 'j', Ј: 'J', к: 'k', К: 'K', ӏ: 'l', Ӏ: 'l', м: 'm', М: 'M', о: 'o', О: 'O', р: 'p', Р: 'P', ԛ: 'q', Ԛ: 'Q', ѕ: 's', Ѕ: 'S',
    т: 't', Т: 'T', у: 'y', У: 'Y', ү: 'y', Ү: 'Y', ԝ: 'w', Ԝ: 'W', х: 'x', Х: 'X', ɡ: 'g', з: '3', З: '3', ь: 'b', Ь: 'b',
    // Greek
    α: 'a', Α: 'A', Β: 'B', β: 'b', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', ι: 'i', Κ: 'K', κ: 'k', Μ: 'M', Ν: 'N', ν: 'v', Ο: 'O', ο: 'o',
    Ρ: 'P', ρ: 'p', Τ: 'T', τ: 't', Υ: 'Y', υ: 'u', Χ: 'X', χ: 'x', ϲ: 'c', Ϲ: 'C', ϳ: 'j', ϒ: 'Y',
    // Armenian
    օ: 'o', ո: 'n', ս: 'u', հ: 'h', ց: 'g', զ: 'q', ա: 'w', Տ: 'S', Օ: 'O',
    // Latin and digits that pass for each other
    '1': 'l', '|': 'l', '0': 'o', ı: 'i', ɑ: 'a',
  }),
);

const PLAIN_ASCII = /^[\x21-\x7e]*$/;

/**
 * A nick as it is compared (UTS #39 skeleton, then case-folded): what it looks like, not its
 * code points. Compatibility forms (fullwidth `ｂｏｂ`), invisible characters (`bo\u200bb`),
 * look-alike letters of other scripts (Cyrillic `bоb`), `0` for `o` and `1` for `l`
 * and case do not make a nick another one. Two honest nicks may share a skeleton (`bob1`,
 * `bobl`): the rule errs on the side of "taken".
 */
export function nickSkeleton(nick: string): string {
  const n = PLAIN_ASCII.test(nick) ? nick : nick.normalize('NFKC').replace(INVISIBLE, '');
  // Twice: an upper-case letter not in the table may lower-case to one that is (Cyrillic Ԁ, ԁ).
  return unconfuse(unconfuse(n));
}

function unconfuse(s: string): string {
  let out = '';
  for (const c of s) out += LOOKALIKES.get(c) ?? c;
  return out.toLowerCase();
}

/**
 * A nick from the network made safe to show (a node of an older version, or a hostile one,
 * may send any one-token nick up to 48 characters): controls go, each invisible character
 * (a bidi override that would turn the rest of the line around, a zero-width space) shows as
 * `?`, and past 32 characters it is cut with `…`. A nick that follows the rule shows as it is.
 */
export function shownNick(nick: string): string {
  if (PLAIN_ASCII.test(nick) && nick.length <= MAX_NICK_CHARS) return nick;
  // Invisible characters first, as `?` (a nick has none), then the rule for all remote text.
  const clean = shownText(nick.replace(INVISIBLE, '?'));
  const chars = [...clean];
  return chars.length <= MAX_NICK_CHARS ? clean : `${chars.slice(0, MAX_NICK_CHARS - 1).join('')}…`;
}

/**
 * Makes any string a nick that follows the rule (the default nick comes from the OS user
 * name): spaces become `_`, what the rule refuses goes, and it is cut to 32 characters;
 * `fallback` when nothing is left.
 */
export function toGoodNick(s: string, fallback: string): string {
  const n = [...s.replace(/[\s\p{Z}]+/gu, '_').replace(INVISIBLE, '').replace(/[\u0000-\u001f\u007f-\u009f:/<>~\p{Cn}\p{Co}\p{Cs}]/gu, '').replace(/^[*\p{M}]+/u, '')]
    .slice(0, MAX_NICK_CHARS)
    .join('');
  return isGoodNick(n) ? n : fallback;
}
