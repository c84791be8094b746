import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Logger } from '../log.js';

interface Watched {
  watcher: FSWatcher;
  /** Which folder it watches: a folder removed and made again under the same name is another one. */
  identity: string;
}

/**
 * One recursive watcher per shared folder (issue 7, "Share library"), checked
 * after every scan: a folder that was removed is reported once and no longer
 * watched; one made again under its name (new inode) is watched anew. A
 * watcher stays on the folder it was made for, so without this a share whose
 * folder was removed and restored was never followed again.
 */
export class ShareWatch {
  readonly #watched = new Map<string, Watched>();
  readonly #gone = new Set<string>();

  constructor(
    private readonly roots: readonly string[],
    private readonly onChange: () => void,
    private readonly log: Logger,
  ) {}

  /** Watches every folder that is not watched as it is now; returns those found gone since the last call. */
  async refresh(): Promise<string[]> {
    const gone: string[] = [];
    for (const root of this.roots) {
      const identity = await folderIdentity(root);
      const cur = this.#watched.get(root);
      if (cur && cur.identity === identity) continue;
      cur?.watcher.close();
      this.#watched.delete(root);
      if (identity === undefined) {
        if (!this.#gone.has(root)) gone.push(root);
        this.#gone.add(root);
        continue;
      }
      this.#gone.delete(root);
      this.#watch(root, identity);
    }
    return gone;
  }

  close(): void {
    for (const { watcher } of this.#watched.values()) watcher.close();
    this.#watched.clear();
  }

  #watch(root: string, identity: string): void {
    try {
      const watcher = watch(root, { recursive: true, persistent: false }, () => this.onChange());
      watcher.on('error', (err) => {
        this.log.warn(`watching ${root} stopped: ${String(err)}; use /rescan`);
        watcher.close();
        if (this.#watched.get(root)?.watcher === watcher) this.#watched.delete(root);
      });
      this.#watched.set(root, { watcher, identity });
    } catch (err) {
      this.log.warn(`cannot watch ${root}: ${String(err)}; use /rescan`);
    }
  }
}

/** Inode and birth time of a folder, or undefined when it is not one (any more). */
async function folderIdentity(root: string): Promise<string | undefined> {
  try {
    const st = await stat(root);
    return st.isDirectory() ? `${st.dev}:${st.ino}:${st.birthtimeMs}` : undefined;
  } catch {
    return undefined;
  }
}
