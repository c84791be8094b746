/**
 * The user's list files (`--gnutella-hostiles`, `--gnutella-spam-sha1`): one
 * entry a line, `#` starts a comment, blank lines skipped, as gtk-gnutella's
 * hostiles.txt and spam_sha1.txt read. Bounded: at most MAX_LIST_BYTES are read,
 * MAX_LIST_LINES lines looked at, and a line longer than MAX_LINE_CHARS is a
 * bad line. A bad line is reported with its number and skipped, never fatal.
 */
import { open } from 'node:fs/promises';

/** Bytes read from a list file at most; the rest is left unread and said so. */
export const MAX_LIST_BYTES = 4 * 1024 * 1024;
/** Lines looked at in a list file at most. */
export const MAX_LIST_LINES = 100_000;
/** A longer line is a bad line (an address range needs under 40 characters). */
export const MAX_LINE_CHARS = 200;
/** Bad lines reported one by one; past this they are only counted. */
export const MAX_REPORTED_PROBLEMS = 20;

export interface ListProblem {
  line: number;
  why: string;
}

/** What one pass over a list's text gave: good entries, bad lines, and whether it was cut at a cap. */
export interface ListParse<T> {
  entries: T[];
  problems: ListProblem[];
  /** Bad lines in all, including those past MAX_REPORTED_PROBLEMS. */
  bad: number;
  /** Why the text was not read to its end, if it was not. */
  cut?: string;
}

/**
 * Splits `text` into entries with `parseLine`, which returns the entry or, for a
 * bad line, why it is bad. Pure; never throws for any input.
 */
export function parseList<T>(text: string, parseLine: (line: string) => T | { bad: string }): ListParse<T> {
  const entries: T[] = [];
  const problems: ListProblem[] = [];
  let bad = 0;
  let cut: string | undefined;
  let at = 0;
  for (let n = 1; at < text.length; n++) {
    if (n > MAX_LIST_LINES) {
      cut = `only the first ${MAX_LIST_LINES} lines are read`;
      break;
    }
    let end = text.indexOf('\n', at);
    if (end === -1) end = text.length;
    const raw = text.slice(at, end);
    at = end + 1;
    const why = raw.length > MAX_LINE_CHARS ? `line longer than ${MAX_LINE_CHARS} characters` : undefined;
    const hash = raw.indexOf('#');
    const line = (hash === -1 ? raw : raw.slice(0, hash)).trim();
    if (why === undefined && line === '') continue;
    const r = why === undefined ? parseLine(line) : { bad: why };
    if (typeof r === 'object' && r !== null && 'bad' in r) {
      bad++;
      if (problems.length < MAX_REPORTED_PROBLEMS) problems.push({ line: n, why: r.bad });
    } else {
      entries.push(r);
    }
  }
  return { entries, problems, bad, ...(cut ? { cut } : {}) };
}

/** Reads at most MAX_LIST_BYTES of `file` (asynchronously); `cut` when there was more. */
export async function readListFile(file: string): Promise<{ text: string; cut?: string }> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(MAX_LIST_BYTES + 1);
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    const over = got > MAX_LIST_BYTES;
    const text = buf.toString('utf8', 0, Math.min(got, MAX_LIST_BYTES));
    return over ? { text, cut: `only the first ${MAX_LIST_BYTES} bytes are read` } : { text };
  } finally {
    await fh.close();
  }
}

/** The lines a load says to the user: how many entries, the bad lines by number, a cut. */
export function describeLoad(what: string, file: string, p: ListParse<unknown>, cut: string | undefined): string[] {
  const lines = [`${what}: ${p.entries.length} from ${file}${p.bad > 0 ? `, ${p.bad} bad line${p.bad === 1 ? '' : 's'} skipped` : ''}`];
  for (const pr of p.problems) lines.push(`  ${file}:${pr.line}: ${pr.why}`);
  if (p.bad > p.problems.length) lines.push(`  ... and ${p.bad - p.problems.length} more`);
  const c = cut ?? p.cut;
  if (c) lines.push(`  ${file}: ${c}`);
  return lines;
}
