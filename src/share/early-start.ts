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
 * none (their exit would wait for workers still booting). A first start also
 * begins the first scan on them at once (early-scan.ts): the walk and the
 * hashing run while the program loads, and the library takes them in.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDataDir } from '../paths.js';
import { HASH_CACHE_FILE, LEGACY_HASH_CACHE_FILE } from './hash-cache.js';
import { beginEarlyScan } from './early-scan.js';
import { SHARE_WORKER_THREADS, startShareWorkersEarly } from './share-workers.js';

/** What the raw arguments ask of the share: the folders given with `--share` (as given), and whether a hash cache is there already. */
export interface EarlyShare {
  roots: string[];
  cached: boolean;
}

/** The share these arguments ask for, or undefined when they share nothing (or ask for `--help` or `--version`). */
export function earlyShare(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): EarlyShare | undefined {
  const roots: string[] = [];
  let dataDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h' || a === '--version') return undefined;
    if (a === '--') break; // the rest are not flags (and the program refuses them)
    if (a === '--share') {
      const root = argv[++i];
      if (root !== undefined) roots.push(root);
    } else if (a.startsWith('--share=')) roots.push(a.slice('--share='.length));
    else if (a === '--data-dir') dataDir = argv[++i];
    else if (a.startsWith('--data-dir=')) dataDir = a.slice('--data-dir='.length);
  }
  if (roots.length === 0) return undefined;
  const dir = dataDir || defaultDataDir(env);
  return { roots, cached: [HASH_CACHE_FILE, LEGACY_HASH_CACHE_FILE].some((f) => existsSync(join(dir, f))) };
}

/** How many share workers to start early for these arguments (0: none). */
export function earlyShareWorkers(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): number {
  const share = earlyShare(argv, env);
  return share === undefined ? 0 : share.cached ? 1 : SHARE_WORKER_THREADS;
}

/**
 * Starts the share workers these arguments will use (bin/peerdeck.js, before
 * the program loads), and on a first start begins the first scan on them
 * (early-scan.ts): the request waits in the first worker's queue while it
 * boots, and the walk's parts go out to both workers as the main thread,
 * loading the program's modules, gets to their messages.
 */
export function startShareEarly(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
  const share = earlyShare(argv, env);
  if (share === undefined) return;
  const pool = startShareWorkersEarly(SHARE_WORKER_THREADS, share.cached ? 1 : SHARE_WORKER_THREADS);
  if (!share.cached) beginEarlyScan(pool, share.roots);
}
