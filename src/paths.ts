import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { mkdir, open, rename, stat, type FileHandle } from 'node:fs/promises';

/**
 * Where peerdeck keeps its state when `--data-dir` is not given, following the
 * XDG base-directory convention: $XDG_DATA_HOME/peerdeck, else ~/.local/share/peerdeck.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_DATA_HOME;
  if (xdg && xdg.startsWith('/')) return join(xdg, 'peerdeck');
  return join(env.HOME || homedir(), '.local', 'share', 'peerdeck');
}

/** Folders `ensureDir` makes at most in one call (a path deeper than this is refused). */
const MAX_NEW_LEVELS = 64;

/**
 * Makes `dir` and any missing parents (mode 0700), one level at a time. Not
 * `mkdir({ recursive: true })`: Node's loops forever where the kernel says
 * ENOENT under a folder that exists (`/proc`, `/sys`), which hung peerdeck at
 * start for `--data-dir /proc/x`. Rejects with the first level's error
 * (EEXIST for a file in the way at `dir`, ENOTDIR for one above it).
 */
export async function ensureDir(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    try {
      await mkdir(d, { mode: 0o700 });
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && (await stat(d)).isDirectory()) break;
      if (code !== 'ENOENT' || dirname(d) === d || missing.length >= MAX_NEW_LEVELS) throw err;
      missing.push(d);
    }
  }
  for (const d of missing.reverse()) {
    await mkdir(d, { mode: 0o700 }).catch(async (err: unknown) => {
      // Made meanwhile by someone else (another download making the same folder): fine if a folder.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !(await stat(d)).isDirectory()) throw err;
    });
  }
}

let tmpCounter = 0;

/**
 * Writes a file atomically: a temporary sibling is written and fsynced, then
 * renamed over the target, so a crash leaves either the old or the new content.
 * `data` may come in pieces, written in order with no copy into one buffer
 * (the share library's hash cache: 17 MB for 100,000 files, issue 9).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array | readonly Uint8Array[]): Promise<void> {
  const tmp = `${path}.${process.pid}.${++tmpCounter}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    if (typeof data === 'string' || !Array.isArray(data)) await fh.writeFile(data as string | Uint8Array);
    else await writePieces(fh, data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

/** Pieces per writev call (IOV_MAX is 1024 on Linux). */
const WRITEV_PIECES = 1024;

/** Writes the pieces one after another, a writev at a time, going on after a short write. */
async function writePieces(fh: FileHandle, pieces: readonly Uint8Array[]): Promise<void> {
  let rest = pieces.filter((p) => p.length > 0);
  while (rest.length > 0) {
    const batch = rest.slice(0, WRITEV_PIECES);
    let { bytesWritten } = await fh.writev(batch);
    if (bytesWritten <= 0) throw new Error(`writing fd ${fh.fd}: nothing written`);
    let k = 0;
    while (k < batch.length && bytesWritten >= batch[k]!.length) bytesWritten -= batch[k++]!.length;
    rest = rest.slice(k);
    if (bytesWritten > 0) rest[0] = rest[0]!.subarray(bytesWritten);
  }
}
