/**
 * The share workers a command line will use, started before the program
 * loads (bin/peerdeck.js; issue 9, the first scan as a real process): they
 * boot on the other core while the main thread loads its modules
 * (share-workers.ts, startShareWorkersEarly). Read from the raw arguments,
 * as the program's own flag parsing has not loaded yet: a start that shares
 * a folder and has no hash cache in its data dir (a first start) hashes every
 * file with both workers from the scan's start; one with a cache (a restart)
 * walks with the first alone and starts the second only if something is left
 * to hash, so only the first starts early. `--help` and `--version` start
 * none (their exit would wait for workers still booting).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDataDir } from '../paths.js';
import { HASH_CACHE_FILE, LEGACY_HASH_CACHE_FILE } from './hash-cache.js';
import { SHARE_WORKER_THREADS, startShareWorkersEarly } from './share-workers.js';

/** How many share workers to start early for these arguments (0: none). */
export function earlyShareWorkers(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): number {
  let shares = false;
  let dataDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h' || a === '--version') return 0;
    if (a === '--share' || a.startsWith('--share=')) shares = true;
    else if (a === '--data-dir') dataDir = argv[++i];
    else if (a.startsWith('--data-dir=')) dataDir = a.slice('--data-dir='.length);
  }
  if (!shares) return 0;
  const dir = dataDir || defaultDataDir(env);
  const cached = [HASH_CACHE_FILE, LEGACY_HASH_CACHE_FILE].some((f) => existsSync(join(dir, f)));
  return cached ? 1 : SHARE_WORKER_THREADS;
}

/** Starts the share workers these arguments will use (bin/peerdeck.js, before the program loads). */
export function startShareEarly(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
  const n = earlyShareWorkers(argv, env);
  if (n > 0) startShareWorkersEarly(SHARE_WORKER_THREADS, n);
}
