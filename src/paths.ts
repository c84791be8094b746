import { homedir } from 'node:os';
import { join } from 'node:path';
import { mkdir, rename, writeFile, open } from 'node:fs/promises';

/**
 * Where peerdeck keeps its state when `--data-dir` is not given, following the
 * XDG base-directory convention: $XDG_DATA_HOME/peerdeck, else ~/.local/share/peerdeck.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_DATA_HOME;
  if (xdg && xdg.startsWith('/')) return join(xdg, 'peerdeck');
  return join(env.HOME || homedir(), '.local', 'share', 'peerdeck');
}

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

let tmpCounter = 0;

/**
 * Writes a file atomically: a temporary sibling is written and fsynced, then
 * renamed over the target, so a crash leaves either the old or the new content.
 */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.${process.pid}.${++tmpCounter}.tmp`;
  await writeFile(tmp, data, { mode: 0o600 });
  const fh = await open(tmp, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}
