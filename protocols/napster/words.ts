/**
 * OpenNap's word rules (specs/napster.md §3.1 "Filenames", §5 "Matching"): a
 * word is a run of ASCII letters and digits, apostrophes and bytes >= 0x80,
 * lower-cased (latin-1 letters too, on both the index and the query side); a shared path is indexed by its last two components with the
 * suffix after the last `.` dropped. Pure, shared by the server's index and
 * the client's result filtering.
 */

function isWordChar(c: number): boolean {
  // Inputs are lower-cased first where speed matters; upper case still counts.
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

/** The words of a piece of text, lower-cased like the index's. */
export function words(text: string): string[] {
  const out: string[] = [];
  const lower = text.toLowerCase();
  forEachWord(lower, 0, lower.length, (w) => out.push(w));
  return out;
}

/**
 * Where the indexed part of a shared path lies: the parent directory and the
 * file name without its suffix (`index_path_depth 2`), either separator.
 */
export function indexedRange(path: string): [start: number, end: number] {
  // One pass from the end: the suffix's dot (if after the last separator), the last separator, the one before it.
  let end = path.length;
  let lastSep = -1;
  for (let i = path.length - 1; i >= 0; i--) {
    const c = path.charCodeAt(i);
    if (c === 0x5c || c === 0x2f) {
      if (lastSep >= 0) return [i + 1, end];
      if (i === 0) break;
      lastSep = i;
    } else if (c === 0x2e && lastSep < 0 && end === path.length) {
      end = i;
    }
  }
  return [0, end];
}

/**
 * Whether a shared path leaves any word to index (§3.1): a path such as
 * `C:\\Share\\.mp3` or `""` never matches a search; OpenNap answers
 * `Sorry, unable to parse '<path>'` for a share it cannot make a name of (§4.1).
 */
export function hasIndexedWord(path: string): boolean {
  const [start, end] = indexedRange(path);
  for (let i = start; i < end; i++) if (isWordChar(path.charCodeAt(i))) return true;
  return false;
}

/** The indexed part of a shared path (see indexedRange), lower-cased. */
export function indexedText(path: string): string {
  const [start, end] = indexedRange(path);
  return path.slice(start, end).toLowerCase();
}

/** Calls `each` with every indexed word of a shared path (see indexedText). */
export function forEachPathWord(path: string, each: (word: string) => void): void {
  const text = indexedText(path);
  forEachWord(text, 0, text.length, each);
}

/** True for the bytes words are made of (letters, digits, apostrophe, >= 0x80). */
export { isWordChar };
