/**
 * Counts in words, as peerdeck's lines say them (headless text, command
 * answers, the TUI): `1 file`, `2 files`.
 */

/**
 * `1 peer`, `2 peers`, `0 files`; with a third argument the word itself is
 * chosen (`plural(n, 'is', 'are')`).
 */
export function plural(n: number, one: string, many?: string): string {
  if (many !== undefined) return n === 1 ? one : many;
  return `${n} ${n === 1 ? one : `${one}s`}`;
}
