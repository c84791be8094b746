import { extname } from 'node:path';

/** Longest local file name we create (bytes of UTF-8), well under every filesystem's 255. */
export const MAX_LOCAL_NAME_BYTES = 200;
/** Suffix of a download in progress (issue 4: "into `<name>.part`"). */
export const PART_SUFFIX = '.part';
/** How many `name (n).ext` variants are tried before giving up. */
export const MAX_NAME_VARIANTS = 1000;
const FALLBACK_NAME = 'download';

/**
 * Turns a remote-supplied file name into a safe local one: the last path
 * segment only (`/` and `\` both count), no control or reserved characters, no
 * leading dots (hidden files, `..`), no `.part` ending, bounded length with the
 * extension kept. Never returns an empty name.
 */
export function sanitizeDownloadName(remote: string): string {
  const last = remote.split(/[/\\]/).pop() ?? '';
  let name = last
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '')
    .replace(/[<>:"|?*]/g, '_')
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  if (name.toLowerCase().endsWith(PART_SUFFIX)) name += '_';
  if (name === '') name = FALLBACK_NAME;
  return truncateName(name, MAX_LOCAL_NAME_BYTES);
}

/** Cuts a name to `maxBytes` of UTF-8, keeping a short extension and whole code points. */
export function truncateName(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  let ext = extname(name);
  if (Buffer.byteLength(ext) > 16) ext = '';
  const budget = maxBytes - Buffer.byteLength(ext);
  let base = '';
  for (const ch of name.slice(0, name.length - ext.length)) {
    if (Buffer.byteLength(base + ch) > budget) break;
    base += ch;
  }
  return base + ext;
}

/** The n-th name to try for a download: `name.ext`, `name (1).ext`, `name (2).ext`... */
export function nameVariant(name: string, n: number): string {
  if (n === 0) return name;
  const ext = extname(name);
  const base = ext === name || ext === '' ? name : name.slice(0, -ext.length);
  return `${base} (${n})${ext === name ? '' : ext}`;
}
