/**
 * The type-200 search grammar (specs/napster.md §5) as a pure parser: clauses in
 * any order, keywords case-insensitive, values quoted or bare. Errors carry the
 * exact 404 text OpenNap sends. Shared by the server (parsing) and the client
 * (building queries it knows the server accepts).
 */
import { FILE_TYPES, MAX_RESULTS, type FileType } from './constants.js';
import { splitFields } from './messages.js';
import { words } from './words.js';

export type Comparison = 'atLeast' | 'atBest' | 'equal';
export type NumericField = 'linespeed' | 'bitrate' | 'freq' | 'size' | 'duration';

export interface NumericFilter {
  field: NumericField;
  cmp: Comparison;
  value: number;
}

/** A parsed search: words to find, words to exclude, the cap, filters, and the type. */
export interface NapSearch {
  include: string[];
  exclude: string[];
  max: number;
  filters: NumericFilter[];
  /** `mp3` (the default: only 100/870 shares), a 10300 type, or `any`. */
  type: FileType | 'any';
  localOnly: boolean;
}

export type SearchParse = { ok: true; search: NapSearch } | { ok: false; error: string };

export const ERR_INVALID_SEARCH = 'invalid search request';
export const ERR_NO_WORDS = 'search failed: request contained no valid words';

const COMPARISONS: Record<string, Comparison> = { 'at least': 'atLeast', 'at best': 'atBest', 'equal to': 'equal' };
const NUMERIC: Record<string, NumericField> = {
  linespeed: 'linespeed',
  bitrate: 'bitrate',
  freq: 'freq',
  size: 'size',
  duration: 'duration',
};

/**
 * Splits a CONTAINS value into wanted and excluded words: `-word` excludes
 * (Napster 2.0 beta 8 style); a standalone `-` is treated as nothing (§5).
 */
export function containsTerms(value: string, include: string[], exclude: string[]): void {
  for (const term of value.split(' ')) {
    if (term === '' || term === '-') continue;
    if (term.startsWith('-')) exclude.push(...words(term.slice(1)));
    else include.push(...words(term));
  }
}

/** Parses a 200 payload. */
export function parseSearch(text: string): SearchParse {
  const f = splitFields(text);
  if (!f) return { ok: false, error: ERR_INVALID_SEARCH };
  const s: NapSearch = { include: [], exclude: [], max: MAX_RESULTS, filters: [], type: 'mp3', localOnly: false };
  let i = 0;
  const bad = (error = ERR_INVALID_SEARCH): SearchParse => ({ ok: false, error });
  while (i < f.length) {
    const key = f[i]!.toLowerCase();
    i++;
    if (key === 'filename') {
      const how = f[i]?.toLowerCase();
      const value = f[i + 1];
      if ((how !== 'contains' && how !== 'excludes') || value === undefined) return bad();
      if (how === 'contains') containsTerms(value, s.include, s.exclude);
      else s.exclude.push(...words(value));
      i += 2;
    } else if (key === 'max_results') {
      const v = f[i];
      if (v === undefined || !/^\d+$/.test(v)) return bad();
      const n = Number(v);
      s.max = n === 0 || n > MAX_RESULTS ? MAX_RESULTS : n;
      i++;
    } else if (key in NUMERIC) {
      const op = f[i];
      const v = f[i + 1];
      if (op === undefined || v === undefined) return bad();
      const cmp = COMPARISONS[op.toLowerCase()];
      if (!cmp) return bad(`${op}: invalid comparison for search`);
      if (!/^\d+$/.test(v)) return bad();
      s.filters.push({ field: NUMERIC[key]!, cmp, value: Number(v) });
      i += 2;
    } else if (key === 'type') {
      const t = f[i];
      if (t === undefined) return bad();
      const lt = t.toLowerCase();
      if (lt !== 'any' && !(FILE_TYPES as readonly string[]).includes(lt)) return bad(`${t}: invalid type for search`);
      s.type = lt as FileType | 'any';
      i++;
    } else if (key === 'local_only' || key === 'local') {
      s.localOnly = true;
    } else {
      return bad();
    }
  }
  if (s.include.length === 0) return bad(ERR_NO_WORDS);
  return { ok: true, search: s };
}

/** Does a value pass a filter? */
export function passes(filter: NumericFilter, value: number): boolean {
  switch (filter.cmp) {
    case 'atLeast':
      return value >= filter.value;
    case 'atBest':
      return value <= filter.value;
    case 'equal':
      return value === filter.value;
  }
}

/** Builds the query a client sends (§10: `FILENAME CONTAINS "<words>" MAX_RESULTS <n>`). */
export function formatSearch(text: string, max = MAX_RESULTS): string {
  const clean = words(text).join(' ');
  return `FILENAME CONTAINS "${clean}" MAX_RESULTS ${max}`;
}
