import { NetError } from '../errors.js';

/** Longest remote-supplied name we even look at (bytes of UTF-8). */
export const MAX_REMOTE_NAME_BYTES = 1024;

/** How strict the resolver is about the shape of a remote name. */
export interface RemoteNameOptions {
  /**
   * Accept `dir/sub/file` (forward slashes only, each segment checked) for
   * protocols that name files by their path under the share root. P+2 does not:
   * its names have no `/` (pplus2.md, "What the original leaves open").
   */
  allowSubpath?: boolean;
}

// Percent-encoded dot, slash, backslash, NUL or percent (double encoding): whoever sends them hopes some
// layer decodes them after our check. We never decode, and refuse them outright.
const ENCODED_TRICK = /%(2e|2f|5c|00|25|c0|c1|e0)/i;
// C0/C1 controls (NUL included) and the Unicode line/paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// Look-alike separators and dots that some filesystems or tools normalise to '/', '\' or '.'.
const LOOKALIKE = /[\u2215\u2044\u29f8\uff0f\uff3c\u2024\uff0e\ufe52]/;

/**
 * The pure half of the one safe resolver: decides whether a name that came off
 * the wire may even be looked up. It refuses anything that could name a path
 * outside a shared root: absolute paths, drive letters, backslashes, `.`/`..`
 * segments, encoded dots and slashes, NUL and other controls. The library then
 * only accepts names it holds itself (ShareLibrary.resolveRemoteName).
 */
export function checkRemoteName(name: string, opts: RemoteNameOptions = {}): NetError | undefined {
  if (name.length === 0) return NetError.path('empty name');
  if (Buffer.byteLength(name, 'utf8') > MAX_REMOTE_NAME_BYTES) return NetError.path('name too long');
  if (CONTROL.test(name)) return NetError.path('control character in name');
  if (name.includes('\\')) return NetError.path('backslash in name');
  if (ENCODED_TRICK.test(name)) return NetError.path('percent-encoded separator or dot in name');
  if (LOOKALIKE.test(name)) return NetError.path('look-alike separator in name');
  if (name.includes('\ufffd')) return NetError.path('invalid UTF-8 in name');
  if (/^[a-z]:/i.test(name)) return NetError.path('drive letter in name');
  if (name.startsWith('/') || name.startsWith('~')) return NetError.path('absolute name');
  const segments = name.split('/');
  if (segments.length > 1 && !opts.allowSubpath) return NetError.path('slash in name');
  for (const seg of segments) {
    if (seg === '' || seg === '.' || seg === '..') return NetError.path('empty, . or .. segment in name');
    if (seg.startsWith('.')) return NetError.path('hidden name');
    if (seg.trim() !== seg) return NetError.path('leading or trailing space in name');
  }
  return undefined;
}
