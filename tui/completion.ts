/**
 * Tab-completion candidates: command names after a leading `/`, result numbers
 * as command arguments (`/get 1<Tab>`), and nicks seen in the window (most
 * recent speaker first; `nick: ` at the start of a line, as irssi does). Pure.
 */
import type { CompletionQuery } from './line-editor.js';

/** Candidates offered at most (one Tab cycles through them). */
export const MAX_CANDIDATES = 100;

/** What can be completed in the active window. */
export interface CompletionData {
  commands: readonly string[];
  nicks: readonly string[];
  resultNumbers: readonly number[];
}

/** Candidates for the word under the cursor, each with the text that should follow it. */
export function completionCandidates(q: CompletionQuery, data: CompletionData): string[] {
  const { word, first, line } = q;
  if (first && word.startsWith('/')) {
    const prefix = word.slice(1).toLowerCase();
    return [...new Set(data.commands)]
      .filter((c) => c.toLowerCase().startsWith(prefix))
      .sort()
      .slice(0, MAX_CANDIDATES)
      .map((c) => `/${c} `);
  }
  if (!first && line.startsWith('/') && /^\d*$/.test(word)) {
    const nums = data.resultNumbers.filter((n) => String(n).startsWith(word));
    if (nums.length > 0) return [...nums].sort((a, b) => a - b).slice(0, MAX_CANDIDATES).map((n) => `${n} `);
  }
  if (word === '') return [];
  const lower = word.toLowerCase();
  return data.nicks
    .filter((n) => n.toLowerCase().startsWith(lower))
    .slice(0, MAX_CANDIDATES)
    .map((n) => (first && !line.startsWith('/') ? `${n}: ` : `${n} `));
}
