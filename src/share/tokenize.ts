/** Longest token kept in the index; longer runs are cut (names are local, but bounded anyway). */
export const MAX_TOKEN_CHARS = 64;

/**
 * The one normal form for matching: Unicode NFKC, then lower case. Used for
 * names, substring queries and tokens alike, so "ÉTÉ", "été" and the
 * decomposed "e\u0301te\u0301" all match each other.
 */
export function foldForMatch(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/**
 * Splits a file name (or a query) into keyword tokens: runs of Unicode letters
 * and digits after folding. `Björk - Jóga.mp3` gives [björk, jóga, mp3].
 */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const m of foldForMatch(text).matchAll(/[\p{L}\p{N}\p{M}]+/gu)) {
    out.push(m[0].slice(0, MAX_TOKEN_CHARS));
  }
  return out;
}
