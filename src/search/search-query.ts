import { NetError } from '../errors.js';
import { formatSizeExact } from '../words.js';
import { extensionOf, fileTypeOf, FILE_TYPES, isFileType, type FileType } from '../share/file-type.js';

/**
 * What the user searches for, as every file protocol receives it: the words
 * plus optional filters. A protocol may pass filters on to the network (Napster
 * has size and type fields) or ignore them; the core applies them to every hit
 * anyway (matchesQuery), so a filter holds whichever protocol answered.
 */
export interface SearchQuery {
  /** The words, as typed (protocols tokenize or match them their own way). */
  text: string;
  /** Smallest size in bytes; a hit of unknown size passes. */
  minSize?: number;
  /** Largest size in bytes; a hit of unknown size passes. */
  maxSize?: number;
  /** Only files of this type (by extension, see file-type.ts). */
  type?: FileType;
  /** Only files with this extension: lower case, no dot (`mp3`). */
  extension?: string;
}

/** Longest search text accepted (bytes of UTF-8): every protocol's query fits in it. */
export const MAX_QUERY_TEXT_BYTES = 256;

/** `/search` with its options parsed: the query and, with `-p`, the one protocol to ask. */
export interface SearchRequest {
  query: SearchQuery;
  protocol?: string;
}

/** The synopsis of `/search`, shared by help and usage errors. */
export const SEARCH_SYNOPSIS = '[-p protocol] [-min size] [-max size] [-type type] [-ext ext] <words>';

const SIZE = /^(\d+(?:\.\d+)?)([kmgt]?)b?$/i;
const UNIT: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** `700`, `700k`, `4M`, `1.5G` (powers of 1024) -> bytes; throws USAGE otherwise. */
export function parseSize(text: string, flag: string): number {
  const m = SIZE.exec(text);
  const n = m ? Math.floor(Number(m[1]) * UNIT[(m[2] ?? '').toLowerCase()]!) : NaN;
  if (!Number.isSafeInteger(n)) throw NetError.usage(`${flag}: not a size (e.g. 700k, 4M, 1G): ${text}`);
  return n;
}

/**
 * Parses the words after `/search`: options first (`-p NAME`, `-min SIZE`,
 * `-max SIZE`, `-type TYPE`, `-ext EXT`, `--` ends them), the rest is the text.
 * Throws NetError('USAGE') with the synopsis on anything else.
 */
export function parseSearchArgs(args: readonly string[]): SearchRequest {
  const words = args.join(' ').split(/\s+/).filter((w) => w !== '');
  const query: SearchQuery = { text: '' };
  let protocol: string | undefined;
  let i = 0;
  const value = (flag: string): string => {
    const v = words[++i];
    if (v === undefined) throw NetError.usage(`${flag} needs a value; usage: /search ${SEARCH_SYNOPSIS}`);
    return v;
  };
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (w === '--') {
      i++;
      break;
    }
    if (!w.startsWith('-') || w.length === 1) break;
    switch (w.toLowerCase()) {
      case '-p':
        protocol = value(w).toLowerCase();
        break;
      case '-min':
        query.minSize = parseSize(value(w), w);
        break;
      case '-max':
        query.maxSize = parseSize(value(w), w);
        break;
      case '-type': {
        const t = value(w).toLowerCase();
        if (!isFileType(t)) throw NetError.usage(`-type: ${t} is not a type (one of ${FILE_TYPES.join(', ')})`);
        query.type = t;
        break;
      }
      case '-ext': {
        const e = value(w).toLowerCase().replace(/^\./, '');
        if (!/^[\p{L}\p{N}]{1,10}$/u.test(e)) throw NetError.usage(`-ext: an extension like mp3: ${e}`);
        query.extension = e;
        break;
      }
      default:
        throw NetError.usage(`unknown option ${w}; usage: /search ${SEARCH_SYNOPSIS}`);
    }
  }
  query.text = words.slice(i).join(' ');
  if (query.text === '') throw NetError.usage(`usage: /search ${SEARCH_SYNOPSIS}`);
  checkQuery(query);
  return protocol === undefined ? { query } : { query, protocol };
}

/** Refuses a query no protocol could send: too long, control characters, an empty size range. */
export function checkQuery(q: SearchQuery): void {
  if (Buffer.byteLength(q.text, 'utf8') > MAX_QUERY_TEXT_BYTES) throw NetError.usage(`search text longer than ${MAX_QUERY_TEXT_BYTES} bytes`);
  if (/[\u0000-\u001f\u007f]/.test(q.text)) throw NetError.usage('control character in search text');
  if (q.minSize !== undefined && q.maxSize !== undefined && q.minSize > q.maxSize) throw NetError.usage('-min is larger than -max');
}

/** Whether a hit (its name and size, -1 unknown) passes the query's filters. */
export function matchesQuery(name: string, size: number, q: SearchQuery): boolean {
  if (size >= 0 && q.minSize !== undefined && size < q.minSize) return false;
  if (size >= 0 && q.maxSize !== undefined && size > q.maxSize) return false;
  if (q.extension !== undefined && extensionOf(name) !== q.extension) return false;
  if (q.type !== undefined && fileTypeOf(name) !== q.type) return false;
  return true;
}

/**
 * The query as a user reads it back (`search.started`, the `/search` answer): the words, then
 * the filters, sizes in words (`-min 1.0 MiB`; it said `-min 1048576`).
 */
export function formatQuery(q: SearchQuery): string {
  const parts = [q.text];
  if (q.minSize !== undefined) parts.push(`-min ${formatSizeExact(q.minSize)}`);
  if (q.maxSize !== undefined) parts.push(`-max ${formatSizeExact(q.maxSize)}`);
  if (q.type !== undefined) parts.push(`-type ${q.type}`);
  if (q.extension !== undefined) parts.push(`-ext ${q.extension}`);
  return parts.join(' ');
}
