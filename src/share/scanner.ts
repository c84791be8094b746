/**
 * What a scan of the shared roots keeps and skips, and the one containment
 * check every served path goes through. The walk itself runs in a worker
 * thread (walk-sync.ts, share-worker.ts).
 */
import { sep } from 'node:path';

/** Deepest directory level walked (symlinked directories are never followed, this is a backstop). */
export const MAX_SCAN_DEPTH = 64;
/** Files kept per scan; beyond this the scan stops adding and says so. */
export const DEFAULT_MAX_FILES = 1_000_000;
/** Partial downloads (transfer engine) are never shared. */
export const PART_SUFFIX = '.part';

/** True when `p` is `base` itself or lies under it. */
export function isInside(base: string, p: string): boolean {
  return p === base || p.startsWith(base.endsWith(sep) ? base : base + sep);
}
