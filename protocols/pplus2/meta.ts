import { META_ANSWER } from './constants.js';

/** One name in a query answer, with what an extended answer adds. */
export interface AnsweredFile {
  name: string;
  /** Bytes; -1 when the answer was plain. */
  size: number;
  /** Hex SHA-1, when the callee had hashed the file. */
  sha1?: string;
}

const META_LINE = /^(\d{1,15}) ([0-9a-f]{40}|-) (.+)$/;

/**
 * The lines of an extended query answer (after the META_ANSWER line): each
 * file's size, SHA-1 (or `-` while it is still being hashed) and name.
 */
export function encodeMetaLines(files: Iterable<{ name: string; size: number; sha1?: string }>): string[] {
  const out = [META_ANSWER];
  for (const f of files) out.push(`${f.size} ${f.sha1 ?? '-'} ${f.name}`);
  return out;
}

/**
 * Reads a query answer, plain (one name per line, pplus2.md) or extended
 * (META_ANSWER first). A malformed extended line is dropped, never guessed at.
 */
export function parseAnswer(lines: readonly string[]): AnsweredFile[] {
  if (lines[0] !== META_ANSWER) return lines.map((name) => ({ name, size: -1 }));
  const out: AnsweredFile[] = [];
  for (const line of lines.slice(1)) {
    const m = META_LINE.exec(line);
    if (!m) continue;
    const size = Number(m[1]);
    if (!Number.isSafeInteger(size)) continue;
    out.push({ name: m[3]!, size, ...(m[2] !== '-' ? { sha1: m[2]! } : {}) });
  }
  return out;
}
