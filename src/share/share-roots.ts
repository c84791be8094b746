/**
 * Checks the folders given with `--share` before anything starts: a missing
 * folder (a typo, an unmounted disk) is an error at start, in words, rather
 * than a node that quietly shares nothing.
 */
import { stat } from 'node:fs/promises';
import { errorWords } from '../error-words.js';

/** The first problem with a shared folder, as a sentence for the user, or undefined when all are folders. */
export async function checkShareRoots(roots: readonly string[]): Promise<string | undefined> {
  for (const root of roots) {
    try {
      const st = await stat(root);
      if (!st.isDirectory()) return `--share ${root}: that is a file, not a folder (share the folder that holds it)`;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return `--share ${root}: no such folder`;
      return `--share ${root}: ${errorWords(err)}`;
    }
  }
  return undefined;
}
