/**
 * The chat node of the last run from this data dir, while it runs (README "Nicks"):
 * `chat-run.json` holds its node id and nick from start to a clean stop, which removes it.
 * Found at start, it names a run that ended without PART (a crash, kill -9, power loss):
 * the mesh still counts that node's nick as live for 30 minutes, so the restarted node,
 * under a new node id, would show as `bob~3f2a`. The new run floods the PART the old one
 * never sent. Written atomically.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../src/paths.js';
import { isGoodNick } from '../../src/nick.js';

/** File name in the data dir. */
export const LAST_RUN_FILE = 'chat-run.json';

/** A run's node id and nick. */
export interface ChatRun {
  node: string;
  nick: string;
}

/** A node id as options.ts accepts one; anything else in the file is ignored. */
const NODE_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** Reads what a run left (undefined: none, or not ours to trust), then records `ours`. */
export async function beginRun(dataDir: string, ours: ChatRun): Promise<ChatRun | undefined> {
  const path = join(dataDir, LAST_RUN_FILE);
  let left: ChatRun | undefined;
  try {
    const v: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (typeof v === 'object' && v !== null && 'node' in v && 'nick' in v) {
      const { node, nick } = v;
      if (typeof node === 'string' && NODE_RE.test(node) && typeof nick === 'string' && isGoodNick(nick) && node !== ours.node) left = { node, nick };
    }
  } catch {
    // No file (the last run stopped cleanly, or none ran) or a broken one: nothing to undo.
  }
  await writeFileAtomic(path, `${JSON.stringify(ours)}\n`);
  return left;
}

/** A clean stop: the PART went out, so the next run has nothing to undo. */
export async function endRun(dataDir: string): Promise<void> {
  await rm(join(dataDir, LAST_RUN_FILE), { force: true });
}
