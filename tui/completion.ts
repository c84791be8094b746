/**
 * Tab-completion candidates: command names after a leading `/` and after
 * `/help `, a result number as the first argument of `/get` (`/get 1<Tab>`;
 * `again` as its second), and nicks seen in the window (most recent
 * speaker first; `nick: ` at the start of a line, as irssi does). Pure.
 */
import type { CompletionQuery } from './line-editor.js';

/** Commands whose one argument is a search result number. */
const RESULT_COMMANDS: ReadonlySet<string> = new Set(['get']);
/** The second argument of `/get`: fetch a file that is here already once more. */
const AGAIN = 'again';

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
  if (!first && line.startsWith('/')) {
    const words = (q.before ?? line).trim().split(/\s+/);
    const command = (words[0] ?? '').slice(1).toLowerCase();
    const argIndex = words.length - 1;
    if (command === 'help' && argIndex === 0) {
      const prefix = word.replace(/^\//, '').toLowerCase();
      return [...new Set(data.commands)].filter((c) => c.toLowerCase().startsWith(prefix)).sort().slice(0, MAX_CANDIDATES).map((c) => `${c} `);
    }
    if (RESULT_COMMANDS.has(command)) {
      // `/get N again` fetches a file this node has already (README "Downloads").
      if (argIndex === 1) return AGAIN.startsWith(word.toLowerCase()) ? [`${AGAIN} `] : [];
      if (argIndex !== 0 || !/^\d*$/.test(word)) return [];
      const nums = data.resultNumbers.filter((n) => String(n).startsWith(word));
      return [...nums].sort((a, b) => a - b).slice(0, MAX_CANDIDATES).map((n) => `${n} `);
    }
  }
  if (word === '') return [];
  const lower = word.toLowerCase();
  return data.nicks
    .filter((n) => n.toLowerCase().startsWith(lower))
    .slice(0, MAX_CANDIDATES)
    .map((n) => (first && !line.startsWith('/') ? `${n}: ` : `${n} `));
}
