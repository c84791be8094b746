/**
 * Known spam by SHA-1 (spec 6 "Content-level"), as gtk-gnutella's spam_sha1.c
 * keeps it: `--gnutella-spam-sha1 FILE`, one SHA-1 a line (`urn:sha1:` + 32
 * base32 characters, the 32 characters alone, or 40 hex digits), `#` comments.
 * A hit naming one is dropped (hit-screen.ts). At most MAX_SPAM_SHA1S entries.
 */
import { normalizeSha1 } from '../../src/share/base32.js';
import { describeLoad, parseList, readListFile, type ListParse } from './list-file.js';

/** SHA-1s kept at most; later lines are counted as bad. */
export const MAX_SPAM_SHA1S = 50_000;

/** One line as lower-case hex, or why it is not a SHA-1. */
export function parseSpamLine(line: string): string | { bad: string } {
  return normalizeSha1(line) ?? { bad: `not a SHA-1 (urn:sha1:BASE32, BASE32 or 40 hex digits): ${line.slice(0, 60)}` };
}

/** A spam list's text as a set of hex SHA-1s (pure; never throws). */
export function parseSpamSha1s(text: string): ListParse<string> & { set: Set<string> } {
  const p = parseList(text, parseSpamLine);
  const set = new Set<string>();
  for (const h of p.entries) if (set.size < MAX_SPAM_SHA1S) set.add(h);
  const over = p.entries.length > MAX_SPAM_SHA1S ? { cut: `only the first ${MAX_SPAM_SHA1S} SHA-1s are kept` } : {};
  return { ...p, ...over, set };
}

export class SpamSha1s {
  #set = new Set<string>();

  constructor(readonly file: string | undefined) {}

  get size(): number {
    return this.#set.size;
  }

  /** True when the lower-case hex SHA-1 is listed. */
  has(hex: string): boolean {
    return this.#set.size > 0 && this.#set.has(hex);
  }

  /** Reads the file again (if one was given); a file that cannot be read keeps the old list. */
  async load(): Promise<string[]> {
    if (this.file === undefined) return [];
    let read: { text: string; cut?: string };
    try {
      read = await readListFile(this.file);
    } catch (err) {
      return [`spam SHA-1s: cannot read ${this.file} (${err instanceof Error ? err.message : String(err)}); the list in use is kept (${this.#set.size} entries)`];
    }
    const p = parseSpamSha1s(read.text);
    this.#set = p.set;
    return describeLoad('spam SHA-1s', this.file, { ...p, entries: [...p.set] }, read.cut ?? p.cut);
  }
}
