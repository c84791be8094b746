/**
 * OpenNap's word rules (specs/napster.md §3.1 "Filenames", §5 "Matching"): a
 * word is a run of ASCII letters and digits, apostrophes and bytes >= 0x80,
 * lower-cased; a shared path is indexed by its last two components with the
 * suffix after the last `.` dropped. Pure, shared by the server's index and
 * the client's result filtering.
 */

function isWordChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x27 || c >= 0x80;
}

/** Calls `each` with every word of `text[start, end)`, lower-cased (ASCII only, like C's tolower). */
export function forEachWord(text: string, start: number, end: number, each: (word: string) => void): void {
  let i = start;
  while (i < end) {
    while (i < end && !isWordChar(text.charCodeAt(i))) i++;
    if (i >= end) break;
    const from = i;
    let upper = false;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (!isWordChar(c)) break;
      if (c >= 0x41 && c <= 0x5a) upper = true;
      i++;
    }
    const w = text.slice(from, i);
    each(upper ? w.toLowerCase() : w);
  }
}

/** The words of a piece of text. */
export function words(text: string): string[] {
  const out: string[] = [];
  forEachWord(text, 0, text.length, (w) => out.push(w));
  return out;
}

/**
 * Calls `each` with every indexed word of a shared path: the parent directory
 * and the file name without its suffix (`index_path_depth 2`), either separator.
 */
export function forEachPathWord(path: string, each: (word: string) => void): void {
  let end = path.length;
  const dot = path.lastIndexOf('.');
  const lastSep = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
  if (dot > lastSep) end = dot;
  let start = 0;
  if (lastSep >= 0) {
    const prevSep = Math.max(path.lastIndexOf('\\', lastSep - 1), path.lastIndexOf('/', lastSep - 1));
    start = lastSep === 0 ? 0 : prevSep + 1;
  }
  forEachWord(path, start, end, each);
}
