import { NetError } from '../../src/errors.js';
import { MAX_RESULTS } from './constants.js';
import { toWire } from './messages.js';

/** §5 comparisons, as the wire spells them. */
export type NapCompare = 'AT LEAST' | 'AT BEST' | 'EQUAL TO';

/** A numeric clause: BITRATE, FREQ, LINESPEED, SIZE or DURATION. */
export interface NapRange {
  cmp: NapCompare;
  value: number;
}

/** §5 TYPE values (default mp3 = only 100/870 shares). */
export const NAP_TYPES = ['mp3', 'audio', 'video', 'application', 'image', 'text', 'any'] as const;
export type NapType = (typeof NAP_TYPES)[number];

/** A search as the client means it, before it becomes a 200 payload. */
export interface NapSearchSpec {
  /** Words every result must contain. */
  words: string[];
  /** Words no result may contain (FILENAME EXCLUDES). */
  excludes: string[];
  maxResults: number;
  bitrate?: NapRange;
  freq?: NapRange;
  linespeed?: NapRange;
  size?: NapRange;
  /** A second size bound (`SIZE "AT BEST"`), for a size range. */
  sizeAtBest?: number;
  duration?: NapRange;
  type?: NapType;
}

/** Highest MAX_RESULTS servers honour (§5: 0 or more than 100 means 100). */
export const MAX_RESULTS_CAP = 100;

/**
 * A word as opennap indexes it (§5): runs of alphanumerics, apostrophes and
 * bytes above 128. A standalone dash would exclude the next word on 0.44, and
 * quotes cannot be sent, so both are dropped before sending.
 */
function words(text: string): string[] {
  return text
    .split(/[\s"]+/)
    .map((w) => w.replace(/^-+$/, ''))
    .filter((w) => w !== '');
}

/** A spec for plain words (what `/search` sends to every protocol). */
export function plainSearch(text: string, maxResults = MAX_RESULTS): NapSearchSpec {
  const all = words(text);
  return {
    words: all.filter((w) => !w.startsWith('-')),
    excludes: all.filter((w) => w.startsWith('-')).map((w) => w.replace(/^-+/, '')).filter((w) => w !== ''),
    maxResults,
  };
}

const CMP: Record<string, NapCompare> = { '>=': 'AT LEAST', '<=': 'AT BEST', '=': 'EQUAL TO', '>': 'AT LEAST', '<': 'AT BEST' };
const RANGE_KEYS = ['bitrate', 'freq', 'linespeed', 'size', 'duration'] as const;
type RangeKey = (typeof RANGE_KEYS)[number];

/**
 * Parses `/nsearch` arguments: words, `-word` to exclude, and clauses
 * `size>=N`, `size<=N`, `bitrate>=128`, `freq=44100`, `linespeed>=5`,
 * `duration<=300` (`>`/`<` are strict), `type:audio`, `max:N`. Sizes take
 * k/m/g suffixes. Throws USAGE with the reason for anything else.
 */
export function parseNsearch(args: readonly string[]): NapSearchSpec {
  const spec: NapSearchSpec = { words: [], excludes: [], maxResults: MAX_RESULTS };
  for (const arg of args) {
    const clause = /^([a-z]+)(>=|<=|=|>|<|:)(.+)$/i.exec(arg);
    if (!clause) {
      const plain = plainSearch(arg);
      spec.words.push(...plain.words);
      spec.excludes.push(...plain.excludes);
      continue;
    }
    const key = clause[1]!.toLowerCase();
    const op = clause[2]!;
    const raw = clause[3]!;
    if (key === 'type') {
      const t = raw.toLowerCase();
      if (!(NAP_TYPES as readonly string[]).includes(t)) throw NetError.usage(`type must be one of ${NAP_TYPES.join(', ')}`);
      spec.type = t as NapType;
    } else if (key === 'max') {
      const n = parseAmount(raw);
      if (n === undefined || n < 1) throw NetError.usage(`max wants a positive number, got ${raw}`);
      spec.maxResults = Math.min(n, MAX_RESULTS_CAP);
    } else if ((RANGE_KEYS as readonly string[]).includes(key) && op !== ':') {
      let value = parseAmount(raw);
      if (value === undefined) throw NetError.usage(`${key} wants a number, got ${raw}`);
      if (op === '>') value += 1;
      if (op === '<') value = Math.max(0, value - 1);
      spec[key as RangeKey] = { cmp: CMP[op]!, value };
    } else {
      throw NetError.usage(`unknown search clause ${arg} (size, bitrate, freq, linespeed, duration, type, max)`);
    }
  }
  if (spec.words.length === 0) throw NetError.usage('a Napster search needs at least one word');
  return spec;
}

function parseAmount(raw: string): number | undefined {
  const m = /^(\d{1,15})([kmg]?)$/i.exec(raw);
  if (!m) return undefined;
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m[1]) * mult;
}

/**
 * The 200 payload (§5), in the form the recorded clients use:
 * `FILENAME CONTAINS "<words>" [FILENAME EXCLUDES "<words>"] MAX_RESULTS <n>`
 * then the other clauses. Bitrate and frequency values are quoted as the
 * Windows client does; sizes, durations and link speeds are bare.
 */
export function buildSearch(spec: NapSearchSpec): string {
  if (spec.words.length === 0) throw NetError.usage('a Napster search needs at least one word');
  const parts = [`FILENAME CONTAINS "${toWire(spec.words.join(' '))}"`];
  if (spec.excludes.length > 0) parts.push(`FILENAME EXCLUDES "${toWire(spec.excludes.join(' '))}"`);
  parts.push(`MAX_RESULTS ${Math.max(1, Math.min(spec.maxResults, MAX_RESULTS_CAP))}`);
  if (spec.bitrate) parts.push(`BITRATE "${spec.bitrate.cmp}" "${spec.bitrate.value}"`);
  if (spec.freq) parts.push(`FREQ "${spec.freq.cmp}" "${spec.freq.value}"`);
  if (spec.linespeed) parts.push(`LINESPEED "${spec.linespeed.cmp}" ${spec.linespeed.value}`);
  if (spec.size) parts.push(`SIZE "${spec.size.cmp}" ${spec.size.value}`);
  if (spec.sizeAtBest !== undefined) parts.push(`SIZE "AT BEST" ${spec.sizeAtBest}`);
  if (spec.duration) parts.push(`DURATION "${spec.duration.cmp}" ${spec.duration.value}`);
  if (spec.type) parts.push(`TYPE ${spec.type}`);
  return parts.join(' ');
}
