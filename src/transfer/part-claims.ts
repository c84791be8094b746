import { readdir, stat } from 'node:fs/promises';
import { MAX_NAME_VARIANTS, nameVariant, PART_SUFFIX, sanitizeDownloadName } from './file-name.js';
import { NetError } from '../errors.js';

/**
 * Which `.part` file belongs to which download (issue 7: "two downloads never
 * share a `.part`"). A new download claims `name.ext.part`, or
 * `name (1).ext.part`... when that one is claimed by another download or lies
 * on disk from an earlier run. An unclaimed part on disk is adopted only when
 * the download has a SHA-1 (the check at the end proves the resumed bytes
 * right); otherwise a fresh name is taken and the old part is an orphan.
 */
export class PartClaims {
  readonly #claimed = new Set<string>();

  constructor(readonly dir: string) {}

  /** Marks a part (restored from the state file) as owned. */
  claim(part: string): void {
    this.#claimed.add(part);
  }

  release(part: string): void {
    this.#claimed.delete(part);
  }

  /** Claims a part name for a new download of `remoteName`. */
  async claimNew(remoteName: string, verifiable: boolean): Promise<string> {
    const name = sanitizeDownloadName(remoteName);
    for (let n = 0; n < MAX_NAME_VARIANTS; n++) {
      const part = nameVariant(name, n) + PART_SUFFIX;
      if (this.#claimed.has(part)) continue;
      this.#claimed.add(part); // synchronously, before the await: no other download can take it meanwhile
      if (!(await exists(`${this.dir}/${part}`)) || (verifiable && n === 0)) return part;
      this.#claimed.delete(part);
    }
    throw NetError.limit(`no free part name for ${name} after ${MAX_NAME_VARIANTS} tries`);
  }

  /** `.part` files in the folder that no download owns. */
  async orphans(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    return names.filter((n) => n.endsWith(PART_SUFFIX) && !this.#claimed.has(n)).sort();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
