/** Longest token kept in the index; longer runs are cut (names are local, but bounded anyway). */
export const MAX_TOKEN_CHARS = 64;

/**
 * The one normal form for matching: Unicode NFKC, then lower case. Used for
 * names, substring queries and tokens alike, so "ÉTÉ", "été" and the
 * decomposed "e\u0301te\u0301" all match each other.
 */
export function foldForMatch(text: string): string {
  // ASCII is its own NFKC form: skip the (costly) normalisation for it.
  return ASCII.test(text) ? text.toLowerCase() : text.normalize('NFKC').toLowerCase();
}

const ASCII = /^[\x00-\x7f]*$/;

/** What a token is by default: a run of Unicode letters, digits and combining marks. */
export const WORD_CHARS = /[\p{L}\p{N}\p{M}]+/gu;

/**
 * The matches of `token` (a global regular expression) in text that is
 * already folded (foldForMatch), each cut to MAX_TOKEN_CHARS. The splitter is
 * whatever `token` does not match: with WORD_CHARS (the default) spaces,
 * punctuation, `_`, `.` and `-` all split, as Gnutella wants; with
 * `/[^\s]+/gu` only white space does.
 */
export function splitFolded(folded: string, token: RegExp = WORD_CHARS): string[] {
  if (!token.global) throw new TypeError('a token pattern must be a global (g) regular expression');
  const out: string[] = [];
  token.lastIndex = 0;
  for (let m = token.exec(folded); m !== null; m = token.exec(folded)) {
    if (m[0] === '') {
      token.lastIndex++; // a pattern that can match nothing must still move on
      continue;
    }
    out.push(m[0].length > MAX_TOKEN_CHARS ? m[0].slice(0, MAX_TOKEN_CHARS) : m[0]);
  }
  return out;
}

/**
 * splitFolded with WORD_CHARS, for folded text that is all ASCII: the runs
 * of ASCII letters and digits (all that WORD_CHARS matches in ASCII), each
 * cut to MAX_TOKEN_CHARS, found without a regular expression (issue 9: a
 * first scan indexes 100,000 names; most names are ASCII).
 */
export function splitAsciiWords(folded: string): string[] {
  const out: string[] = [];
  for (let start = asciiWordStart(folded, 0); start >= 0; ) {
    const end = asciiWordEnd(folded, start);
    out.push(folded.slice(start, Math.min(end, start + MAX_TOKEN_CHARS)));
    start = asciiWordStart(folded, end);
  }
  return out;
}

/** Where the next ASCII word (splitAsciiWords) starts at or after `from`; -1 when there is none. */
export function asciiWordStart(text: string, from: number): number {
  for (let i = from; i < text.length; i++) if (isAsciiWordChar(text.charCodeAt(i))) return i;
  return -1;
}

/** Where the ASCII word that starts at `start` ends. */
export function asciiWordEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length && isAsciiWordChar(text.charCodeAt(i))) i++;
  return i;
}

function isAsciiWordChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a);
}

/** True when `text` is all ASCII (then it is its own NFC and NFKC form). */
export function isAscii(text: string): boolean {
  return ASCII.test(text);
}

/** A tokenizer that folds, then keeps the matches of `token` (see splitFolded). */
export function tokenizeWith(token: RegExp): (text: string) => string[] {
  if (!token.global) throw new TypeError('a token pattern must be a global (g) regular expression');
  return (text) => splitFolded(foldForMatch(text), token);
}

/**
 * Splits a file name (or a query) into keyword tokens: runs of Unicode letters
 * and digits after folding. `Björk - Jóga.mp3` gives [björk, jóga, mp3];
 * `under_score.and.dots` gives [under, score, and, dots].
 */
export function tokenize(text: string): string[] {
  return splitFolded(foldForMatch(text), WORD_CHARS);
}
