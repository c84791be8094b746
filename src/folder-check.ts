/**
 * Checks the folders peerdeck writes to before anything starts: the data
 * folder (hash cache, transfers.json, log) and the download folder. One that
 * cannot be made or written is an error at start, in words, rather than a
 * crash with a stack trace, or a node whose downloads cannot be resumed
 * because nothing it saves reaches the disk.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { ensureDir } from './paths.js';

/** Makes `--data-dir` if needed; the first problem with it or with `--downloads`, as a sentence, or undefined. */
export async function checkWritableFolders(dataDir: string, downloads: string | undefined): Promise<string | undefined> {
  try {
    await ensureDir(dataDir);
    await access(dataDir, constants.W_OK);
  } catch (err) {
    return `--data-dir ${dataDir}: ${words(err)}`;
  }
  if (downloads === undefined) return undefined; // <data-dir>/downloads, made when the first download starts
  try {
    if (!(await stat(downloads)).isDirectory()) return `--downloads ${downloads}: that is a file, not a folder`;
    await access(downloads, constants.W_OK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return `--downloads ${downloads}: ${words(err)}`;
    // Missing: made now, so a folder that can never be made (a mistyped mount, /proc/...) is said at
    // start, not by every download failing with FILE later.
    try {
      await ensureDir(downloads);
    } catch (made) {
      return `--downloads ${downloads}: cannot be made (${made instanceof Error ? made.message : String(made)})`;
    }
  }
  return undefined;
}

function words(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EEXIST' || code === 'ENOTDIR' ? 'that is a file, not a folder' : `cannot write there (${err instanceof Error ? err.message : String(err)})`;
}
