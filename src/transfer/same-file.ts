/**
 * When a new download is one already queued or running (README "Downloads"):
 * a pure decision over the engine's transfers, so `/get` of the same file
 * twice fetches it once, and two names of the same content give two files.
 */
import { normalizeSha1 } from '../share/base32.js';
import { sanitizeDownloadName } from './file-name.js';
import type { Transfer } from './transfer-record.js';
import type { DownloadRequest } from './transfer-types.js';

/** The SHA-1 of zero bytes: every empty file has it, so it names no file in particular. */
export const EMPTY_SHA1 = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';

/** What a new download has in common with a queued or running one. */
export interface SameFile {
  t: Transfer;
  /** `same`: the same file (a second source of it at most); `content`: the same bytes under another name (a copy of it). */
  how: 'same' | 'content';
}

/**
 * A queued or running download of the same file (`same`: same protocol,
 * source and name, or same SHA-1 under the same local name), else one of the
 * same content under another name (`content`: same SHA-1; the one fetching
 * the bytes, never a copy). An empty file is never the same as another: it
 * needs no bytes, and two empty files are two files.
 */
export function findSame(transfers: Iterable<Transfer>, req: DownloadRequest, except?: Transfer): SameFile | undefined {
  const sha1 = req.sha1 === undefined || req.size === 0 ? undefined : normalizeSha1(req.sha1);
  const bySha1 = sha1 !== undefined && sha1 !== EMPTY_SHA1;
  // Names are cleaned only for a download that could be this one (same source, or same SHA-1):
  // with 1000 queued, cleaning every name on each /get was most of its cost.
  let name: string | undefined;
  const sameNameAs = (t: Transfer): boolean => sanitizeDownloadName(t.req!.name) === (name ??= sanitizeDownloadName(req.name));
  let content: Transfer | undefined;
  for (const t of transfers) {
    if (t === except || !t.req || (t.info.state !== 'queued' && t.info.state !== 'active')) continue;
    let sameName: boolean | undefined;
    for (let i = -1; i < t.alternates.length; i++) {
      const r: DownloadRequest = i < 0 ? t.req : t.alternates[i]!;
      // An alternate that came with another name (a copy's source) is the same content, not the same file.
      if (r.protocol === req.protocol && r.peer === req.peer && r.name === req.name && (r === t.req || (sameName ??= sameNameAs(t)))) return { t, how: 'same' };
      if (bySha1 && r.sha1 !== undefined && normalizeSha1(r.sha1) === sha1) {
        if ((sameName ??= sameNameAs(t))) return { t, how: 'same' };
        content ??= t.copyOf ?? t;
      }
    }
  }
  return content && { t: content, how: 'content' };
}
